// Iteration over range classes. keelc lowers `for (const x of r)` on a class with
// `iterLength()`/`iterAt(i)` to a counted loop; this generator is only what Node runs,
// through the class's `[Symbol.iterator]` which delegates here.
import type { u64 } from "./int";

/** What a `for…of`-iterable range class provides. */
export interface CountedIterable<T> {
  /** Number of elements. */
  iterLength(): u64;
  /** Element at index i (0 <= i < iterLength()). */
  iterAt(i: u64): T;
}

/** A JavaScript iterator over a counted iterable (Node only; keelc ignores it). */
export function* rangeIterator<T>(r: CountedIterable<T>): Generator<T, void, undefined> {
  const n = r.iterLength();
  for (let i = 0n; i < n; i++) yield r.iterAt(i);
}
