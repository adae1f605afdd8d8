// Fixed-capacity arrays: storage that never grows, usable before any heap exists. keelc
// lowers the array to a bounds-checked { length, data } pair whose storage comes from the
// object arena; under Node it is a preallocated JavaScript array filled once. The only array operations used
// are `new Array<T>(n).fill(v)`, index reads and writes with a u32 index, and `.length`.
import type { u32, u64 } from "./int";
import { panic } from "./panic";

/** An array of exactly `capacity` elements. Invariant: the length never changes. */
export abstract class FixedArray<T> {
  private readonly items: T[];

  /** An array of `capacity` elements, each set to `fill`. */
  constructor(capacity: u32, fill: T) {
    this.items = new Array<T>(capacity).fill(fill);
  }

  /** Number of elements (the capacity). */
  length(): u32 {
    return this.items.length;
  }

  /** Element `i`; panics when `i` is out of bounds. */
  get(i: u32): T {
    if (i >= this.items.length) panic(`FixedArray.get: index ${i} out of bounds (length ${this.items.length})`);
    return this.items[i];
  }

  /** Sets element `i`; panics when `i` is out of bounds. */
  set(i: u32, value: T): void {
    if (i >= this.items.length) panic(`FixedArray.set: index ${i} out of bounds (length ${this.items.length})`);
    this.items[i] = value;
  }
}

/** A fixed array of u64. */
export class U64Array extends FixedArray<u64> {}

/** A fixed array of u32. */
export class U32Array extends FixedArray<u32> {}
