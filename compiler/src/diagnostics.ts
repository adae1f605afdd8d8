// Diagnostics: one table of stable codes shared by every phase (as AssemblyScript keeps
// one), and TypeScript-style formatting `file:line:col - error KEELnnnn: message` with a
// code frame.
import * as path from "node:path";
import type { Node, SourceFile } from "ts-morph";
import { lineAndColumnAt } from "./lines";
import { memoByObject } from "./memo";

/** Every diagnostic keelc can report, by stable code. */
export const Codes = {
  TypeScriptError: 1000,
  Unsupported: 1001,
  AnyType: 1002,
  Closure: 1003,
  Exception: 1004,
  Async: 1005,
  DynamicAccess: 1006,
  RegExp: 1007,
  Eval: 1008,
  GrowingArray: 1009,
  FloatingPoint: 1010,
  UnsizedInteger: 1011,
  WidthMismatch: 1012,
  LiteralOutOfRange: 1013,
  UntypedLiteral: 1014,
  TemplateOutsideSink: 1015,
  UnknownCallee: 1016,
  MissingEntry: 1017,
  MissingAnnotation: 1018,
  UnsupportedType: 1019,
  AssignmentInExpression: 1020,
  IdentityComparison: 1021,
  UseAfterMove: 1022,
  ReferenceSemantics: 1023,
  UnknownMember: 1024,
  Generator: 1025,
  InitOrder: 1026,
  SecondReference: 1027,
  InternalError: 9999,
} as const;
export type Code = (typeof Codes)[keyof typeof Codes];

/** A located compiler message. */
export interface Diagnostic {
  code: number;
  message: string;
  file: string; // path relative to the working directory
  line: number; // 1-based
  column: number; // 1-based
  length: number;
  sourceLine: string;
  related?: Diagnostic[];
}

/** Path of a source file as diagnostics and #line directives print it. */
export const displayPath = memoByObject((sf: SourceFile): string => path.relative(process.cwd(), sf.getFilePath()).split(path.sep).join("/"));

/** Builds a diagnostic pointing at a node. */
export function diagnosticAt(node: Node, code: number, message: string): Diagnostic {
  const sf = node.getSourceFile();
  const start = node.getStart();
  const { line, column } = lineAndColumnAt(sf, start);
  const text = sf.getFullText();
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  let lineEnd = text.indexOf("\n", start);
  if (lineEnd < 0) lineEnd = text.length;
  const length = Math.max(1, Math.min(node.getEnd(), lineEnd) - start);
  return { code, message, file: displayPath(sf), line, column, length, sourceLine: text.slice(lineStart, lineEnd) };
}

/** `file:line:col` of a node, as panics and checks print it. */
export function locationOf(node: Node): string {
  const sf = node.getSourceFile();
  const { line, column } = lineAndColumnAt(sf, node.getStart());
  return `${displayPath(sf)}:${line}:${column}`;
}

/** Formats one diagnostic with its code frame, as `tsc --pretty false` plus a frame. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column} - error KEEL${d.code}: ${d.message}`;
  const gutter = String(d.line);
  const frame = [
    "",
    `${gutter} ${d.sourceLine.replace(/\t/g, " ")}`,
    `${" ".repeat(gutter.length)} ${" ".repeat(d.column - 1)}${"~".repeat(d.length)}`,
    "",
  ];
  const related = (d.related ?? []).map((r) => `  ${r.file}:${r.line}:${r.column}: ${r.message}`);
  return [head, ...frame, ...related].join("\n");
}

/** Thrown inside a phase to abandon the current construct; the phase records it and goes on. */
export class CompileError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/** Throws a CompileError at a node. */
export function fail(node: Node, code: number, message: string): never {
  throw new CompileError(diagnosticAt(node, code, message));
}
