// The oracle: the third execution of a kernel program, its TypeScript as written. Each
// module is transformed (transform.ts: integer operators and conversions checked, nothing
// else changed), transpiled by TypeScript to an ES module and run by Node itself: module
// evaluation order, import cycles (a read before initialisation is a ReferenceError), `using`
// and classes are JavaScript's own. Intrinsics go to the HostMachine of `keelc run-node`
// (compiler/src/hosted.ts, the twin of the hosted C runtime), so output, exit status and the
// echoed panic line compare byte for byte with the two backends.
//
// Each program gets its own copy of its modules (fresh module state, as a fresh process).
// The programs of one Oracle run in one Node process of their own (driver.ts), one after
// the other: the test runner's module loader is not the one that runs them.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { Project } from "ts-morph";
import ts from "typescript";
import { RUNTIME_MODULE, resolveRelativeImport, transformSource } from "./transform";

/** How one execution ended (the shape of the harness's outcomes). */
export interface OracleOutcome {
  stdout: string;
  stderr: string;
  status: number;
}

export { UNCAUGHT_STATUS } from "./driver";

const ROOT = process.cwd();
const INTRINSICS = path.join("kernel", "lib", "intrinsics.ts");
const CONSOLE = path.join("kernel", "lib", "console.ts");
/** Library modules whose bodies are the as-written meaning of the builtins (u8(), hex(), …):
 *  their calls are replaced at the call site (or, for print, its loop over a string is
 *  JavaScript's; rangeIterator is Node-only), so their own arithmetic stays unchecked. */
const AS_WRITTEN = ["int.ts", "fmt.ts", "console.ts", "callsite.ts", "iter.ts"].map((f) => path.join("kernel", "lib", f));
const RUNTIME_TS = path.join(path.dirname(new URL(import.meta.url).pathname), "runtime.ts");
const OUT = path.join(ROOT, "build", "oracle", `p${process.pid}`);

const EMIT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  useDefineForClassFields: true,
  isolatedModules: true,
  noLib: true,
  noResolve: true,
  types: [],
  // Emit only: without it, TypeScript type-checks every file before emitting it (its emit
  // resolver asks for the file's diagnostics), about 40% of the oracle's transpiling, and
  // the output is the same (every module of the corpus compared byte for byte).
  noCheck: true,
};

/** TypeScript's own emit (types erased, `using` lowered to try/finally as tsc does for
 *  ES2022) of many files at once: one compiler program is much faster than one per file. */
export function transpileAll(files: Map<string, string>): Map<string, string> {
  const host = ts.createCompilerHost(EMIT_OPTIONS);
  host.getSourceFile = (name, target) => (files.has(name) ? ts.createSourceFile(name, files.get(name)!, target) : undefined);
  host.fileExists = (name) => files.has(name);
  host.readFile = (name) => files.get(name);
  const out = new Map<string, string>();
  host.writeFile = (name, text) => out.set(name.replace(/\.js$/, ".ts"), text);
  const r = ts.createProgram([...files.keys()], { ...EMIT_OPTIONS, outDir: undefined }, host).emit();
  if (r.emitSkipped) throw new Error("oracle: TypeScript did not emit the transformed program");
  return out;
}

/** The module standing in for kernel/lib/intrinsics.ts: each declared intrinsic calls the machine. */
function intrinsicsModule(sf: ts.SourceFile): string {
  const names = sf.statements.filter(ts.isFunctionDeclaration).map((f) => f.name!.text);
  return [
    "const machine = globalThis.__keelOracleMachine;",
    ...names.map((n) => `export function ${n}(...args) { return machine(${JSON.stringify(n)}, args); }`),
  ].join("\n");
}

let runtimeText: string | null = null;
/** The per-program runtime module: runtime.ts, on the program's console and machine. */
function runtimeModule(consoleRel: string, intrinsicsRel: string): string {
  return (runtimeText ??= [
    `import { writeByte } from ${JSON.stringify(consoleRel)};`,
    `import { qemuExit } from ${JSON.stringify(intrinsicsRel)};`,
    transpileAll(new Map([["/runtime.ts", fs.readFileSync(RUNTIME_TS, "utf8")]])).get("/runtime.ts")!,
    "export const __keel = makeRuntime(writeByte, qemuExit);",
  ].join("\n"));
}

/** Programs transformed and ready to run: per entry, its modules' JavaScript by relative path. */
export class Oracle {
  private readonly programs = new Map<string, Map<string, string>>();
  /** Transform failures (the oracle's own gaps), by entry. */
  readonly errors = new Map<string, string>();

  /** Transforms the programs (one ts-morph project for all; shared modules transformed once). */
  constructor(entries: string[]) {
    // Kernel programs need only the language's own library: no @types/node to check.
    const project = new Project({
      compilerOptions: { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ["lib.esnext.d.ts"], types: [], noEmit: true, allowImportingTsExtensions: true },
    });
    const sfs = entries.map((e) => project.addSourceFileAtPath(e));
    // The runtime module writes panics through the console and stops through the machine.
    const always = [CONSOLE, INTRINSICS].map((f) => project.addSourceFileAtPath(path.join(ROOT, f)).compilerNode);
    project.resolveSourceFileDependencies();
    // ts-morph carries its own copy of the compiler (the same version as `typescript`, pinned
    // together in package.json): its checker is this one, and tsc gives up comparing the two
    // copies' declarations structurally (TS2321), so say so.
    const checker = project.getTypeChecker().compilerObject as unknown as ts.TypeChecker;
    // Each module once (the library is shared by every program), then one emit for all.
    const tsText = new Map<string, string>();
    const closures = new Map<string, string[]>();
    entries.forEach((entry, i) => {
      try {
        const seen = new Set<string>();
        const visit = (sf: ts.SourceFile) => {
          const rel = path.relative(ROOT, sf.fileName);
          if (seen.has(rel)) return;
          seen.add(rel);
          if (rel !== INTRINSICS && !tsText.has(sf.fileName)) {
            const runtimeRel = path.relative(path.dirname(rel), RUNTIME_MODULE).split(path.sep).join("/");
            tsText.set(sf.fileName, transformSource(sf, checker, ROOT, runtimeRel.startsWith(".") ? runtimeRel : `./${runtimeRel}`, !AS_WRITTEN.includes(rel)));
          }
          for (const st of sf.statements) {
            if ((ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
              const target = project.getSourceFile(resolveRelativeImport(sf.fileName, st.moduleSpecifier.text));
              if (target) visit(target.compilerNode);
            }
          }
        };
        visit(sfs[i]!.compilerNode);
        always.forEach(visit);
        closures.set(entry, [...seen]);
      } catch (e) {
        this.errors.set(entry, e instanceof Error ? (e instanceof RangeError ? String(e.stack) : e.message) : String(e));
      }
    });
    const js = transpileAll(tsText);
    const intrinsics = intrinsicsModule(project.getSourceFileOrThrow(path.join(ROOT, INTRINSICS)).compilerNode);
    const runtime = runtimeModule(`./${CONSOLE.replace(/\.ts$/, ".mjs")}`, `./${INTRINSICS.replace(/\.ts$/, ".mjs")}`);
    for (const [entry, rels] of closures) {
      const files = new Map<string, string>(rels.map((rel) => [rel, rel === INTRINSICS ? intrinsics : js.get(path.join(ROOT, rel))!]));
      files.set(RUNTIME_MODULE, runtime);
      this.programs.set(entry, files);
    }
  }

  /** The transformed JavaScript of one module of a program (for tests and debugging). */
  moduleText(entry: string, file: string): string | undefined {
    return this.programs.get(entry)?.get(file);
  }

  /** Runs one program as written. The first call runs every program of this oracle, in one
   *  Node process of its own (driver.ts), and later calls take their outcome from it. */
  run(entry: string): Promise<OracleOutcome> {
    if (!this.programs.has(entry)) return Promise.reject(new Error(`the oracle could not transform ${entry}: ${this.errors.get(entry) ?? "not prepared"}`));
    this.outcomes ??= this.runAll();
    return this.outcomes.then((all) => all.get(entry)!);
  }

  private outcomes: Promise<Map<string, OracleOutcome>> | null = null;

  private async runAll(): Promise<Map<string, OracleOutcome>> {
    const dir = path.join(OUT, String(batches++));
    fs.rmSync(dir, { recursive: true, force: true });
    const jobs: Job[] = [];
    [...this.programs].forEach(([entry, files], i) => {
      for (const [rel, text] of files) {
        const file = path.join(dir, String(i), rel.replace(/\.ts$/, ".mjs"));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      }
      jobs.push({ entry, module: pathToFileURL(path.join(dir, String(i), entry.replace(/\.ts$/, ".mjs"))).href });
    });
    const manifest = path.join(dir, "jobs.json");
    fs.writeFileSync(manifest, JSON.stringify(jobs));
    try {
      const out = await node([DRIVER, manifest, path.join(dir, "outcomes.json")]);
      if (out.status !== 0) throw new Error(`the oracle's driver failed (status ${out.status}):\n${out.log}`);
      const outcomes = JSON.parse(fs.readFileSync(path.join(dir, "outcomes.json"), "utf8")) as Record<string, OracleOutcome>;
      return new Map(Object.entries(outcomes));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** One program for the driver: its entry (as the harness names it) and its module's URL. */
export interface Job {
  entry: string;
  module: string;
}

let batches = 0;
const DRIVER = path.join(path.dirname(new URL(import.meta.url).pathname), "driver.ts");

/** Runs Node (with tsx, for the host machine's TypeScript) on arguments; stdout and stderr as a log. */
function node(args: string[]): Promise<{ status: number; log: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--import", "tsx", "--stack-size=4000", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    p.stdout.on("data", (d) => (log += d));
    p.stderr.on("data", (d) => (log += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), 600_000);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, log: log + (signal ? `killed by ${signal}` : "") });
    });
  });
}
