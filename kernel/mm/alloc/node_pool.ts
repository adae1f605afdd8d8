// The heap interface the region tree needs: allocNode/freeNode over fixed-size nodes. This
// pool is a fixed-capacity stand-in (tests, and the kernel until the heap exists); the
// kernel heap will provide the same two operations. Nodes are struct-of-arrays slots
// named by a u32 id; id 0 is the null node.
import type { u32, u64 } from "../../lib/int";
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
  private readonly firsts: U64Array;
  private readonly lasts: U64Array;
  private readonly maxSizes: U64Array;
  private readonly lefts: U32Array;
  private readonly rights: U32Array;
  private readonly heights: U32Array;
  private freeHead: u32;
  private inUse: u32 = 0;
  private readonly cap: u32;

  /** A pool of `capacity` nodes, all free. */
  constructor(capacity: u32) {
    this.cap = capacity;
    this.firsts = new U64Array(capacity + 1, 0n);
    this.lasts = new U64Array(capacity + 1, 0n);
    this.maxSizes = new U64Array(capacity + 1, 0n);
    this.lefts = new U32Array(capacity + 1, NO_NODE);
    this.rights = new U32Array(capacity + 1, NO_NODE);
    this.heights = new U32Array(capacity + 1, 0);
    for (let id: u32 = 1; id < capacity; id++) this.lefts.set(id, id + 1);
    this.freeHead = capacity === 0 ? NO_NODE : 1;
  }

  /** A fresh leaf node for region [first, last], or NO_NODE when the pool is exhausted. */
  allocNode(first: u64, last: u64): u32 {
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
