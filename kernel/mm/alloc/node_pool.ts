// The storage the region tree needs: allocNode/freeNode over fixed-size nodes, each a u32
// id naming its fields in two arrays (NodeStorage); id 0 is the null node. A fixed pool (tests of
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

/**
 * Empty storage for `capacity` nodes, made ahead of NodePool.adopt: two arrays, each
 * node's three u64 fields (first, last, maxSize) side by side in one and its three u32
 * fields (left, right, height) in the other, so a pool is two heap objects (six separate
 * arrays cost memory init a dozen heap allocations). qemu/gdb/keel_commands.py reads
 * this layout (keel-frames).
 */
export class NodeStorage {
  readonly capacity: u32;
  /** first, last, maxSize of node id at 3 id, 3 id + 1, 3 id + 2. */
  readonly wide: U64Array;
  /** left, right, height of node id at 3 id, 3 id + 1, 3 id + 2. */
  readonly narrow: U32Array;

  /** Arrays for nodes 1..=capacity (slot 0 is the null node). */
  constructor(capacity: u32) {
    this.capacity = capacity;
    this.wide = new U64Array(FIELDS * (capacity + 1), 0n);
    this.narrow = new U32Array(FIELDS * (capacity + 1), NO_NODE);
  }
}

/** Fields per node in each array of NodeStorage, and their offsets. */
const FIELDS: u32 = 3;
const FIRST: u32 = 0;
const LAST: u32 = 1;
const MAX_SIZE: u32 = 2;
const LEFT: u32 = 0;
const RIGHT: u32 = 1;
const HEIGHT: u32 = 2;

/**
 * A pool of tree nodes, each a region [first, last] of chunk numbers with AVL links,
 * height and the largest region size in its subtree. Invariant: a node is either on the
 * free list (threaded through `left`), or fresh (id >= `nextFresh`: never handed out, so
 * no list is written for it: a new pool costs nothing per node), or owned by exactly one
 * tree.
 */
export class NodePool {
  private wide: U64Array;
  private narrow: U32Array;
  private freeHead: u32;
  /** The lowest node never handed out; nodes nextFresh..=cap are free. */
  private nextFresh: u32 = 1;
  private inUse: u32 = 0;
  private cap: u32;
  private grows: bool = false;

  /** A fixed pool of `capacity` nodes, all free. */
  constructor(capacity: u32) {
    const s = new NodeStorage(capacity);
    this.cap = capacity;
    this.wide = s.wide;
    this.narrow = s.narrow;
    this.freeHead = NO_NODE;
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
    const id = this.takeId();
    if (id === NO_NODE) return NO_NODE;
    const at: u32 = FIELDS * id;
    this.wide.set(at + FIRST, first);
    this.wide.set(at + LAST, last);
    this.wide.set(at + MAX_SIZE, last - first + 1n);
    this.narrow.set(at + LEFT, NO_NODE);
    this.narrow.set(at + RIGHT, NO_NODE);
    this.narrow.set(at + HEIGHT, 1);
    return id;
  }

  /**
   * A node for region [first, last] above the subtrees `left` and `right` (height and
   * subtree maximum computed), or NO_NODE when a fixed pool is exhausted: a bulk load's
   * step, each field written once.
   */
  allocBranch(first: u64, last: u64, left: u32, right: u32): u32 {
    const id = this.takeId();
    if (id === NO_NODE) return NO_NODE;
    const at: u32 = FIELDS * id;
    this.wide.set(at + FIRST, first);
    this.wide.set(at + LAST, last);
    this.link(id, left, right);
    return id;
  }

  /** An unused node id (off the free list, else a fresh one, growing a growing pool), counted as in use; NO_NODE when a fixed pool is exhausted. */
  private takeId(): u32 {
    let id = this.freeHead;
    if (id !== NO_NODE) this.freeHead = this.left(id);
    else {
      if (this.nextFresh > this.cap && this.grows) this.grow();
      if (this.nextFresh > this.cap) return NO_NODE;
      id = this.nextFresh;
      this.nextFresh++;
    }
    this.inUse++;
    return id;
  }

  /** Returns node `id` to the pool. */
  freeNode(id: u32): void {
    if (id === NO_NODE || id > this.cap) panic(`NodePool.freeNode: bad node ${id}`);
    const at: u32 = FIELDS * id;
    this.narrow.set(at + HEIGHT, 0);
    this.wide.set(at + MAX_SIZE, 0n);
    this.narrow.set(at + LEFT, this.freeHead);
    this.narrow.set(at + RIGHT, NO_NODE);
    this.freeHead = id;
    this.inUse--;
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
    for (let i: u32 = FIELDS; i < FIELDS * (old + 1); i++) {
      storage.wide.set(i, this.wide.get(i));
      storage.narrow.set(i, this.narrow.get(i));
    }
    this.wide = storage.wide;
    this.narrow = storage.narrow;
    this.cap = cap; // nodes old+1..=cap are fresh, after any fresh ones below them (nextFresh..=old)
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
    return this.wide.get(FIELDS * id + FIRST);
  }

  /** Last chunk number (inclusive) of node `id`'s region. */
  last(id: u32): u64 {
    return this.wide.get(FIELDS * id + LAST);
  }

  /** Left child (lower regions). */
  left(id: u32): u32 {
    return this.narrow.get(FIELDS * id + LEFT);
  }

  /** Right child (higher regions). */
  right(id: u32): u32 {
    return this.narrow.get(FIELDS * id + RIGHT);
  }

  /** Height of the subtree at `id` (0 for NO_NODE). */
  height(id: u32): u32 {
    return this.narrow.get(FIELDS * id + HEIGHT);
  }

  /** Largest region size in chunks in the subtree at `id` (0 for NO_NODE). */
  maxSize(id: u32): u64 {
    return this.wide.get(FIELDS * id + MAX_SIZE);
  }

  /** Sets both children of `id` and recomputes its height and subtree maximum. */
  link(id: u32, left: u32, right: u32): void {
    const at: u32 = FIELDS * id;
    const l: u32 = FIELDS * left;
    const r: u32 = FIELDS * right;
    this.narrow.set(at + LEFT, left);
    this.narrow.set(at + RIGHT, right);
    const hl = this.narrow.get(l + HEIGHT);
    const hr = this.narrow.get(r + HEIGHT);
    this.narrow.set(at + HEIGHT, (hl > hr ? hl : hr) + 1);
    let m: u64 = this.wide.get(at + LAST) - this.wide.get(at + FIRST) + 1n;
    const ml = this.wide.get(l + MAX_SIZE);
    const mr = this.wide.get(r + MAX_SIZE);
    if (ml > m) m = ml;
    if (mr > m) m = mr;
    this.wide.set(at + MAX_SIZE, m);
  }
}
