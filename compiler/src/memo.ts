// Memoisation of pure queries about the program's syntax tree and types. A compilation asks
// the same questions many times (the ownership check runs loop bodies twice, every use of a
// class asks for its fields): each answer is computed once per compilation. Keys are the
// tree's objects (ts-morph wrappers or TypeScript nodes and types) in WeakMaps, so a new
// compilation (a fresh project, as the resident keelc makes for every request) starts empty.
// A query that throws (a diagnostic) is not remembered: the next call throws the same way.
import { ts, type Node, type Type } from "ts-morph";
import { checkerOf, wrapType } from "./tree";

/** `fn`, computing its answer once per key object. */
export function memoByObject<K extends object, V>(fn: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key: K): V => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = fn(key);
    cache.set(key, value);
    return value;
  };
}

// The type and symbol of a node are remembered by TypeScript's node, so the phases that walk
// ts-morph's wrappers (the lowering) and those that walk TypeScript's nodes (the ownership
// check) share the answers: asking TypeScript again for an expression's type repeats its
// flow analysis.
const typeByTsNode = new WeakMap<ts.Node, ts.Type>();
/** null: the node names no symbol. */
const symbolByTsNode = new WeakMap<ts.Node, ts.Symbol | null>();

/** The type TypeScript gives a node (`checker.getTypeAtLocation(n)`), asked once per node. */
export function typeOfTsNode(checker: ts.TypeChecker, n: ts.Node): ts.Type {
  let t = typeByTsNode.get(n);
  if (t === undefined) typeByTsNode.set(n, (t = checker.getTypeAtLocation(n)));
  return t;
}

/** The symbol a node names, found as ts-morph's `node.getSymbol()` finds it, asked once per node. */
export function symbolOfTsNode(checker: ts.TypeChecker, n: ts.Node): ts.Symbol | undefined {
  let s = symbolByTsNode.get(n);
  if (s === undefined) {
    const name = (n as { name?: ts.Node }).name;
    s = (n as { symbol?: ts.Symbol }).symbol ?? checker.getSymbolAtLocation(n) ?? (name ? symbolOfTsNode(checker, name) : undefined) ?? null;
    symbolByTsNode.set(n, s);
  }
  return s ?? undefined;
}

/**
 * The symbol `node` (or `at`, a TypeScript node of its file) names, an import followed to
 * the symbol it imports (ts-morph's getSymbol() and getAliasedSymbol()), without ts-morph's
 * Symbol wrappers: one wraps every declaration of its symbol when made (for an imported
 * name, the import specifier too).
 */
export function importedSymbolOf(node: Node, at: ts.Node = node.compilerNode): ts.Symbol | undefined {
  const checker = checkerOf(node);
  const sym = symbolOfTsNode(checker, at);
  return sym && (sym.flags & ts.SymbolFlags.Alias) === ts.SymbolFlags.Alias ? (checker.getAliasedSymbol(sym) ?? sym) : sym;
}

/** The type TypeScript gives a node (`node.getType()`), asked once per node. */
export const typeOfNode = memoByObject((node: Node): Type => {
  const known = typeByTsNode.get(node.compilerNode);
  if (known) return wrapType(node, known);
  const t = node.getType();
  typeByTsNode.set(node.compilerNode, t.compilerType);
  return t;
});

/** `fn`, computing its answer once per key object and string. */
export function memoByObjectAndKey<K extends object, V>(fn: (key: K, sub: string) => V): (key: K, sub: string) => V {
  const cache = new WeakMap<K, Map<string, V>>();
  return (key: K, sub: string): V => {
    let known = cache.get(key);
    if (!known) cache.set(key, (known = new Map()));
    if (known.has(sub)) return known.get(sub) as V;
    const value = fn(key, sub);
    known.set(sub, value);
    return value;
  };
}
