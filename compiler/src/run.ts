// `keelc run-node FILE.ts` and `keelc run-hosted FILE.ts`: compile a program (one that
// exports `kernelMain(bootInfo: u64): void` and imports kernel/lib as the kernel does) and
// run it, printing only the program's output. Exit status: the program's (0 when
// kernelMain returns, (code << 1) | 1 after qemuExit(code), so 3 after a panic, 4 after
// haltForever), 125 when the program could not be built, 2 on a usage error. A panic's
// line goes to stdout through the console, as in QEMU, and is repeated on stderr.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compile, formatResult, type CompileResult } from "./compile";
import { JsBackendUnsupported } from "./emit_js";
import { BUILD_FAILED_STATUS, buildHosted, runExecutable, runJs } from "./hosted";

const USAGE = "usage: keelc run-node FILE.ts | keelc run-hosted FILE.ts";

function compiled(entry: string): CompileResult | null {
  const result = compile(entry);
  const messages = formatResult(result);
  if (messages) console.error(messages);
  if (!result.ok || !result.ir) {
    const n = result.typeErrors.length + result.diagnostics.length;
    console.error(`\nkeelc: ${n} error${n === 1 ? "" : "s"}; not run.`);
    return null;
  }
  return result;
}

/** Runs `keelc run-node|run-hosted ARGS`; returns the exit status. */
export function runCommand(mode: "run-node" | "run-hosted", args: string[]): number {
  if (args.length !== 1 || args[0]!.startsWith("-")) {
    console.error(`keelc: ${mode} takes one program file\n${USAGE}`);
    return 2;
  }
  const entry = args[0]!;
  if (!fs.existsSync(entry)) {
    console.error(`keelc: ${entry}: no such file`);
    return 2;
  }
  const result = compiled(entry);
  if (!result) return BUILD_FAILED_STATUS;
  if (mode === "run-node") {
    let run;
    try {
      run = runJs(result.ir!, path.basename(entry).replace(/\.ts$/, ".js"));
    } catch (e) {
      if (e instanceof JsBackendUnsupported) {
        console.error(`keelc: ${e.message}`);
        return BUILD_FAILED_STATUS;
      }
      throw e;
    }
    process.stdout.write(run.stdout);
    if (run.stderr) process.stderr.write(run.stderr);
    explainSilentPanic(run.status, run.stderr);
    return run.status;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keelc-hosted-"));
  try {
    const build = buildHosted(result.files, dir);
    if (!build.ok) {
      console.error(build.log.trimEnd());
      console.error("keelc: the hosted build failed");
      return BUILD_FAILED_STATUS;
    }
    const run = runExecutable(build.exe);
    process.stdout.write(run.stdout);
    if (run.stderr) process.stderr.write(run.stderr);
    explainSilentPanic(run.status, run.stderr);
    return run.status;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Status 3 with no panic line: the panic went to a console without a sink (no serialInit()). */
function explainSilentPanic(status: number, stderr: string): void {
  if (status === PANIC_STATUS && !stderr.includes("panic at "))
    console.error("keelc: the program panicked (status 3), but its console had no sink, so the message was dropped: call serialInit() (kernel/arch/x86_64/serial.ts) first in kernelMain to see it");
}

/** Exit status after a panic: QEMU's (1 << 1) | 1. */
const PANIC_STATUS = 3;
