// Early region storage: a sorted fixed-capacity array of disjoint regions of chunk numbers,
// usable before any heap exists. Lookups are binary searches; insert and remove shift.
import type { u32, u64 } from "../../lib/int";
import { U32Array, U64Array } from "../../lib/fixed_array";
import { panic } from "../../lib/panic";

/** The handle meaning "no region". */
export const NO_REGION: u32 = 0;

/**
 * Regions [first, last] sorted by first. A handle is index + 1 (0 is NO_REGION) and is
 * valid until the next insert or remove. Invariant: regions are disjoint and sorted.
 */
export class RegionArray {
  private readonly firsts: U64Array;
  private readonly lasts: U64Array;
  private count: u32 = 0;

  /** An empty array with room for `capacity` regions. */
  constructor(capacity: u32) {
    this.firsts = new U64Array(capacity, 0n);
    this.lasts = new U64Array(capacity, 0n);
  }

  /** Number of regions. */
  size(): u32 {
    return this.count;
  }

  /** Maximum number of regions. */
  capacity(): u32 {
    return this.firsts.length();
  }

  /** First chunk number of region `h`. */
  first(h: u32): u64 {
    return this.firsts.get(h - 1);
  }

  /** Last chunk number of region `h`. */
  last(h: u32): u64 {
    return this.lasts.get(h - 1);
  }

  /** The region with the greatest first <= n, or NO_REGION. */
  floor(n: u64): u32 {
    return this.countAtOrBelow(n);
  }

  /** The region with the least first >= n, or NO_REGION. */
  ceiling(n: u64): u32 {
    const below: u32 = n === 0n ? 0 : this.countAtOrBelow(n - 1n);
    return below < this.count ? below + 1 : NO_REGION;
  }

  /** Inserts [first, last], disjoint from every region; panics when full. */
  insert(first: u64, last: u64): void {
    if (this.count === this.firsts.length()) panic(`RegionArray.insert: full (capacity ${this.count})`);
    const at: u32 = this.countAtOrBelow(first);
    for (let i: u32 = this.count; i > at; i--) {
      this.firsts.set(i, this.firsts.get(i - 1));
      this.lasts.set(i, this.lasts.get(i - 1));
    }
    this.firsts.set(at, first);
    this.lasts.set(at, last);
    this.count++;
  }

  /** Narrows region `h` to [first, last], which must lie inside it (the order stays: nothing moves). */
  shrink(h: u32, first: u64, last: u64): void {
    if (first < this.first(h) || last > this.last(h) || first > last) panic(`RegionArray.shrink: ${first}..=${last} is not inside region ${this.first(h)}..=${this.last(h)}`);
    this.firsts.set(h - 1, first);
    this.lasts.set(h - 1, last);
  }

  /** Removes the region starting at `first`; panics when there is none. */
  remove(first: u64): void {
    const h = this.floor(first);
    if (h === NO_REGION || this.first(h) !== first) panic(`RegionArray.remove: no region starts at ${first}`);
    for (let i: u32 = h; i < this.count; i++) {
      this.firsts.set(i - 1, this.firsts.get(i));
      this.lasts.set(i - 1, this.lasts.get(i));
    }
    this.count--;
  }

  /** Drops every region (the storage stays, for reuse). */
  clear(): void {
    this.count = 0;
  }

  /**
   * How many regions have first <= n (binary search). Boot adds the memory map's regions in
   * order, so n at or above the highest region (all of them) is answered first, in one
   * comparison.
   */
  private countAtOrBelow(n: u64): u32 {
    if (this.count === 0 || this.firsts.get(this.count - 1) <= n) return this.count;
    let lo: u32 = 0;
    let hi: u32 = this.count - 1;
    while (lo < hi) {
      const mid: u32 = lo + ((hi - lo) >> 1);
      if (this.firsts.get(mid) <= n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
