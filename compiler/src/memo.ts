// Memoisation of pure queries about the program's syntax tree and types. A compilation asks
// the same questions many times (the ownership check runs loop bodies twice, every use of a
// class asks for its fields): each answer is computed once per compilation. Keys are the
// tree's objects (ts-morph wrappers or TypeScript nodes and types) in WeakMaps, so a new
// compilation (a fresh project, as the resident keelc makes for every request) starts empty.
// A query that throws (a diagnostic) is not remembered: the next call throws the same way.
import type { Node, Symbol as TsSymbol, Type } from "ts-morph";

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

/** The type TypeScript gives a node (`node.getType()`), asked once per node. */
export const typeOfNode = memoByObject((node: Node): Type => node.getType());

/** The symbol a node names (`node.getSymbol()`), asked once per node. */
export const symbolOfNode = memoByObject((node: Node): TsSymbol | undefined => node.getSymbol());

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
