// A set of disjoint regions of chunk numbers, the allocators' only metadata: one entry
// per region, never per chunk. Early it lives in a fixed array; `upgrade` moves it into a
// tree whose nodes come from a heap. The merging and splitting logic here serves both.
import type { bool, u32, u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import { NO_FIT, fitInRegion } from "./fit";
import type { NodePool } from "./node_pool";
import { NO_REGION, RegionArray } from "./region_array";
import { RegionTree } from "./region_tree";

/** Outcome of `RegionSet.take`. */
export const enum TakeStatus {
  /** The chunks were in the set and are now removed from it. */
  Taken = 0,
  /** Some of the chunks are not in the set. */
  NotInSet = 1,
  /** Taking them would split a region and there is no room for the second half. */
  NoRoom = 2,
}

/**
 * Disjoint regions [first, last] of chunk numbers, merged whenever they touch. Handles
 * (NO_REGION for none) name a region until the next change. Invariants: no two regions
 * overlap or touch; `chunks` is the sum of their sizes.
 */
export class RegionSet {
  private readonly name: string;
  private early: RegionArray;
  private tree: RegionTree | null = null;
  private chunks: u64 = 0n;

  /** An empty set named `name` (for panic messages) with room for `earlyCapacity` regions before the upgrade. */
  constructor(name: string, earlyCapacity: u32) {
    this.name = name;
    this.early = new RegionArray(earlyCapacity);
  }

  /**
   * Makes room for at least `capacity` regions before the upgrade (boot sizes it from the
   * memory map): a larger array takes the regions over, in order. Before the upgrade only.
   */
  reserveEarly(capacity: u32): void {
    if (this.tree !== null) panic(`RegionSet.reserveEarly: ${this.name} was already upgraded`);
    if (capacity <= this.early.capacity()) return;
    const bigger = new RegionArray(capacity);
    for (let h: u32 = 1; h <= this.early.size(); h++) bigger.insert(this.early.first(h), this.early.last(h));
    this.early = bigger;
  }

  /** True after `upgrade`. */
  isUpgraded(): bool {
    return this.tree !== null;
  }

  /** Moves every region into a balanced tree with nodes from `pool`; O(regions). */
  upgrade(pool: NodePool): void {
    if (this.tree !== null) panic(`RegionSet.upgrade: ${this.name} was already upgraded`);
    const t = new RegionTree(pool);
    t.loadSorted(this.early);
    this.early.clear();
    this.tree = t;
  }

  /** Number of regions. */
  regionCount(): u32 {
    const t = this.tree;
    return t !== null ? t.size() : this.early.size();
  }

  /** Total chunks in all regions. */
  chunkCount(): u64 {
    return this.chunks;
  }

  /** First chunk number of region `h`. */
  first(h: u32): u64 {
    const t = this.tree;
    return t !== null ? t.first(h) : this.early.first(h);
  }

  /** Last chunk number (inclusive) of region `h`. */
  last(h: u32): u64 {
    const t = this.tree;
    return t !== null ? t.last(h) : this.early.last(h);
  }

  /** The region with the greatest first <= n, or NO_REGION. */
  floor(n: u64): u32 {
    const t = this.tree;
    return t !== null ? t.floor(n) : this.early.floor(n);
  }

  /** The region with the least first >= n, or NO_REGION. */
  ceiling(n: u64): u32 {
    const t = this.tree;
    return t !== null ? t.ceiling(n) : this.early.ceiling(n);
  }

  /** The lowest region, or NO_REGION. */
  lowest(): u32 {
    return this.ceiling(0n);
  }

  /** The region after `h`, or NO_REGION. */
  next(h: u32): u32 {
    return this.ceiling(this.last(h) + 1n);
  }

  /** True when all of [first, last] is in the set (inside one region, since regions never touch). */
  containsAll(first: u64, last: u64): bool {
    const h = this.floor(first);
    return h !== NO_REGION && this.last(h) >= last;
  }

  /** True when any chunk of [first, last] is in the set. */
  overlapsAny(first: u64, last: u64): bool {
    const h = this.floor(last);
    return h !== NO_REGION && this.last(h) >= first;
  }

  /**
   * The lowest start of `count` chunks, aligned to `align` chunks, inside one region and
   * inside [lo, hi]; NO_FIT when there is none. O(log regions) for plain requests after the
   * upgrade; an unlucky alignment or bound visits more candidate regions.
   */
  findFit(count: u64, align: u64, lo: u64, hi: u64): u64 {
    const t = this.tree;
    if (t !== null) return t.findFit(count, align, lo, hi);
    let h = this.floor(lo);
    if (h === NO_REGION) h = this.lowest();
    while (h !== NO_REGION && this.first(h) <= hi) {
      const s = fitInRegion(this.first(h), this.last(h), count, align, lo, hi);
      if (s !== NO_FIT) return s;
      h = this.next(h);
    }
    return NO_FIT;
  }

  /** Removes [first, last] from the set if all of it is there, splitting its region. */
  take(first: u64, last: u64): TakeStatus {
    const h = this.floor(first);
    if (h === NO_REGION || this.last(h) < last) return TakeStatus.NotInSet;
    const rf = this.first(h);
    const rl = this.last(h);
    if (rf < first && last < rl && !this.hasRoom()) return TakeStatus.NoRoom;
    if (this.tree === null && (rf < first) !== (last < rl)) {
      // One piece of the region stays, inside it: the array narrows it in place, with no
      // remove and insert shifting every region above (the boot's table frames come so).
      this.early.shrink(h, rf < first ? rf : last + 1n, rf < first ? first - 1n : rl);
      this.chunks -= last - first + 1n;
      return TakeStatus.Taken;
    }
    this.removeRegion(rf, rl);
    if (rf < first) this.insertRegion(rf, first - 1n);
    if (last < rl) this.insertRegion(last + 1n, rl);
    return TakeStatus.Taken;
  }

  /** Adds [first, last], which must not overlap the set (panics: a double free), merging neighbours. */
  give(first: u64, last: u64): void {
    if (this.overlapsAny(first, last)) panic(`${this.name}: chunks ${first}..=${last} are already in the set (double free?)`);
    this.unite(first, last);
  }

  /** Adds [first, last], which may overlap the set, merging every region it touches. */
  unite(first: u64, last: u64): void {
    let f = first;
    let l = last;
    let h = this.floor(l + 1n);
    while (h !== NO_REGION && this.last(h) + 1n >= f) {
      const rf = this.first(h);
      const rl = this.last(h);
      if (rf < f) f = rf;
      if (rl > l) l = rl;
      this.removeRegion(rf, rl);
      h = this.floor(l + 1n);
    }
    this.insertRegion(f, l);
  }

  /** Removes every chunk of [first, last] from the set (those not in it are ignored). */
  subtract(first: u64, last: u64): void {
    let h = this.floor(last);
    while (h !== NO_REGION && this.last(h) >= first) {
      const rf = this.first(h);
      const rl = this.last(h);
      this.removeRegion(rf, rl);
      if (rl > last) this.insertRegion(last + 1n, rl);
      if (rf < first) {
        this.insertRegion(rf, first - 1n);
        return;
      }
      h = this.floor(last);
    }
  }

  /** True when one more region fits. */
  private hasRoom(): bool {
    const t = this.tree;
    if (t !== null) return t.hasRoom();
    return this.early.size() < this.early.capacity();
  }

  private insertRegion(first: u64, last: u64): void {
    const t = this.tree;
    if (t !== null) {
      if (!t.hasRoom()) panic(`${this.name}: the node pool is exhausted (${t.size()} regions)`);
      t.insert(first, last);
    } else {
      if (!this.hasRoom()) panic(`${this.name}: the early region array is full (capacity ${this.early.capacity()}); upgrade to the heap first`);
      this.early.insert(first, last);
    }
    this.chunks += last - first + 1n;
  }

  private removeRegion(first: u64, last: u64): void {
    const t = this.tree;
    if (t !== null) t.remove(first);
    else this.early.remove(first);
    this.chunks -= last - first + 1n;
  }
}
