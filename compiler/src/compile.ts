// The compiler's one interface: entry files in, diagnostics and C files out.
//
// The phases, in order, each in its own module with one entry point:
//   1. load      program.ts     loadProgram(entries)       ts-morph project; TypeScript's own errors stop here
//   2. subset    check.ts       checkSourceFile(sf)        syntactic rules of docs/subset.md
//   3. moves     ownership.ts   checkMoves(sf)             exclusivity of owned values: moves, borrows, takes
//   4. init      init_order.ts  checkInitOrder(order)      no initialiser reads a binding before it is initialised
//                               (run by the lowering, on the order it initialises modules in)
//   5. lower     lower.ts       new Lowering().lowerProgram(entry, files)
//                                                          typed IR (ir.ts): widths, classes, generics, checks;
//                               composed of lower_statements.ts, lower_expressions.ts and
//                               lower_classes.ts, each taking a per-function Flow (flow.ts),
//                               the InstanceRegistry (instances.ts) and typeOf (type_of.ts)
//   6. emit      emit_c.ts      emitC(ir)                  C with #line directives (emit_js.ts: the same IR as JavaScript)
import { checkSourceFile } from "./check";
import { Codes, formatDiagnostic, type Diagnostic } from "./diagnostics";
import { emitC, type CFiles } from "./emit_c";
import type { Program } from "./ir";
import { Lowering } from "./lower";
import { checkMoves } from "./ownership";
import { loadProgram } from "./program";

/** Result of a compilation: C files only when there were no errors. */
export interface CompileResult {
  ok: boolean;
  /** TypeScript's own errors, formatted as tsc prints them. */
  typeErrors: string[];
  /** keelc's diagnostics. */
  diagnostics: Diagnostic[];
  ir: Program | null;
  files: CFiles;
  /** Every TypeScript file of the program (its imports, transitively), as loaded. */
  sources: string[];
}

/** Compiles the kernel program rooted at `entryPath` to C. Never throws on bad input. */
export function compile(entryPath: string): CompileResult {
  const result: CompileResult = { ok: false, typeErrors: [], diagnostics: [], ir: null, files: new Map(), sources: [] };
  try {
    const loaded = loadProgram([entryPath]);
    result.typeErrors = loaded.typeErrors;
    const sources = loaded.project.getSourceFiles();
    result.sources = sources.map((sf) => sf.getFilePath());
    // The subset's syntactic rules need no types: report them in the same run as
    // TypeScript's own errors, whenever the files parse.
    if (loaded.typeErrors.length > 0 && !loaded.parses) return result;
    for (const sf of sources) result.diagnostics.push(...checkSourceFile(sf));
    if (result.diagnostics.length > 0 || loaded.typeErrors.length > 0) return result;
    for (const sf of sources) result.diagnostics.push(...checkMoves(sf));
    if (result.diagnostics.length > 0) return result;
    const lowering = new Lowering();
    const ir = lowering.lowerProgram(loaded.entries[0]!, sources);
    result.diagnostics.push(...lowering.diagnostics);
    if (!ir) return result;
    result.ir = ir;
    result.files = emitC(ir);
    result.ok = true;
  } catch (e) {
    // A compiler bug must still come out as a diagnostic, never as a stack trace.
    result.diagnostics.push({
      code: Codes.InternalError,
      message: `internal compiler error: ${e instanceof Error ? e.message : String(e)}`,
      file: entryPath,
      line: 1,
      column: 1,
      length: 1,
      sourceLine: "",
    });
  }
  return result;
}

/** All messages of a result, formatted for a terminal. */
export function formatResult(r: CompileResult): string {
  const sorted = [...r.diagnostics].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return [...r.typeErrors, ...sorted.map(formatDiagnostic)].join("\n\n");
}
