// Differential harness: compile programs once, run each through the JavaScript backend
// (in this process, on the HostMachine of `keelc run-node`), through the C backend (a
// hosted gcc build with ASan/UBSan, as `keelc run-hosted`) and as the TypeScript it is
// (test/oracle: the source run by Node, integer operations checked, not through keelc),
// and return the three outcomes.
//
// Compiling: `compile()` builds a fresh ts-morph Project per program (~0.5 s, mostly
// type-checking lib.esnext.d.ts). For hundreds of programs, compileBatch loads them all in
// one Project and then runs the very phases of compile() (check, lower, emit) per entry on
// that entry's own files; a test checks that it gives the C of compile() exactly.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SourceFile } from "ts-morph";
import { checkSourceFile } from "../../compiler/src/check";
import { formatDiagnostic } from "../../compiler/src/diagnostics";
import { emitC, type CFiles } from "../../compiler/src/emit_c";
import { emitJs } from "../../compiler/src/emit_js";
import { HOSTED_CFLAGS, HOSTED_ENV, HOSTED_RUNTIME_DIR, hostedGccArgs, runJsText, type RunResult } from "../../compiler/src/hosted";
import type { Program } from "../../compiler/src/ir";
import { Lowering } from "../../compiler/src/lower";
import { checkMoves } from "../../compiler/src/ownership";
import { loadProgram } from "../../compiler/src/program";
import type { Oracle } from "../oracle";

export interface Compiled {
  entry: string;
  ir: Program | null;
  files: CFiles;
  /** Diagnostics and internal errors, formatted; empty when ok. */
  errors: string;
}

/** The source files a program consists of: the entry and what it imports, transitively. */
function closure(entry: SourceFile): SourceFile[] {
  const seen = new Set<SourceFile>();
  const visit = (sf: SourceFile) => {
    if (seen.has(sf)) return;
    seen.add(sf);
    for (const d of [...sf.getImportDeclarations(), ...sf.getExportDeclarations()]) {
      const t = d.getModuleSpecifierSourceFile();
      if (t) visit(t);
    }
  };
  visit(entry);
  return [...seen];
}

/** Compiles many programs with one TypeScript project (the phases of compile(), the move check included). */
export function compileBatch(entries: string[]): Map<string, Compiled> {
  const out = new Map<string, Compiled>();
  const loaded = loadProgram(entries);
  const typeErrors = loaded.typeErrors.join("\n");
  loaded.entries.forEach((sf, i) => {
    const entry = entries[i]!;
    const c: Compiled = { entry, ir: null, files: new Map(), errors: "" };
    out.set(entry, c);
    const files = closure(sf);
    const mine = typeErrors && files.some((f) => typeErrors.includes(path.relative(process.cwd(), f.getFilePath())));
    if (mine) {
      c.errors = typeErrors;
      return;
    }
    try {
      const diags = files.flatMap((f) => checkSourceFile(f));
      if (diags.length === 0) diags.push(...files.flatMap((f) => checkMoves(f)));
      const lowering = new Lowering();
      const ir = diags.length ? null : lowering.lowerProgram(sf, files);
      diags.push(...lowering.diagnostics);
      if (diags.length || !ir) {
        c.errors = diags.map(formatDiagnostic).join("\n\n") || "lowering failed";
        return;
      }
      c.ir = ir;
      c.files = emitC(ir);
    } catch (e) {
      c.errors = `internal compiler error: ${e instanceof Error ? e.stack : String(e)}`;
    }
  });
  return out;
}

export interface Outcome {
  stdout: string;
  stderr: string;
  status: number;
}

function text(r: RunResult): Outcome {
  return { stdout: r.stdout.toString("utf8"), stderr: r.stderr, status: r.status };
}

/** Runs a program through the JS backend. */
export function runNode(c: Compiled): Outcome {
  return text(runJsText(emitJs(c.ir!), path.basename(c.entry).replace(/\.ts$/, ".js")));
}

const BUILD_ROOT = path.join("build", "differential", "hosted");

/** Builds and runs a program natively (hosted, sanitizers on); the build failing is an error. */
export async function runHosted(c: Compiled): Promise<Outcome> {
  const dir = path.join(BUILD_ROOT, c.entry.replace(/\.ts$/, "").replace(/[^A-Za-z0-9_]+/g, "_"));
  fs.rmSync(dir, { recursive: true, force: true });
  const args = unityArgs(hostedGccArgs(c.files, dir, await runtimeObject()), dir);
  const build = await inWorker(() => gcc(args));
  if (!build.ok) throw new Error(`hosted build of ${c.entry} failed:\n${build.log}`);
  return await exec(path.resolve(dir, "program"));
}

/**
 * `keelc run-hosted`'s gcc arguments for one translation unit that includes the program's C
 * files (as the kernel images are built: keelc's C is made for a unity build), with line
 * tables only (-g1: a sanitizer's report still names file:line; the variables' debug
 * information is what goes). Hundreds of programs are built per run, most of them a few
 * lines: one compiler run instead of one per module, and less DWARF, halve gcc's time.
 */
function unityArgs(args: string[], dir: string): string[] {
  const units = args.filter((a) => a.endsWith(".c") && path.dirname(a) === dir);
  if (units.length === 0) throw new Error(`no C files of the program in the build arguments: ${args.join(" ")}`);
  const unity = path.join(dir, "keel_unity.c");
  fs.writeFileSync(unity, units.map((u) => `#include "${path.basename(u)}"\n`).join(""));
  return [...args.filter((a) => !units.includes(a)).map((a) => (a === "-g" ? "-g1" : a)), unity];
}

let runtime: Promise<string> | null = null;
/** The hosted runtime, compiled once per test process. */
function runtimeObject(): Promise<string> {
  runtime ??= (async () => {
    const obj = path.resolve(BUILD_ROOT, `keel_hosted.${process.pid}.o`);
    fs.mkdirSync(BUILD_ROOT, { recursive: true });
    const r = await gcc([...HOSTED_CFLAGS, "-Iboot/runtime", "-c", path.join(HOSTED_RUNTIME_DIR, "keel_hosted.c"), "-o", obj]);
    if (!r.ok) throw new Error(`the hosted runtime does not build:\n${r.log}`);
    return obj;
  })();
  return runtime;
}

function gcc(args: string[]): Promise<{ ok: boolean; log: string }> {
  return new Promise((resolve) => {
    const p = spawn("gcc", args, { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    p.stdout.on("data", (d) => (log += d));
    p.stderr.on("data", (d) => (log += d));
    p.on("close", (code) => resolve({ ok: code === 0 && log === "", log }));
    p.on("error", (e) => resolve({ ok: false, log: String(e) }));
  });
}

function exec(exe: string): Promise<Outcome> {
  return inWorker(
    () =>
      new Promise((resolve) => {
        const p = spawn(exe, [], { env: HOSTED_ENV, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        let err = "";
        const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
        p.stdout.on("data", (d: Buffer) => out.push(d));
        p.stderr.on("data", (d) => (err += d));
        p.on("close", (code, signal) => {
          clearTimeout(timer);
          resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: err, status: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1) });
        });
      }),
  );
}

// A small pool: at most as many gcc/program processes as cores.
const LIMIT = Math.max(2, os.cpus().length);
let running = 0;
const waiting: (() => void)[] = [];
async function inWorker<T>(f: () => Promise<T>): Promise<T> {
  if (running >= LIMIT) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

let turns: Promise<unknown> = Promise.resolve();

/**
 * Runs a synchronous step of a concurrent test in turn with the other tests' steps, each in
 * its own timer callback. Concurrent tests start together, so their synchronous first steps
 * would otherwise run back to back in one macrotask; a worker blocked for 60 s cannot answer
 * vitest's runner and fails the whole run ("Timeout calling onTaskUpdate"). Between two
 * turns the event loop goes round, its poll phase included.
 */
export function inTurn<T>(step: () => T): Promise<T> {
  const result = turns.then(() => new Promise<T>((resolve, reject) => setTimeout(() => {
    try {
      resolve(step());
    } catch (e) {
      reject(e);
    }
  }, 0)));
  turns = result.catch(() => undefined);
  return result;
}

/** Both backends' executions of one compiled program. */
export async function runBoth(c: Compiled): Promise<{ node: Outcome; hosted: Outcome }> {
  if (!c.ir) throw new Error(`${c.entry} did not compile:\n${c.errors}`);
  const node = await inTurn(() => runNode(c));
  const hosted = await runHosted(c);
  return { node, hosted };
}

/** The three executions of one program: both backends and the oracle (prepared with it). */
export async function runThree(c: Compiled, oracle: Oracle): Promise<{ node: Outcome; hosted: Outcome; oracle: Outcome }> {
  const asWritten = await oracle.run(c.entry);
  const { node, hosted } = await runBoth(c);
  return { node, hosted, oracle: asWritten };
}
