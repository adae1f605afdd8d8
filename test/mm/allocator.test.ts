// ChunkAllocator and Allocated: every request kind and failure cause, reserved regions,
// ownership (split, merge, release, using, double release), early mode and the upgrade.
import { describe, expect, it } from "vitest";
import { type AllocatedPages, AllocError, ChunkAllocator, frameAllocator, NodePool, pageAllocator } from "../../kernel/mm/alloc";
import { MAGAZINE_BATCH, MAGAZINE_CAPACITY } from "../../kernel/mm/alloc/magazine";
import { Frame, FrameRange, Page, PageRange, PhysicalAddress, VirtualAddress } from "../../kernel/mm/addr";
import { expectPanic, some, useSimulatedConsole } from "./support";

useSimulatedConsole();

const v = (x: bigint) => some(VirtualAddress.checked(x));
const page = (x: bigint) => Page.containing(v(x));
const pages = (a: bigint, b: bigint) => PageRange.of(page(a), page(b));
const frames = (a: bigint, b: bigint) => FrameRange.of(Frame.containing(some(PhysicalAddress.checked(a))), Frame.containing(some(PhysicalAddress.checked(b))));

/** Free regions of an allocator as strings. */
function freeRegions(a: ChunkAllocator<VirtualAddress, Page, PageRange>, reserved = false): string[] {
  const out: string[] = [];
  for (let r = a.freeRegionFrom(reserved, 0n); !r.isEmpty(); r = a.freeRegionFrom(reserved, r.lastNumber() + 1n)) out.push(`${r}`);
  return out;
}

for (const mode of ["early", "upgraded"] as const) {
  /** Free: 0x1000..=0x20fff (32 pages) and 0x100000..=0x1fffff (256 pages); reserved 0x10000..=0x13fff. */
  const fresh = (cap = 16) => {
    const a = new ChunkAllocator<VirtualAddress, Page, PageRange>("test pages", PageRange.empty(), cap);
    a.addFree(pages(0x1000n, 0x20000n));
    a.addFree(pages(0x100000n, 0x1ff000n));
    a.addReserved(pages(0x10000n, 0x13000n));
    if (mode === "upgraded") a.upgrade(new NodePool(64));
    return a;
  };
  const ok = (r: { allocated: AllocatedPages | null; error: AllocError }): AllocatedPages => {
    expect(r.error).toBe(AllocError.None);
    return some(r.allocated);
  };
  const err = (r: { allocated: AllocatedPages | null; error: AllocError }): AllocError => {
    expect(r.allocated).toBeNull();
    return r.error;
  };

  describe(`ChunkAllocator (${mode})`, () => {
    it("initialises free memory minus the reserved regions", () => {
      const a = fresh();
      expect(freeRegions(a)).toEqual(["v0x1000..=v0xffff", "v0x14000..=v0x20fff", "v0x100000..=v0x1fffff"]);
      expect(freeRegions(a, true)).toEqual(["v0x10000..=v0x13fff"]);
      expect(a.freeChunks()).toBe(32n - 4n + 256n);
      expect(a.freeReservedChunks()).toBe(4n);
      expect(a.isUpgraded()).toBe(mode === "upgraded");
    });

    it("allocates N chunks anywhere, lowest first, and fails only without a run of N", () => {
      const a = fresh();
      const x = ok(a.allocate(3n));
      expect(`${x.range()}`).toBe("v0x1000..=v0x3fff");
      expect(`${ok(a.allocate(14n)).range()}`).toBe("v0x100000..=v0x10dfff"); // 0x4000.. has 12, 0x14000.. has 13
      expect(`${ok(a.allocate(12n)).range()}`).toBe("v0x4000..=v0xffff");
      expect(`${ok(a.allocate(256n - 14n)).range()}`).toBe("v0x10e000..=v0x1fffff");
      expect(err(a.allocate(14n))).toBe(AllocError.OutOfMemory);
      expect(`${ok(a.allocate(13n)).range()}`).toBe("v0x14000..=v0x20fff");
      expect(err(a.allocate(1n))).toBe(AllocError.OutOfMemory);
      expect(err(a.allocate(0n))).toBe(AllocError.InvalidRequest);
      expect(a.freeChunks()).toBe(0n);
      expect(a.freeReservedChunks()).toBe(4n);
    });

    it("allocates at the chunk containing an address", () => {
      const a = fresh();
      const x = ok(a.allocateAt(v(0x5123n), 2n));
      expect(`${x.range()}`).toBe("v0x5000..=v0x6fff");
      expect(err(a.allocateAt(v(0x4000n), 2n))).toBe(AllocError.AddressInUse);
      expect(err(a.allocateAt(v(0x6000n), 1n))).toBe(AllocError.AddressInUse);
      expect(err(a.allocateAt(v(0x0n), 1n))).toBe(AllocError.AddressInUse); // not managed
      expect(err(a.allocateAt(v(0xf000n), 2n))).toBe(AllocError.AddressReserved);
      expect(err(a.allocateAt(v(0x5000n), 0n))).toBe(AllocError.InvalidRequest);
      expect(err(a.allocateAt(v(0x7fff_ffff_f000n), 2n))).toBe(AllocError.InvalidRequest); // into the hole
      expect(err(a.allocateAt(v(0xffff_ffff_ffff_f000n), 2n))).toBe(AllocError.InvalidRequest); // past the top
      expect(`${ok(a.allocateAt(v(0x4000n), 1n)).range()}`).toBe("v0x4000..=v0x4fff");
    });

    it("allocates by byte count, rounding up, anywhere and at an address", () => {
      const a = fresh();
      expect(ok(a.allocateBytes(1n)).sizeInChunks()).toBe(1n);
      expect(ok(a.allocateBytes(0x1000n)).sizeInChunks()).toBe(1n);
      expect(ok(a.allocateBytes(0x1001n)).sizeInChunks()).toBe(2n);
      expect(err(a.allocateBytes(0n))).toBe(AllocError.InvalidRequest);
      expect(err(a.allocateBytes(0xffff_ffff_ffff_ffffn))).toBe(AllocError.OutOfMemory);
      expect(`${ok(a.allocateBytesAt(v(0x8ff0n), 0x20n)).range()}`).toBe("v0x8000..=v0x9fff");
      expect(err(a.allocateBytesAt(v(0x8ff0n), 0n))).toBe(AllocError.InvalidRequest);
    });

    it("allocates with an alignment", () => {
      const a = fresh();
      expect(`${ok(a.allocateAligned(2n, 0x4000n)).range()}`).toBe("v0x4000..=v0x5fff");
      expect(`${ok(a.allocateAligned(1n, 0x100000n)).range()}`).toBe("v0x100000..=v0x100fff");
      expect(`${ok(a.allocateAligned(1n, 1n)).range()}`).toBe("v0x1000..=v0x1fff");
      expect(err(a.allocateAligned(1n, 0x200000n))).toBe(AllocError.OutOfMemory);
      expect(err(a.allocateAligned(1n, 0x3000n))).toBe(AllocError.InvalidRequest);
      expect(err(a.allocateAligned(1n, 0n))).toBe(AllocError.InvalidRequest);
    });

    it("allocates within a range", () => {
      const a = fresh();
      expect(`${ok(a.allocateIn(pages(0x14000n, 0x200000n), 4n)).range()}`).toBe("v0x14000..=v0x17fff");
      expect(`${ok(a.allocateIn(pages(0x1f0000n, 0x1ff000n), 16n)).range()}`).toBe("v0x1f0000..=v0x1fffff");
      expect(err(a.allocateIn(pages(0x1f0000n, 0x1ff000n), 1n))).toBe(AllocError.OutOfMemory);
      expect(err(a.allocateIn(pages(0xf000n, 0x14000n), 2n))).toBe(AllocError.OutOfMemory); // only reserved and one free chunk each side
      expect(err(a.allocateIn(PageRange.empty(), 1n))).toBe(AllocError.InvalidRequest);
    });

    it("hands out reserved regions only on an explicit reserved request", () => {
      const a = fresh();
      expect(err(a.allocateIn(pages(0x10000n, 0x13000n), 1n))).toBe(AllocError.OutOfMemory);
      const r = ok(a.allocateReserved(pages(0x11000n, 0x12000n)));
      expect(r.isReserved()).toBe(true);
      expect(err(a.allocateReserved(pages(0x12000n, 0x13000n)))).toBe(AllocError.AddressInUse);
      expect(err(a.allocateReserved(pages(0xf000n, 0x10000n)))).toBe(AllocError.NotReserved);
      expect(err(a.allocateReserved(PageRange.empty()))).toBe(AllocError.InvalidRequest);
      r.release();
      expect(freeRegions(a, true)).toEqual(["v0x10000..=v0x13fff"]);
      expect(a.freeReservedChunks()).toBe(4n);
    });

    it("merges freed neighbours back into one region", () => {
      const a = fresh();
      const before = freeRegions(a);
      const x = ok(a.allocate(2n));
      const y = ok(a.allocate(2n));
      const z = ok(a.allocate(2n));
      y.release();
      expect(freeRegions(a)[0]).toBe("v0x3000..=v0x4fff");
      x.release();
      z.release();
      expect(freeRegions(a)).toEqual(before);
      expect(a.allocatedChunks()).toBe(0n);
    });

    it("splits and merges allocations", () => {
      const a = fresh();
      const refusedLow = ok(a.allocate(4n)).split(page(0x1000n)); // empty first half
      expect(refusedLow.second).toBeNull();
      const refusedHigh = refusedLow.first.split(page(0x5000n)); // past the end
      expect(refusedHigh.second).toBeNull();
      expect(`${refusedHigh.first}`).toBe("Allocated(v0x1000..=v0x4fff)"); // the whole, given back
      const halves = refusedHigh.first.split(page(0x3000n));
      const first = halves.first;
      const second = some(halves.second);
      expect(`${first}`).toBe("Allocated(v0x1000..=v0x2fff)");
      expect(`${second}`).toBe("Allocated(v0x3000..=v0x4fff)");
      expect(`${second.start()}..${second.end()}`).toBe("Page(v0x3000)..Page(v0x4000)");
      const other = ok(a.allocate(1n));
      expect(first.merge(other)).toBe(other); // not adjacent: given back
      expect(second.merge(first)).toBeNull();
      expect(`${second.range()}`).toBe("v0x1000..=v0x4fff");
      expect(second.merge(other)).toBeNull();
      expect(second.sizeInBytes()).toBe(0x5000n);
      const reserved = ok(a.allocateReserved(pages(0x10000n, 0x10000n)));
      const next = ok(a.allocateAt(v(0x14000n), 1n));
      const prev = ok(a.allocateAt(v(0xf000n), 1n));
      expect(prev.merge(reserved)).toBe(reserved); // ordinary and reserved never mix
      expect(reserved.merge(next)).toBe(next);
      const b = fresh();
      const foreign = ok(b.allocateAt(v(0x6000n), 1n));
      expect(second.merge(foreign)).toBe(foreign); // another allocator
      second.release();
      expect(a.allocatedChunks()).toBe(3n);
    });

    it("returns chunks at scope exit with using", () => {
      const a = fresh();
      {
        using x = ok(a.allocate(5n));
        expect(a.allocatedChunks()).toBe(5n);
        expect(x.sizeInChunks()).toBe(5n);
      }
      expect(a.allocatedChunks()).toBe(0n);
    });

    it("refuses initialisation while allocations are live", () => {
      const a = fresh();
      const x = ok(a.allocate(1n));
      expectPanic(() => a.addFree(pages(0x300000n, 0x300000n)), "ChunkAllocator.addFree: called while 1 chunks are allocated");
      expectPanic(() => a.addReserved(pages(0x300000n, 0x300000n)), "ChunkAllocator.addReserved");
      x.release();
      a.addFree(pages(0x300000n, 0x300000n));
      a.addFree(PageRange.empty());
      expect(a.freeChunks()).toBe(32n - 4n + 256n + 1n);
    });
  });
}

describe("ChunkAllocator early mode", () => {
  it("reports a full region table on a split and panics when a release cannot be stored", () => {
    const a = new ChunkAllocator<VirtualAddress, Page, PageRange>("tiny", PageRange.empty(), 2);
    a.addFree(pages(0x0n, 0x9000n));
    const low = ok1(a.allocateAt(v(0x0n), 3n)); // free: 3..=9
    const mid = ok1(a.allocateAt(v(0x5000n), 1n)); // free: 3..=4, 6..=9 (full)
    expect(a.allocateAt(v(0x7000n), 1n).error).toBe(AllocError.RegionTableFull);
    expect(`${ok1(a.allocateAt(v(0x6000n), 1n)).range()}`).toBe("v0x6000..=v0x6fff"); // from a region's start: no new region
    const halves = low.split(page(0x2000n)); // 0..=1 and 2..=2
    expect(halves.second).not.toBeNull();
    expectPanic(() => halves.first.release(), "tiny: the early region array is full (capacity 2); upgrade to the heap first");
    mid.release(); // a single chunk: into the magazine, no region storage needed
    expect(a.magazineSize()).toBe(1);
    expect(freeRegions(a)).toEqual(["v0x3000..=v0x4fff", "v0x7000..=v0x9fff"]);
    // A multi-chunk request first puts the magazine back: 5 merges with 3..=4, fewer regions, always fine.
    expect(`${ok1(a.allocateAt(v(0x3000n), 3n)).range()}`).toBe("v0x3000..=v0x5fff");
    expect(a.magazineSize()).toBe(0);
    expect(freeRegions(a)).toEqual(["v0x7000..=v0x9fff"]);
  });

  it("keeps working past the early capacity after the upgrade", () => {
    const a = new ChunkAllocator<VirtualAddress, Page, PageRange>("grows", PageRange.empty(), 2);
    a.addFree(pages(0x0n, 0xfff000n));
    a.upgrade(new NodePool(600));
    const held: AllocatedPages[] = [];
    for (let i = 0n; i < 200n; i++) held.push(ok1(a.allocateAt(v(i * 0x3000n), 2n)));
    expect(a.freeRegionCount(false)).toBe(200);
    for (const h of held) h.release();
    expect(a.freeRegionCount(false)).toBe(1);
    expect(a.freeChunks()).toBe(0x1000n);
  });
});

describe("the magazine of single chunks", () => {
  it("refills in one batch from the lowest region, drains its older half when full, and loses nothing", () => {
    const a = new ChunkAllocator<VirtualAddress, Page, PageRange>("magazine", PageRange.empty(), 4);
    a.addFree(pages(0x10_0000n, 0x1ff_f000n)); // chunks 0x100..=0x1fff
    const total = a.freeChunks();
    const first = ok1(a.allocate(1n));
    expect(`${first.range()}`).toBe("v0x100000..=v0x100fff"); // the lowest chunk first
    expect(a.magazineSize()).toBe(MAGAZINE_BATCH - 1);
    expect(freeRegions(a)).toEqual([`v0x${(0x100 + MAGAZINE_BATCH).toString(16)}000..=v0x1ffffff`]);
    const held: AllocatedPages[] = [first];
    for (let i = 0; i < 200; i++) held.push(ok1(a.allocate(1n)));
    expect(a.allocatedChunks()).toBe(201n);
    expect(a.freeChunks()).toBe(total - 201n);
    for (const h of held) {
      h.release();
      expect(a.magazineSize()).toBeLessThanOrEqual(MAGAZINE_CAPACITY);
    }
    expect(a.magazineSize()).toBeGreaterThan(MAGAZINE_BATCH); // drained once per batch, not per release
    expect(a.freeChunks()).toBe(total);
    expect(a.allocatedChunks()).toBe(0n);
    // Any other request puts the magazine back first: the free memory is one region again.
    const big = ok1(a.allocate(2n));
    expect(a.magazineSize()).toBe(0);
    expect(`${big.range()}`).toBe("v0x100000..=v0x101fff");
    big.release();
    expect(freeRegions(a)).toEqual(["v0x100000..=v0x1ffffff"]);
  });

  it("hands out a chunk held in the magazine to a request at its address", () => {
    const a = new ChunkAllocator<VirtualAddress, Page, PageRange>("magazine", PageRange.empty(), 4);
    a.addFree(pages(0x0n, 0x9000n));
    ok1(a.allocate(1n)).release(); // chunks 0..=9 now all in the magazine
    expect(a.magazineSize()).toBe(10);
    expect(freeRegions(a)).toEqual([]);
    expect(`${ok1(a.allocateAt(v(0x4000n), 1n)).range()}`).toBe("v0x4000..=v0x4fff");
    expect(a.allocate(10n).error).toBe(AllocError.OutOfMemory);
    expect(a.freeChunks()).toBe(9n);
  });

  it("fails a single-chunk request only when no chunk is free", () => {
    const a = new ChunkAllocator<VirtualAddress, Page, PageRange>("magazine", PageRange.empty(), 4);
    a.addFree(pages(0x0n, 0x1000n));
    const x = ok1(a.allocate(1n));
    const y = ok1(a.allocate(1n));
    expect(a.allocate(1n).error).toBe(AllocError.OutOfMemory);
    x.release();
    y.release();
    expect(a.freeChunks()).toBe(2n);
  });
});

describe("global allocators", () => {
  it("are single instances of the one generic allocator", () => {
    expect(pageAllocator).toBeInstanceOf(ChunkAllocator);
    expect(frameAllocator).toBeInstanceOf(ChunkAllocator);
    expect(pageAllocator.id).not.toBe(frameAllocator.id);
    // @ts-expect-error the frame allocator takes frame ranges, not page ranges
    frameAllocator.addFree(pages(0n, 0n));
    // @ts-expect-error the page allocator takes page ranges
    pageAllocator.allocateIn(frames(0n, 0n), 1n);
  });
});

function ok1(r: { allocated: AllocatedPages | null; error: AllocError }): AllocatedPages {
  expect(r.error).toBe(AllocError.None);
  return some(r.allocated);
}
