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
};

/** The loaded program: its project, entry files, and TypeScript's own errors (formatted). */
export interface LoadedProgram {
  project: Project;
  entries: SourceFile[];
  typeErrors: string[];
}

/** Loads and type-checks the program reachable from the entry files. */
export function loadProgram(entryPaths: string[]): LoadedProgram {
  const project = new Project({ compilerOptions: KERNEL_COMPILER_OPTIONS, skipAddingFilesFromTsConfig: true });
  const entries = entryPaths.map((p) => project.addSourceFileAtPath(p));
  project.resolveSourceFileDependencies();
  const diags = project.getPreEmitDiagnostics();
  const typeErrors = diags.map((d) => project.formatDiagnosticsWithColorAndContext([d]).replace(/\x1b\[[0-9;]*m/g, "").trimEnd());
  return { project, entries, typeErrors };
}
