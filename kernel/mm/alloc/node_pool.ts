// The storage the region tree needs: allocNode/freeNode over fixed-size nodes, as
// struct-of-arrays slots named by a u32 id; id 0 is the null node. A fixed pool (tests of
// exhaustion) or a growing one (the kernel's, NodePool.growing): when its free list runs
// out it doubles its arrays from the heap, so inserting a region (and so a release, which
// may split nothing but must store a region) never fails while the heap can grow. The
// arrays it outgrew stay allocated (keelc objects are never freed): at most as much again.
import type { bool, u32, u64 } from "../../lib/int";
import { U32Array, U64Array } from "../../lib/fixed_array";
import { panic } from "../../lib/panic";

/** The id meaning "no node". */
export const NO_NODE: u32 = 0;

/**
 * A pool of tree nodes, each a region [first, last] of chunk numbers with AVL links,
 * height and the largest region size in its subtree. Invariant: a node is either on the
 * free list (threaded through `left`) or owned by exactly one tree.
 */
export class NodePool {
  private firsts: U64Array;
  private lasts: U64Array;
  private maxSizes: U64Array;
  private lefts: U32Array;
  private rights: U32Array;
  private heights: U32Array;
  private freeHead: u32;
  private inUse: u32 = 0;
  private cap: u32;
  private grows: bool = false;

  /** A fixed pool of `capacity` nodes, all free. */
  constructor(capacity: u32) {
    this.cap = capacity;
    this.firsts = new U64Array(capacity + 1, 0n);
    this.lasts = new U64Array(capacity + 1, 0n);
    this.maxSizes = new U64Array(capacity + 1, 0n);
    this.lefts = new U32Array(capacity + 1, NO_NODE);
    this.rights = new U32Array(capacity + 1, NO_NODE);
    this.heights = new U32Array(capacity + 1, 0);
    this.freeHead = NO_NODE;
    this.threadFree(1, capacity);
  }

  /** A pool of `initial` nodes (at least 1) that doubles whenever it runs out. */
  static growing(initial: u32): NodePool {
    const p = new NodePool(initial === 0 ? 1 : initial);
    p.grows = true;
    return p;
  }

  /** True when the pool doubles instead of running out. */
  canGrow(): bool {
    return this.grows;
  }

  /** A fresh leaf node for region [first, last], or NO_NODE when a fixed pool is exhausted. */
  allocNode(first: u64, last: u64): u32 {
    if (this.freeHead === NO_NODE && this.grows) this.grow();
    const id = this.freeHead;
    if (id === NO_NODE) return NO_NODE;
    this.freeHead = this.lefts.get(id);
    this.inUse++;
    this.firsts.set(id, first);
    this.lasts.set(id, last);
    this.maxSizes.set(id, last - first + 1n);
    this.lefts.set(id, NO_NODE);
    this.rights.set(id, NO_NODE);
    this.heights.set(id, 1);
    return id;
  }

  /** Returns node `id` to the pool. */
  freeNode(id: u32): void {
    if (id === NO_NODE || id > this.cap) panic(`NodePool.freeNode: bad node ${id}`);
    this.heights.set(id, 0);
    this.maxSizes.set(id, 0n);
    this.lefts.set(id, this.freeHead);
    this.rights.set(id, NO_NODE);
    this.freeHead = id;
    this.inUse--;
  }

  /** Puts nodes `from`..=`to` on the free list, lowest first. */
  private threadFree(from: u32, to: u32): void {
    if (to < from) return;
    for (let id: u32 = from; id < to; id++) this.lefts.set(id, id + 1);
    this.lefts.set(to, this.freeHead);
    this.freeHead = from;
  }

  /** Doubles the capacity: new arrays, the nodes copied, the new half free. */
  private grow(): void {
    const old: u32 = this.cap;
    const cap: u32 = old * 2;
    const firsts = new U64Array(cap + 1, 0n);
    const lasts = new U64Array(cap + 1, 0n);
    const maxSizes = new U64Array(cap + 1, 0n);
    const lefts = new U32Array(cap + 1, NO_NODE);
    const rights = new U32Array(cap + 1, NO_NODE);
    const heights = new U32Array(cap + 1, 0);
    for (let id: u32 = 1; id <= old; id++) {
      firsts.set(id, this.firsts.get(id));
      lasts.set(id, this.lasts.get(id));
      maxSizes.set(id, this.maxSizes.get(id));
      lefts.set(id, this.lefts.get(id));
      rights.set(id, this.rights.get(id));
      heights.set(id, this.heights.get(id));
    }
    this.firsts = firsts;
    this.lasts = lasts;
    this.maxSizes = maxSizes;
    this.lefts = lefts;
    this.rights = rights;
    this.heights = heights;
    this.cap = cap;
    this.threadFree(old + 1, cap);
  }

  /** Nodes the pool holds now (grows for a growing pool). */
  capacity(): u32 {
    return this.cap;
  }

  /** Nodes handed out and not freed. */
  used(): u32 {
    return this.inUse;
  }

  /** Nodes still available. */
  available(): u32 {
    return this.cap - this.inUse;
  }

  /** First chunk number of node `id`'s region. */
  first(id: u32): u64 {
    return this.firsts.get(id);
  }

  /** Last chunk number (inclusive) of node `id`'s region. */
  last(id: u32): u64 {
    return this.lasts.get(id);
  }

  /** Left child (lower regions). */
  left(id: u32): u32 {
    return this.lefts.get(id);
  }

  /** Right child (higher regions). */
  right(id: u32): u32 {
    return this.rights.get(id);
  }

  /** Height of the subtree at `id` (0 for NO_NODE). */
  height(id: u32): u32 {
    return this.heights.get(id);
  }

  /** Largest region size in chunks in the subtree at `id` (0 for NO_NODE). */
  maxSize(id: u32): u64 {
    return this.maxSizes.get(id);
  }

  /** Sets both children of `id` and recomputes its height and subtree maximum. */
  link(id: u32, left: u32, right: u32): void {
    this.lefts.set(id, left);
    this.rights.set(id, right);
    const hl = this.heights.get(left);
    const hr = this.heights.get(right);
    this.heights.set(id, (hl > hr ? hl : hr) + 1);
    let m: u64 = this.lasts.get(id) - this.firsts.get(id) + 1n;
    if (this.maxSizes.get(left) > m) m = this.maxSizes.get(left);
    if (this.maxSizes.get(right) > m) m = this.maxSizes.get(right);
    this.maxSizes.set(id, m);
  }
}
