// A magazine of free single chunks (Bonwick's slab magazines, Linux's per-CPU page lists):
// the common request, one chunk, is served and given back in O(1) here, and the region
// sets are touched only once per batch, when the magazine runs empty (refill) or full
// (drain). The chunks in it are free memory: the allocator counts them as free and puts
// them back into its region set before any request that could need them.
import type { bool, u32, u64 } from "../../lib/int";
import { U64Array } from "../../lib/fixed_array";
import { panic } from "../../lib/panic";

/** Chunks a magazine holds at most. */
export const MAGAZINE_CAPACITY: u32 = 64;
/** Chunks moved per refill or drain: half the magazine, so alternating requests never thrash. */
export const MAGAZINE_BATCH: u32 = 32;

/** A stack of free chunk numbers. Invariant: `count` <= capacity; each number is free and appears once. */
export class Magazine {
  private readonly chunks: U64Array;
  private count: u32 = 0;

  /** An empty magazine. */
  constructor() {
    this.chunks = new U64Array(MAGAZINE_CAPACITY, 0n);
  }

  /** Chunks held. */
  size(): u32 {
    return this.count;
  }

  /** True when no chunk is held. */
  isEmpty(): bool {
    return this.count === 0;
  }

  /** True when no more chunks fit. */
  isFull(): bool {
    return this.count === MAGAZINE_CAPACITY;
  }

  /** The most recently put chunk, removed (the caller checked `isEmpty`). */
  takeNewest(): u64 {
    if (this.count === 0) return panic("Magazine.takeNewest: empty");
    this.count--;
    return this.chunks.get(this.count);
  }

  /** Adds chunk `num` (the caller checked `isFull`). */
  put(num: u64): void {
    if (this.count === MAGAZINE_CAPACITY) panic("Magazine.put: full");
    this.chunks.set(this.count, num);
    this.count++;
  }

  /** Chunk number `i` (0 = oldest) of those held; for queries and checks. */
  at(i: u32): u64 {
    if (i >= this.count) return panic(`Magazine.at: ${i} of ${this.count}`);
    return this.chunks.get(i);
  }

  /** Removes the oldest `n` chunks (the caller gave them back): the newest, likely still in cache, stay. */
  dropOldest(n: u32): void {
    if (n > this.count) panic(`Magazine.dropOldest: ${n} of ${this.count}`);
    for (let i: u32 = n; i < this.count; i++) this.chunks.set(i - n, this.chunks.get(i));
    this.count -= n;
  }
}
