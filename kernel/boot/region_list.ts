// A list of tagged inclusive ranges [first, last] in increasing order, appended in order by
// the boot sweep (regions.ts). A range that continues the last one (adjacent, same tag)
// extends it, so the list stays maximal. Capacity is fixed when it is created, from the
// number of events the sweep will see, so appending never runs out.
import { u32, u64, type bool } from "../lib/int";
import { U64Array } from "../lib/fixed_array";
import { panic } from "../lib/panic";

/** Sorted, maximal tagged ranges. Invariant: each starts after the previous one ends. */
export class RegionList {
  private readonly firsts: U64Array;
  private readonly lasts: U64Array;
  private readonly tags: U64Array;
  private n: u32 = 0;

  /** An empty list with room for `capacity` ranges. */
  constructor(capacity: u32) {
    this.firsts = new U64Array(capacity, 0n);
    this.lasts = new U64Array(capacity, 0n);
    this.tags = new U64Array(capacity, 0n);
  }

  /** Number of ranges. */
  count(): u64 {
    return u64(this.n);
  }

  /** First value of range `i`. */
  first(i: u64): u64 {
    return this.firsts.get(this.index(i));
  }

  /** Last value of range `i` (inclusive). */
  last(i: u64): u64 {
    return this.lasts.get(this.index(i));
  }

  /** Tag of range `i`. */
  tag(i: u64): u64 {
    return this.tags.get(this.index(i));
  }

  /** Appends [first, last] with `tag`, above every range so far; merges with the last one when it continues it. */
  append(first: u64, last: u64, tag: u64): void {
    if (last < first) panic(`RegionList.append: last ${last} below first ${first}`);
    if (this.n > 0) {
      const prevLast: u64 = this.lasts.get(this.n - 1);
      if (first <= prevLast) panic(`RegionList.append: ${first} does not lie above the last range (ending ${prevLast})`);
      if (first - 1n === prevLast && this.tags.get(this.n - 1) === tag) {
        this.lasts.set(this.n - 1, last);
        return;
      }
    }
    this.firsts.set(this.n, first);
    this.lasts.set(this.n, last);
    this.tags.set(this.n, tag);
    this.n += 1;
  }

  /** The index of the range holding `x`, or count() when none does (binary search). */
  find(x: u64): u64 {
    let lo: u32 = 0;
    let hi: u32 = this.n;
    while (lo < hi) {
      const mid: u32 = lo + ((hi - lo) >> 1);
      if (this.firsts.get(mid) <= x) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0 || this.lasts.get(lo - 1) < x) return u64(this.n);
    return u64(lo - 1);
  }

  /** True when some range holds `x`. */
  holds(x: u64): bool {
    return this.find(x) < u64(this.n);
  }

  private index(i: u64): u32 {
    if (i >= u64(this.n)) panic(`RegionList: range ${i} requested, there are ${this.n}`);
    return u32(i);
  }
}
