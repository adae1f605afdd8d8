// Phase 1, load: a ts-morph Project over the entry files and everything they import,
// type-checked by TypeScript itself in strict mode. A program that is not valid
// TypeScript never reaches keelc's own phases.
import { Project, ts, type SourceFile } from "ts-morph";

/** Compiler options every kernel program is checked with (as kernel/tsconfig.json). */
export const KERNEL_COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.esnext.d.ts"],
  types: [],
  noEmit: true,
  noFallthroughCasesInSwitch: true,
  // TypeScript's own lib .d.ts files need no checking on every compile (the kernel has no
  // .d.ts of its own): about half a second of each keelc run.
  skipLibCheck: true,
};

/** The loaded program: its project, entry files, and TypeScript's own errors (formatted). */
export interface LoadedProgram {
  project: Project;
  entries: SourceFile[];
  typeErrors: string[];
  /** No syntax errors: keelc's syntactic checks can run beside TypeScript's errors. */
  parses: boolean;
}

/** Loads and type-checks the program reachable from the entry files. */
export function loadProgram(entryPaths: string[]): LoadedProgram {
  const project = new Project({ compilerOptions: KERNEL_COMPILER_OPTIONS, skipAddingFilesFromTsConfig: true });
  const entries = entryPaths.map((p) => project.addSourceFileAtPath(p));
  project.resolveSourceFileDependencies();
  const diags = project.getPreEmitDiagnostics();
  const typeErrors = diags.map((d) => {
    const text = project.formatDiagnosticsWithColorAndContext([d]).replace(/\x1b\[[0-9;]*m/g, "").trimEnd();
    const hint = kernelHint(d.getCode(), messageText(d.getMessageText()));
    return hint ? `${text}\n  keelc: ${hint}` : text;
  });
  const syntaxErrors = diags.some((d) => d.getCategory() === ts.DiagnosticCategory.Error && d.getCode() < 2000);
  return { project, entries, typeErrors, parses: !syntaxErrors };
}

/** The text of a TypeScript message (its first line when chained). */
function messageText(m: string | { getMessageText(): string }): string {
  return typeof m === "string" ? m : m.getMessageText();
}

/** What kernel code writes instead, for TypeScript errors whose own advice does not fit a kernel. */
export function kernelHint(code: number, message: string): string | null {
  if (/Cannot find name 'console'/.test(message)) return "kernel code prints with print(`…`) and println(`…`) from kernel/lib/console.ts (there is no console object)";
  if (/Cannot find name '(window|document|process|require|setTimeout|fetch)'/.test(message)) return "kernel code runs without a browser or Node: there is no such global";
  if (code === 2365 && /'bigint' and 'number'|'number' and 'bigint'/.test(message))
    return "u64/i64 are bigint and u8…u32/i8…i32 are number: convert one side explicitly, e.g. u64(x) or u32(y) (kernel/lib/int.ts)";
  if ((code === 2322 || code === 2345) && /'number' is not assignable to (type|parameter of type) 'bigint'|'bigint' is not assignable to (type|parameter of type) 'number'/.test(message))
    return "convert explicitly between widths: u64(x), u32(x), … (kernel/lib/int.ts); a 64-bit literal is written 0x1000n";
  return null;
}
