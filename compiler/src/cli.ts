// keelc's command line: `keelc [--out DIR] ENTRY.ts`. Exit status 0 on success, 1 when
// there were diagnostics, 2 on a usage error; never a stack trace.
import * as fs from "node:fs";
import * as path from "node:path";
import { compile, formatResult, type CompileResult } from "./compile";
import { writeIfChanged, writeOutputs } from "./output";
import { runCommand } from "./run";
import { serveCommand } from "./server";

const USAGE = "usage: keelc [--out DIR] [--deps FILE.d] ENTRY.ts | keelc run-node FILE.ts | keelc run-hosted FILE.ts | keelc serve [...] | keelc --help | keelc --version";

const HELP = `keelc: the Keel compiler (restricted TypeScript to freestanding C; docs/subset.md)

usage:
  keelc [--out DIR] [--deps FILE.d] ENTRY.ts
                               check ENTRY.ts and what it imports, write one .c per module
                               and keel_program.h to DIR (default build/gen); with --deps, a
                               make rule: FILE (FILE.d without .d) depends on every .ts file
                               of the program
  keelc run-node FILE.ts       compile FILE.ts (it exports kernelMain) and run it through the
                               JavaScript backend on a simulated machine
  keelc run-hosted FILE.ts     compile FILE.ts with the C backend into a hosted executable
                               (gcc, ASan + UBSan) and run it
  keelc serve [--socket PATH] [--idle-minutes N] [--warm ENTRY.ts]
                               stay resident (make serve) and compile for later keelc runs,
                               which then take a fraction of the time; each answer is a
                               complete compilation, byte for byte a cold keelc's; exits when
                               the compiler's sources change or after N idle minutes (120)
  keelc serve --status | --stop
                               ask the server on build/keelc.sock (KEELC_SOCKET) how it is,
                               or stop it; KEELC_SERVER=0 keelc ... never asks a server
  keelc --help, -h             this text
  keelc --version, -V          the compiler's version

exit status: 0 success; 1 diagnostics (file:line:col - error KEELnnnn); 2 usage error;
run-node/run-hosted: the program's status (33 after qemuExit(0x10), 3 after a panic),
125 when it could not be built.`;

/** Where a command's messages go: the terminal, or the client of a resident keelc (server.ts). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const TERMINAL: Io = { out: (t) => console.log(t), err: (t) => console.error(t) };

/** Runs keelc with command-line arguments; returns the exit status. */
export function main(argv: string[], io: Io = TERMINAL, sourceKey = "", compileEntry: (entry: string) => CompileResult = compile): number {
  // `keelc run-node FILE.ts`, `keelc run-hosted FILE.ts`: compile and run (run.ts).
  if (argv[0] === "run-node" || argv[0] === "run-hosted") return runCommand(argv[0], argv.slice(1));
  // `keelc serve`: stay resident and compile for the clients of a socket (server.ts).
  if (argv[0] === "serve") return serveCommand(argv.slice(1), sourceKey);
  let out = "build/gen";
  let deps = "";
  const entries: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--out") out = argv[++i] ?? "";
    else if (a === "--deps") deps = argv[++i] ?? "";
    else if (a === "--help" || a === "-h") {
      io.out(HELP);
      return 0;
    } else if (a === "--version" || a === "-V") {
      io.out(`keelc ${version()}`);
      return 0;
    } else if (a.startsWith("-")) {
      io.err(`keelc: unknown option ${a}\n${USAGE}`);
      return 2;
    } else entries.push(a);
  }
  if (entries.length !== 1 || !out) {
    io.err(`keelc: expected one entry file\n${USAGE}`);
    return 2;
  }
  const entry = entries[0]!;
  if (!fs.existsSync(entry)) {
    io.err(`keelc: ${entry}: no such file`);
    return 2;
  }
  const result = compileEntry(entry);
  const messages = formatResult(result);
  if (messages) io.err(messages);
  if (!result.ok) {
    const n = result.typeErrors.length + result.diagnostics.length;
    io.err(`\nkeelc: ${n} error${n === 1 ? "" : "s"}; no C emitted.`);
    return 1;
  }
  // DIR ends up holding exactly the result; unchanged files keep their time (make and
  // qemu/build-image.sh recompile only the modules whose C changed).
  writeOutputs(out, result.files);
  if (deps) writeIfChanged(deps, depfile(deps.replace(/\.d$/, ""), result.sources));
  return 0;
}

/**
 * A make rule saying that `target` depends on every TypeScript file of the program, and an
 * empty rule per file (as gcc -MP writes), so a deleted file does not stop make.
 */
function depfile(target: string, sources: string[]): string {
  const files = sources.map((f) => path.relative(process.cwd(), f)).filter((f) => !f.startsWith("..") && !f.includes("node_modules")).sort();
  return `${target}: ${files.join(" ")}\n${files.map((f) => `${f}:\n`).join("")}`;
}

/** The version of the package keelc ships in. */
function version(): string {
  const pkg = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "..", "package.json");
  return (JSON.parse(fs.readFileSync(pkg, "utf8")) as { version: string }).version;
}
