// Line numbers of positions, by binary search in a table of the file's newlines built once
// per file text. ts-morph's getStartLineNumber counts the newlines from the file's start on
// every call, which made the lowering's #line directives quadratic in the file's length
// (about a fifth of a second of every kernel compilation).
import type { Node, SourceFile } from "ts-morph";

const newlines = new WeakMap<object, { text: string; at: Int32Array }>();

/** Positions of every '\n' of `text`, cached per compiler source file (and its text). */
function newlinesOf(key: object, text: string): Int32Array {
  const cached = newlines.get(key);
  if (cached && cached.text === text) return cached.at;
  const at: number[] = [];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) at.push(i);
  const table = Int32Array.from(at);
  newlines.set(key, { text, at: table });
  return table;
}

/**
 * The 1-based line of a node's start: one more than the number of '\n' before it, exactly
 * as ts-morph's getStartLineNumber() counts (and as gcc and DWARF number lines).
 */
export function startLineOf(node: Node): number {
  return lineAt(node.getSourceFile(), node.getStart());
}

/** 1-based line and column of a position, as ts-morph's getLineAndColumnAtPos() says (a line starts after '\n' or '\r'). */
export function lineAndColumnAt(file: SourceFile, pos: number): { line: number; column: number } {
  const text = file.compilerNode.text;
  let lineStart = pos;
  while (lineStart > 0 && text.charCodeAt(lineStart - 1) !== 10 && text.charCodeAt(lineStart - 1) !== 13) lineStart--;
  return { line: lineAt(file, pos), column: pos - lineStart + 1 };
}

/** 1-based line of a position: one more than the number of '\n' before it. */
function lineAt(file: SourceFile, pos: number): number {
  const sf = file.compilerNode;
  const at = newlinesOf(sf, sf.text);
  let lo = 0;
  let hi = at.length; // count of newlines < pos = first index with at[i] >= pos
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at[mid]! < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}
