// RegionSet in both storage modes (early array, tree after upgrade), RegionTree balance and
// NodePool bookkeeping.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
// The region sets are internal to kernel/mm/alloc/: tested here through their own modules.
import { NO_FIT } from "../../kernel/mm/alloc/fit";
import { NodePool } from "../../kernel/mm/alloc/node_pool";
import { RegionSet, TakeStatus } from "../../kernel/mm/alloc/region_set";
import { RegionArray } from "../../kernel/mm/alloc/region_array";
import { RegionTree } from "../../kernel/mm/alloc/region_tree";
import { expectPanic, useSimulatedConsole } from "./support";

useSimulatedConsole();

/** The regions of a set as [first, last] pairs, lowest first. */
export function regionsOf(s: RegionSet): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (let h = s.lowest(); h !== 0; h = s.next(h)) out.push([s.first(h), s.last(h)]);
  return out;
}

for (const mode of ["early", "tree"] as const) {
  const make = (cap = 16): RegionSet => {
    const s = new RegionSet("test set", cap);
    if (mode === "tree") s.upgrade(new NodePool(cap));
    return s;
  };

  describe(`RegionSet (${mode})`, () => {
    it("unites overlapping and touching regions, keeping others apart", () => {
      const s = make();
      s.unite(10n, 19n);
      s.unite(30n, 39n);
      s.unite(20n, 20n); // touches 10..19
      s.unite(35n, 50n); // overlaps 30..39
      s.unite(0n, 5n);
      expect(regionsOf(s)).toEqual([[0n, 5n], [10n, 20n], [30n, 50n]]);
      expect(s.chunkCount()).toBe(6n + 11n + 21n);
      s.unite(4n, 31n); // bridges all
      expect(regionsOf(s)).toEqual([[0n, 50n]]);
      expect(s.chunkCount()).toBe(51n);
      expect(s.isUpgraded()).toBe(mode === "tree");
    });

    it("takes exact runs, splitting regions, and reports chunks not in the set", () => {
      const s = make();
      s.unite(10n, 29n);
      expect(s.take(10n, 12n)).toBe(TakeStatus.Taken);
      expect(s.take(27n, 29n)).toBe(TakeStatus.Taken);
      expect(s.take(20n, 20n)).toBe(TakeStatus.Taken);
      expect(regionsOf(s)).toEqual([[13n, 19n], [21n, 26n]]);
      expect(s.take(19n, 21n)).toBe(TakeStatus.NotInSet);
      expect(s.take(0n, 0n)).toBe(TakeStatus.NotInSet);
      expect(s.take(26n, 27n)).toBe(TakeStatus.NotInSet);
      expect(s.chunkCount()).toBe(13n);
    });

    it("gives back with merging and panics on a double free", () => {
      const s = make();
      s.unite(0n, 9n);
      s.take(3n, 5n);
      s.give(4n, 4n);
      expect(regionsOf(s)).toEqual([[0n, 2n], [4n, 4n], [6n, 9n]]);
      s.give(3n, 3n);
      s.give(5n, 5n);
      expect(regionsOf(s)).toEqual([[0n, 9n]]);
      expectPanic(() => s.give(9n, 10n), "test set: chunks 9..=10 are already in the set (double free?)");
      expectPanic(() => s.give(0n, 0n), "already in the set");
    });

    it("subtracts runs, leaving the rest", () => {
      const s = make();
      s.unite(0n, 9n);
      s.unite(20n, 29n);
      s.unite(40n, 49n);
      s.subtract(5n, 24n);
      expect(regionsOf(s)).toEqual([[0n, 4n], [25n, 29n], [40n, 49n]]);
      s.subtract(42n, 43n);
      expect(regionsOf(s)).toEqual([[0n, 4n], [25n, 29n], [40n, 41n], [44n, 49n]]);
      s.subtract(100n, 200n);
      s.subtract(0n, 100n);
      expect(regionsOf(s)).toEqual([]);
      expect(s.chunkCount()).toBe(0n);
    });

    it("finds the lowest fit for a count, an alignment and bounds", () => {
      const s = make();
      s.unite(1n, 3n);
      s.unite(5n, 20n);
      s.unite(30n, 70n);
      expect(s.findFit(3n, 1n, 0n, 100n)).toBe(1n);
      expect(s.findFit(4n, 1n, 0n, 100n)).toBe(5n);
      expect(s.findFit(4n, 8n, 0n, 100n)).toBe(8n);
      expect(s.findFit(16n, 1n, 0n, 100n)).toBe(5n);
      expect(s.findFit(17n, 1n, 0n, 100n)).toBe(30n);
      expect(s.findFit(10n, 16n, 0n, 100n)).toBe(32n);
      expect(s.findFit(41n, 1n, 0n, 100n)).toBe(30n);
      expect(s.findFit(42n, 1n, 0n, 100n)).toBe(NO_FIT);
      expect(s.findFit(2n, 1n, 2n, 100n)).toBe(2n);
      expect(s.findFit(3n, 1n, 2n, 100n)).toBe(5n);
      expect(s.findFit(5n, 1n, 17n, 34n)).toBe(30n);
      expect(s.findFit(6n, 1n, 17n, 34n)).toBe(NO_FIT);
      expect(s.findFit(1n, 64n, 0n, 100n)).toBe(64n);
      expect(s.findFit(1n, 128n, 0n, 200n)).toBe(NO_FIT);
    });

    it("answers containsAll and overlapsAny", () => {
      const s = make();
      s.unite(10n, 19n);
      expect(s.containsAll(10n, 19n) && s.containsAll(12n, 12n)).toBe(true);
      expect(s.containsAll(9n, 12n) || s.containsAll(15n, 20n)).toBe(false);
      expect(s.overlapsAny(0n, 10n) && s.overlapsAny(19n, 30n) && s.overlapsAny(0n, 30n)).toBe(true);
      expect(s.overlapsAny(0n, 9n) || s.overlapsAny(20n, 30n)).toBe(false);
    });

    it("refuses a split when storage is full and panics when a give needs room", () => {
      const s = make(2);
      s.unite(0n, 9n);
      s.unite(20n, 29n);
      expect(s.take(4n, 5n)).toBe(TakeStatus.NoRoom);
      expect(s.take(0n, 1n)).toBe(TakeStatus.Taken);
      expect(regionsOf(s)).toEqual([[2n, 9n], [20n, 29n]]);
      const what = mode === "early" ? "the early region array is full (capacity 2); upgrade to the heap first" : "the node pool is exhausted";
      expectPanic(() => s.give(0n, 0n), what);
    });
  });
}

describe("RegionSet upgrade", () => {
  it("moves every region into the tree, once", () => {
    const s = new RegionSet("up", 8);
    for (let i = 0n; i < 8n; i++) s.unite(i * 10n, i * 10n + 4n);
    const before = regionsOf(s);
    const pool = new NodePool(32);
    s.upgrade(pool);
    expect(regionsOf(s)).toEqual(before);
    expect(s.regionCount()).toBe(8);
    expect(pool.used()).toBe(8);
    expect(s.chunkCount()).toBe(40n);
    s.unite(100n, 200n); // past the early capacity now
    expect(s.regionCount()).toBe(9);
    expectPanic(() => s.upgrade(pool), "up was already upgraded");
  });
});

describe("RegionTree", () => {
  it("stays balanced and keeps subtree maxima through inserts and removes", () => {
    const pool = new NodePool(2000);
    const t = new RegionTree(pool);
    for (let i = 0n; i < 1024n; i++) t.insert(i * 4n, i * 4n + (i % 3n));
    expect(t.size()).toBe(1024);
    expect(t.height()).toBeLessThanOrEqual(Math.ceil(1.45 * Math.log2(1026)));
    expect(t.findFit(3n, 1n, 0n, 10_000n)).toBe(8n);
    for (let i = 0n; i < 1024n; i += 2n) t.remove(i * 4n);
    expect(t.size()).toBe(512);
    expect(pool.used()).toBe(512);
    expect(t.height()).toBeLessThanOrEqual(Math.ceil(1.45 * Math.log2(514)));
    expect(t.findFit(3n, 1n, 0n, 10_000n)).toBe(20n);
    expect(t.floor(21n)).not.toBe(0);
    expect(t.first(t.floor(21n))).toBe(20n);
    expect(t.first(t.ceiling(21n))).toBe(28n);
    expectPanic(() => t.remove(0n), "no region starts at 0");
  });
});

describe("RegionTree.loadSorted (the upgrade's bulk load)", () => {
  it("builds a perfectly balanced tree with current subtree maxima, which inserts and removes keep AVL", () => {
    for (let n = 0; n <= 70; n++) {
      const a = new RegionArray(n);
      const lens = Array.from({ length: n }, (_, i) => BigInt((i * 7) % 11));
      lens.forEach((len, i) => a.insert(BigInt(i) * 16n, BigInt(i) * 16n + len));
      const pool = new NodePool(n + 8);
      const t = new RegionTree(pool);
      t.loadSorted(a);
      expect(t.size()).toBe(n);
      expect(pool.used()).toBe(n);
      expect(t.height()).toBe(Math.ceil(Math.log2(n + 1)));
      for (let i = 0; i < n; i++) expect(t.first(t.floor(BigInt(i) * 16n + 3n))).toBe(BigInt(i) * 16n);
      // The largest region is found by first fit only if every subtree maximum is right.
      const longest = lens.reduce((m, x) => (x > m ? x : m), -1n);
      if (n > 0) expect(t.findFit(longest + 1n, 1n, 0n, 10_000n)).toBe(BigInt(lens.indexOf(longest)) * 16n);
      expect(t.findFit(longest + 2n, 1n, 0n, 10_000n)).toBe(NO_FIT);
      for (let i = 0; i < n; i += 3) t.remove(BigInt(i) * 16n);
      for (let i = 0; i < 8; i++) t.insert(2000n + BigInt(i) * 4n, 2000n + BigInt(i) * 4n);
      expect(t.height()).toBeLessThanOrEqual(Math.floor(1.4405 * Math.log2(t.size() + 2)));
      expect(pool.used()).toBe(t.size());
    }
  });

  it("panics before taking a node when a fixed pool is too small, and refuses a tree that is not empty", () => {
    const a = new RegionArray(4);
    for (let i = 0n; i < 4n; i++) a.insert(i * 8n, i * 8n + 1n);
    const pool = new NodePool(3);
    expectPanic(() => new RegionTree(pool).loadSorted(a), "node pool exhausted (4 regions, 3 nodes free)");
    expect(pool.used()).toBe(0);
    const t = new RegionTree(new NodePool(8));
    t.insert(100n, 101n);
    expectPanic(() => t.loadSorted(a), "the tree already holds 1 regions");
  });
});

describe("RegionTree under random inserts and removes", () => {
  it("stays an AVL tree (height bound) and answers floor, ceiling and first fit like a sorted list", () => {
    let ops = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 499 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 400, size: "max" }), (steps) => {
        const pool = new NodePool(600);
        const t = new RegionTree(pool);
        const model = new Map<bigint, bigint>(); // first -> last; regions at 4k..4k+len
        for (const [insert, k, len] of steps) {
          ops++;
          const first = BigInt(k) * 4n;
          if (insert && !model.has(first)) {
            t.insert(first, first + BigInt(len));
            model.set(first, first + BigInt(len));
          } else if (!insert && model.has(first)) {
            t.remove(first);
            model.delete(first);
          }
          expect(t.size()).toBe(model.size);
          expect(pool.used()).toBe(model.size);
          expect(t.height()).toBeLessThanOrEqual(Math.floor(1.4405 * Math.log2(model.size + 2)));
          const q = BigInt(k) * 4n + 1n;
          const keys = [...model.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
          const below = keys.filter((x) => x <= q).at(-1);
          const above = keys.find((x) => x >= q);
          expect(t.floor(q) === 0 ? undefined : t.first(t.floor(q))).toBe(below);
          expect(t.ceiling(q) === 0 ? undefined : t.first(t.ceiling(q))).toBe(above);
          const want = BigInt(len) + 1n;
          const fit = keys.find((x) => model.get(x)! - x + 1n >= want);
          expect(t.findFit(want, 1n, 0n, 10_000n)).toBe(fit ?? NO_FIT);
        }
      }),
      { numRuns: 40 },
    );
    console.log(`RegionTree property: ${ops} random inserts/removes checked`);
  });
});

describe("NodePool", () => {
  it("a growing pool doubles instead of running out, keeping every node", () => {
    const pool = NodePool.growing(2);
    const ids: number[] = [];
    for (let i = 0n; i < 100n; i++) ids.push(pool.allocNode(i * 10n, i * 10n + 3n));
    expect(new Set(ids).size).toBe(100);
    expect(ids).not.toContain(0);
    expect(pool.capacity()).toBe(128);
    expect(pool.used()).toBe(100);
    ids.forEach((id, i) => expect([pool.first(id), pool.last(id), pool.maxSize(id)]).toEqual([BigInt(i) * 10n, BigInt(i) * 10n + 3n, 4n]));
    for (const id of ids) pool.freeNode(id);
    expect(pool.used()).toBe(0);
    expect(pool.available()).toBe(128);
  });

  it("with a growing pool, releases that fragment the set never fail", () => {
    const s = new RegionSet("grows", 2);
    s.upgrade(NodePool.growing(1));
    s.unite(0n, 9999n);
    for (let i = 0n; i < 2000n; i += 2n) expect(s.take(i, i)).toBe(TakeStatus.Taken); // 1000 splits
    expect(s.regionCount()).toBe(1000);
    for (let i = 0n; i < 2000n; i += 2n) s.give(i, i);
    expect(regionsOf(s)).toEqual([[0n, 9999n]]);
  });

  it("hands out every node once and takes them back", () => {
    const pool = new NodePool(3);
    const ids = [pool.allocNode(0n, 0n), pool.allocNode(1n, 1n), pool.allocNode(2n, 5n)];
    expect(new Set(ids).size).toBe(3);
    expect(ids).not.toContain(0);
    expect(pool.allocNode(9n, 9n)).toBe(0);
    expect(pool.maxSize(ids[2]!)).toBe(4n);
    pool.freeNode(ids[1]!);
    expect(pool.available()).toBe(1);
    expect(pool.allocNode(7n, 7n)).toBe(ids[1]);
    expectPanic(() => pool.freeNode(0), "bad node 0");
  });
});
