// Region storage after the heap exists: an AVL tree of disjoint regions of chunk numbers
// keyed by first chunk, each node also holding the largest region size in its subtree,
// so lookups, inserts, removes and first-fit searches are O(log regions).
import type { bool, u32, u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import { NO_NODE, type NodePool } from "./node_pool";
import { NO_FIT, fitInRegion } from "./fit";
import type { RegionArray } from "./region_array";

/**
 * Regions [first, last] in an AVL tree whose nodes come from a NodePool. A handle is a
 * node id (NO_NODE for none), valid until the next insert or remove. Invariants: regions
 * are disjoint; in-order is ascending; every node's height and subtree maximum are current.
 */
export class RegionTree {
  private readonly pool: NodePool;
  private root: u32 = NO_NODE;
  private count: u32 = 0;

  /** An empty tree taking its nodes from `pool`. */
  constructor(pool: NodePool) {
    this.pool = pool;
  }

  /** Number of regions. */
  size(): u32 {
    return this.count;
  }

  /** Height of the tree (0 when empty); at most about 1.44 log2(regions + 2). */
  height(): u32 {
    return this.pool.height(this.root);
  }

  /** True when one more region can be inserted. */
  hasRoom(): bool {
    return this.pool.available() > 0 || this.pool.canGrow();
  }

  /** First chunk number of region `h`. */
  first(h: u32): u64 {
    return this.pool.first(h);
  }

  /** Last chunk number of region `h`. */
  last(h: u32): u64 {
    return this.pool.last(h);
  }

  /** The region with the greatest first <= n, or NO_NODE. */
  floor(n: u64): u32 {
    let best: u32 = NO_NODE;
    let x: u32 = this.root;
    while (x !== NO_NODE) {
      if (this.pool.first(x) <= n) {
        best = x;
        x = this.pool.right(x);
      } else x = this.pool.left(x);
    }
    return best;
  }

  /** The region with the least first >= n, or NO_NODE. */
  ceiling(n: u64): u32 {
    let best: u32 = NO_NODE;
    let x: u32 = this.root;
    while (x !== NO_NODE) {
      if (this.pool.first(x) >= n) {
        best = x;
        x = this.pool.left(x);
      } else x = this.pool.right(x);
    }
    return best;
  }

  /** Inserts [first, last], disjoint from every region; panics when the pool is exhausted. */
  insert(first: u64, last: u64): void {
    const id = this.pool.allocNode(first, last);
    if (id === NO_NODE) panic(`RegionTree.insert: node pool exhausted (${this.pool.used()} nodes in use)`);
    this.root = this.insertAt(this.root, id);
    this.count++;
  }

  /**
   * Fills this empty tree with the regions of `regions` (sorted and disjoint, as a
   * RegionArray keeps them) as a perfectly balanced tree: each node is linked once, O(n),
   * where n inserts cost O(n log n) with their rotations (the upgrade's bulk load). Panics
   * before taking any node when a fixed pool has too few.
   */
  loadSorted(regions: RegionArray): void {
    const n: u32 = regions.size();
    if (this.count !== 0) panic(`RegionTree.loadSorted: the tree already holds ${this.count} regions`);
    if (!this.pool.canGrow() && this.pool.available() < n) panic(`RegionTree.loadSorted: node pool exhausted (${n} regions, ${this.pool.available()} nodes free)`);
    this.root = this.build(regions, 1, n);
    this.count = n;
  }

  /** The balanced subtree of regions lo..=hi (RegionArray handles): the middle one above both halves. */
  private build(regions: RegionArray, lo: u32, hi: u32): u32 {
    if (lo > hi) return NO_NODE;
    const mid: u32 = lo + ((hi - lo) >> 1);
    const left = this.build(regions, lo, mid - 1);
    const right = this.build(regions, mid + 1, hi);
    const id = this.pool.allocBranch(regions.first(mid), regions.last(mid), left, right);
    if (id === NO_NODE) panic(`RegionTree.loadSorted: node pool exhausted (${this.pool.used()} nodes in use)`);
    return id;
  }

  /** Removes the region starting at `first`; panics when there is none. */
  remove(first: u64): void {
    this.root = this.removeAt(this.root, first);
    this.count--;
  }

  /** The lowest start of `count` chunks aligned to `align` inside one region and [lo, hi], or NO_FIT. */
  findFit(count: u64, align: u64, lo: u64, hi: u64): u64 {
    return this.fitAt(this.root, count, align, lo, hi);
  }

  private fitAt(x: u32, count: u64, align: u64, lo: u64, hi: u64): u64 {
    if (x === NO_NODE || this.pool.maxSize(x) < count) return NO_FIT;
    const first = this.pool.first(x);
    const last = this.pool.last(x);
    if (lo < first) {
      const below = this.fitAt(this.pool.left(x), count, align, lo, hi);
      if (below !== NO_FIT) return below;
    }
    const here = fitInRegion(first, last, count, align, lo, hi);
    if (here !== NO_FIT || hi <= last) return here;
    return this.fitAt(this.pool.right(x), count, align, lo, hi);
  }

  private insertAt(x: u32, id: u32): u32 {
    if (x === NO_NODE) return id;
    const p = this.pool;
    if (p.first(id) < p.first(x)) p.link(x, this.insertAt(p.left(x), id), p.right(x));
    else p.link(x, p.left(x), this.insertAt(p.right(x), id));
    return this.rebalance(x);
  }

  private removeAt(x: u32, first: u64): u32 {
    const p = this.pool;
    if (x === NO_NODE) return panic(`RegionTree.remove: no region starts at ${first}`);
    if (first < p.first(x)) p.link(x, this.removeAt(p.left(x), first), p.right(x));
    else if (first > p.first(x)) p.link(x, p.left(x), this.removeAt(p.right(x), first));
    else {
      const left = p.left(x);
      const right = p.right(x);
      p.freeNode(x);
      if (left === NO_NODE) return right;
      if (right === NO_NODE) return left;
      const m = this.minOf(right);
      p.link(m, left, this.removeMin(right));
      return this.rebalance(m);
    }
    return this.rebalance(x);
  }

  /** The leftmost node of the subtree at x. */
  private minOf(x: u32): u32 {
    let m = x;
    while (this.pool.left(m) !== NO_NODE) m = this.pool.left(m);
    return m;
  }

  /** The subtree at x without its leftmost node (which is not freed). */
  private removeMin(x: u32): u32 {
    const p = this.pool;
    if (p.left(x) === NO_NODE) return p.right(x);
    p.link(x, this.removeMin(p.left(x)), p.right(x));
    return this.rebalance(x);
  }

  /** Restores the AVL balance at x (its children are balanced); returns the new subtree root. */
  private rebalance(x: u32): u32 {
    const p = this.pool;
    const l = p.left(x);
    const r = p.right(x);
    if (p.height(l) > p.height(r) + 1) {
      if (p.height(p.left(l)) < p.height(p.right(l))) p.link(x, this.rotateLeft(l), r);
      return this.rotateRight(x);
    }
    if (p.height(r) > p.height(l) + 1) {
      if (p.height(p.right(r)) < p.height(p.left(r))) p.link(x, l, this.rotateRight(r));
      return this.rotateLeft(x);
    }
    p.link(x, l, r);
    return x;
  }

  private rotateRight(x: u32): u32 {
    const p = this.pool;
    const l = p.left(x);
    p.link(x, p.right(l), p.right(x));
    p.link(l, p.left(l), x);
    return l;
  }

  private rotateLeft(x: u32): u32 {
    const p = this.pool;
    const r = p.right(x);
    p.link(x, p.left(x), p.left(r));
    p.link(r, x, p.right(r));
    return r;
  }
}
