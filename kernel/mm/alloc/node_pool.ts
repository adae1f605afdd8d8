// The storage the region tree needs: allocNode/freeNode over fixed-size nodes, as
// struct-of-arrays slots named by a u32 id; id 0 is the null node. A fixed pool (tests of
// exhaustion) or a growing one (the kernel's, NodePool.growing): when its free list runs
// out it doubles its arrays from the heap, so inserting a region (and so a release, which
// may split nothing but must store a region) never fails while the heap can grow. The
// arrays it outgrew stay allocated (keelc objects are never freed): at most as much again.
// A pool serving a locked allocator is grown by that allocator before it takes its lock
// (NodeStorage, adopt): growing under the lock would enter the heap, which may call the
// allocator again (kernel/sync/lock_order.ts).
import type { bool, u32, u64 } from "../../lib/int";
import { U32Array, U64Array } from "../../lib/fixed_array";
import { panic } from "../../lib/panic";

/** The id meaning "no node". */
export const NO_NODE: u32 = 0;

/** Empty storage for `capacity` nodes, made ahead of NodePool.adopt. */
export class NodeStorage {
  readonly capacity: u32;
  readonly firsts: U64Array;
  readonly lasts: U64Array;
  readonly maxSizes: U64Array;
  readonly lefts: U32Array;
  readonly rights: U32Array;
  readonly heights: U32Array;

  /** Arrays for nodes 1..=capacity (slot 0 is the null node). */
  constructor(capacity: u32) {
    this.capacity = capacity;
    this.firsts = new U64Array(capacity + 1, 0n);
    this.lasts = new U64Array(capacity + 1, 0n);
    this.maxSizes = new U64Array(capacity + 1, 0n);
    this.lefts = new U32Array(capacity + 1, NO_NODE);
    this.rights = new U32Array(capacity + 1, NO_NODE);
    this.heights = new U32Array(capacity + 1, 0);
  }
}

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
    const s = new NodeStorage(capacity);
    this.cap = capacity;
    this.firsts = s.firsts;
    this.lasts = s.lasts;
    this.maxSizes = s.maxSizes;
    this.lefts = s.lefts;
    this.rights = s.rights;
    this.heights = s.heights;
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
    this.adopt(new NodeStorage(this.cap * 2));
  }

  /**
   * Moves the nodes into `storage`, which must be larger, and frees the rest of it. The
   * allocators make the storage with their lock not held (it comes from the heap, which
   * may call them) and adopt it under the lock.
   */
  adopt(storage: NodeStorage): void {
    const old: u32 = this.cap;
    const cap: u32 = storage.capacity;
    if (cap <= old) panic(`NodePool.adopt: storage for ${cap} nodes does not grow a pool of ${old}`);
    for (let id: u32 = 1; id <= old; id++) {
      storage.firsts.set(id, this.firsts.get(id));
      storage.lasts.set(id, this.lasts.get(id));
      storage.maxSizes.set(id, this.maxSizes.get(id));
      storage.lefts.set(id, this.lefts.get(id));
      storage.rights.set(id, this.rights.get(id));
      storage.heights.set(id, this.heights.get(id));
    }
    this.firsts = storage.firsts;
    this.lasts = storage.lasts;
    this.maxSizes = storage.maxSizes;
    this.lefts = storage.lefts;
    this.rights = storage.rights;
    this.heights = storage.heights;
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
