// The mapper in Node: its tables are checked by the independent software walker in
// test/sim/page_walker.ts (reading the bytes the mapper wrote at direct-map addresses of
// the simulated memory), against a Map model under random map/release/remap/translate
// sequences (fast-check), plus one test per error kind and MappedPages' access checks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AllocatedFrames, type AllocatedPages, ChunkAllocator, type FrameAllocator, type PageAllocator } from "../../kernel/mm/alloc";
import { DIRECT_MAP_BASE, Frame, FrameRange, Page, PageRange, PhysicalAddress, VirtualAddress } from "../../kernel/mm/addr";
import { MapError, type MappedPages, Mapper, PageFlags } from "../../kernel/mm/paging";
import { allMappings, walk } from "../sim/page_walker";
import { expectPanic, some, useSimulatedConsole } from "./support";

useSimulatedConsole();

const FRAMES_FIRST = 0x100n; // 1 MiB
const FRAME_COUNT = 0x800n; // 8 MiB
/** Page window: starts 256 pages below a 2 MiB boundary, and 1 GiB boundary, so runs cross P1 and P2 tables. */
const WINDOW_FIRST = (0xffff_c010_4000_0000n >> 12n) - 256n;
const WINDOW_PAGES = 1536n;

interface Setup {
  frames: FrameAllocator;
  pages: PageAllocator;
  m: Mapper;
}

function setup(frameCount: bigint = FRAME_COUNT): Setup {
  const frames = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>("test frames", FrameRange.empty(), 64);
  frames.addFree(FrameRange.empty().withNumbers(FRAMES_FIRST, frameCount));
  const pages = new ChunkAllocator<VirtualAddress, Page, PageRange>("test pages", PageRange.empty(), 64);
  pages.addFree(PageRange.empty().withNumbers(WINDOW_FIRST - 0x10_0000n, 0x20_0000n));
  return { frames, pages, m: Mapper.create(frames, DIRECT_MAP_BASE, 0n) };
}

const va = (x: bigint) => some(VirtualAddress.checked(x));
const pageAt = (n: bigint) => some(Page.fromNumber(n));
const pa = (x: bigint) => some(PhysicalAddress.checked(x));
const frameAt = (x: bigint) => Frame.containing(pa(x));

function take(s: Setup, pageNum: bigint, count: bigint): { p: AllocatedPages; f: AllocatedFrames } | null {
  const p = s.pages.allocateAt(pageAt(pageNum).start(), count).allocated;
  if (!p) return null;
  const f = s.frames.allocate(count).allocated;
  if (!f) {
    p.release();
    return null;
  }
  return { p, f };
}

const FLAGS = [PageFlags.readOnly(), PageFlags.readWrite(), PageFlags.readExecute()];

interface Live {
  mp: MappedPages;
  first: bigint;
  count: bigint;
  frame: bigint;
  flags: number;
}

describe("Mapper against the software page walker", () => {
  it("random map / release / remap / translate sequences agree with a Map model", () => {
    const op = fc.record({ kind: fc.nat({ max: 9 }), a: fc.nat(), b: fc.integer({ min: 1, max: 40 }), c: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const s = setup();
        const live: Live[] = [];
        const model = new Map<bigint, { frame: bigint; flags: number }>();
        for (const o of ops) {
          if (o.kind <= 3) {
            const first = WINDOW_FIRST + BigInt(o.a % Number(WINDOW_PAGES));
            const count = BigInt(o.b);
            const got = take(s, first, count);
            if (!got) continue;
            const frame = got.f.range().firstNumber();
            const flags = o.c % 3;
            const r = s.m.map(got.p, got.f, FLAGS[flags]!);
            expect(r.error).toBe(MapError.None);
            live.push({ mp: some(r.mapped), first, count, frame, flags });
            for (let i = 0n; i < count; i++) model.set(first + i, { frame: frame + i, flags });
          } else if (o.kind <= 5 && live.length > 0) {
            const [l] = live.splice(o.a % live.length, 1);
            l!.mp.release();
            for (let i = 0n; i < l!.count; i++) model.delete(l!.first + i);
          } else if (o.kind === 6 && live.length > 0) {
            const l = live[o.a % live.length]!;
            l.flags = (l.flags + 1 + (o.c % 2)) % 3;
            l.mp.remap(FLAGS[l.flags]!);
            for (let i = 0n; i < l.count; i++) model.set(l.first + i, { frame: l.frame + i, flags: l.flags });
          } else {
            const pn = WINDOW_FIRST + BigInt(o.a % Number(WINDOW_PAGES));
            const addr = (pn << 12n) | BigInt(o.c % 4096);
            const want = model.get(pn);
            const got = s.m.translate(va(addr));
            const walked = walk(s.m.p4Address(), addr, DIRECT_MAP_BASE);
            if (want === undefined) {
              expect(got).toBeNull();
              expect(walked).toBeNull();
            } else {
              expect(got?.value()).toBe((want.frame << 12n) | BigInt(o.c % 4096));
              expect(walked?.phys).toBe(got?.value());
            }
          }
        }
        // Every mapping the walker finds is in the model, with its frame and permissions, and vice versa.
        const found = allMappings(s.m.p4Address(), DIRECT_MAP_BASE);
        expect(found.length).toBe(model.size);
        for (const { virt, t } of found) {
          const want = model.get(virt >> 12n);
          expect(want, `unexpected mapping at 0x${virt.toString(16)}`).toBeDefined();
          expect(t.size).toBe(4096n);
          expect(t.phys).toBe(want!.frame << 12n);
          expect(t.writable).toBe(want!.flags === 1);
          expect(t.executable).toBe(want!.flags === 2);
          expect(t.user).toBe(false);
          expect(t.writable && t.executable).toBe(false);
        }
        // Frames: the mappings' plus the page tables', nothing else.
        let mappedFrames = 0n;
        for (const l of live) mappedFrames += l.count;
        expect(s.frames.allocatedChunks()).toBe(mappedFrames + s.m.tableFrameCount());
        // Releasing everything, then pruning the empty tables unmap kept, gives back every
        // frame but the P4 and the P3 tables (kept).
        for (const l of live) l.mp.release();
        expect(allMappings(s.m.p4Address(), DIRECT_MAP_BASE)).toEqual([]);
        s.m.prune();
        expect(s.m.tableFrameCount()).toBeLessThanOrEqual(3n);
        expect(s.frames.allocatedChunks()).toBe(s.m.tableFrameCount());
        expect(s.pages.allocatedChunks()).toBe(0n);
      }),
      { numRuns: 60 },
    );
  });
});

describe("Mapper errors: one per cause", () => {
  it("SizeMismatch gives the pages and frames back", () => {
    const s = setup();
    const p = some(s.pages.allocate(2n).allocated);
    const f = some(s.frames.allocate(3n).allocated);
    const r = s.m.map(p, f, PageFlags.readWrite());
    expect(r.error).toBe(MapError.SizeMismatch);
    expect(r.mapped).toBeNull();
    expect(s.pages.allocatedChunks()).toBe(0n);
    expect(s.frames.allocatedChunks()).toBe(1n); // the P4
  });

  it("WritableAndExecutable is refused by map, mapPage and remap", () => {
    const s = setup();
    const wx = PageFlags.readWrite().withExecutable(true);
    expect(wx.toString()).toBe("RWX");
    const got = some(take(s, WINDOW_FIRST, 1n));
    expect(s.m.map(got.p, got.f, wx).error).toBe(MapError.WritableAndExecutable);
    expect(s.m.mapPage(pageAt(WINDOW_FIRST), frameAt(0x5000n), wx).error).toBe(MapError.WritableAndExecutable);
    const again = some(take(s, WINDOW_FIRST, 1n));
    const mp = some(s.m.map(again.p, again.f, PageFlags.readWrite()).mapped);
    expectPanic(() => mp.remap(wx), "refused");
  });

  it("AlreadyMapped (with the frame there), NotMapped, HugePageInTheWay, TableInTheWay, Misaligned, UnsupportedSize, OutOfRange", () => {
    const s = setup();
    expect(s.m.mapPage(pageAt(WINDOW_FIRST), frameAt(0x5000n), PageFlags.readOnly()).error).toBe(MapError.None);
    const again = s.m.mapPage(pageAt(WINDOW_FIRST), frameAt(0x6000n), PageFlags.readOnly());
    expect(again.error).toBe(MapError.AlreadyMapped);
    expect(again.existing?.number()).toBe(5n);
    expect(s.m.unmapPage(pageAt(WINDOW_FIRST + 1n)).error).toBe(MapError.NotMapped);
    expect(s.m.remapPage(pageAt(WINDOW_FIRST + 1n), PageFlags.readOnly()).error).toBe(MapError.NotMapped);
    const huge = va(0xffff_c020_0000_0000n);
    expect(s.m.mapHuge2M(huge, pa(0x20_0000n), PageFlags.readWrite()).error).toBe(MapError.None);
    const twice = s.m.mapHuge2M(huge, pa(0x40_0000n), PageFlags.readWrite());
    expect(twice.error).toBe(MapError.AlreadyMapped);
    expect(twice.existing?.start().value()).toBe(0x20_0000n);
    expect(s.m.mapPage(Page.containing(va(huge.value() + 0x3000n)), frameAt(0x5000n), PageFlags.readWrite()).error).toBe(MapError.HugePageInTheWay);
    expect(s.m.unmapPage(Page.containing(va(huge.value() + 0x3000n))).error).toBe(MapError.HugePageInTheWay);
    expect(s.m.mapHuge2M(va(huge.value() + 0x20_1000n), pa(0x20_0000n), PageFlags.readWrite()).error).toBe(MapError.Misaligned);
    expect(s.m.mapHuge2M(va(huge.value() + 0x20_0000n), pa(0x20_1000n), PageFlags.readWrite()).error).toBe(MapError.Misaligned);
    expect(s.m.mapContiguous(huge, pa(0n), 1n, 0x8000n, PageFlags.readWrite()).error).toBe(MapError.UnsupportedSize);
    expect(s.m.mapContiguous(va(0xffff_ffff_ffe0_0000n), pa(0n), 2n, 0x20_0000n, PageFlags.readWrite()).error).toBe(MapError.OutOfRange);
    expect(s.m.mapContiguous(va(0x7fff_ffe0_0000n), pa(0n), 2n, 0x20_0000n, PageFlags.readWrite()).error).toBe(MapError.OutOfRange);
    // a run whose frames would pass the top of physical memory (2^52) is refused whole,
    // not masked into low memory; nothing of it stays mapped
    const tablesBefore = s.m.tableFrameCount();
    expect(s.m.mapContiguous(va(0xffff_c030_0000_0000n), pa(0xf_ffff_ffe0_0000n), 2n, 0x20_0000n, PageFlags.readWrite()).error).toBe(MapError.OutOfRange);
    expect(s.m.translate(va(0xffff_c030_0000_0000n))).toBe(null);
    expect(s.m.tableFrameCount()).toBe(tablesBefore); // refused before any table is made
    expect(s.m.mapContiguous(va(0xffff_c030_0000_0000n), pa(0xf_ffff_ffe0_0000n), 1n, 0x20_0000n, PageFlags.readWrite()).error).toBe(MapError.None);
    expect(s.m.translate(va(0xffff_c030_001f_ffffn))?.value()).toBe(0xf_ffff_ffff_ffffn);
    // a P1 table with a page in it where a huge page is asked for; once the page is
    // unmapped, the empty table kept for it gives way to the huge page
    const block = va(WINDOW_FIRST << 12n & ~0x1f_ffffn);
    expect(s.m.mapHuge2M(block, pa(0x20_0000n), PageFlags.readWrite()).error).toBe(MapError.TableInTheWay);
    expect(s.m.unmapPage(pageAt(WINDOW_FIRST)).error).toBe(MapError.None);
    const tables = s.m.tableFrameCount();
    expect(s.m.mapHuge2M(block, pa(0x20_0000n), PageFlags.readWrite()).error).toBe(MapError.None);
    expect(s.m.tableFrameCount()).toBe(tables - 1n);
    expect(s.m.translate(va(block.value() + 0x1234n))?.value()).toBe(0x20_1234n);
    // translate through the huge page, and the walker agrees
    expect(s.m.translate(va(huge.value() + 0x12_3456n))?.value()).toBe(0x32_3456n);
    const t = some(walk(s.m.p4Address(), huge.value() + 0x12_3456n, DIRECT_MAP_BASE));
    expect(t.size).toBe(0x20_0000n);
    expect(t.phys).toBe(0x32_3456n);
    expect(t.executable).toBe(false);
  });

  it("OutOfFrames half way rolls back what was mapped and gives every frame back", () => {
    // P4 + 3 frames left for tables after the data frames: a run that crosses into a new
    // P2 region needs more tables than are left.
    const s = setup(1n + 3n + 600n);
    const first = (0xffff_c010_4000_0000n >> 12n) - 300n; // crosses a 1 GiB boundary: needs a second P2 and P1
    const got = some(take(s, first, 600n));
    expect(s.frames.freeChunks()).toBe(3n);
    const r = s.m.map(got.p, got.f, PageFlags.readWrite());
    expect(r.error).toBe(MapError.OutOfFrames);
    expect(allMappings(s.m.p4Address(), DIRECT_MAP_BASE)).toEqual([]);
    expect(s.pages.allocatedChunks()).toBe(0n);
    // every frame back but the tables; after a prune, all but the P4 and the kept P3
    expect(s.frames.allocatedChunks()).toBe(s.m.tableFrameCount());
    const held = s.m.tableFrameCount();
    expect(s.m.prune()).toBe(held - 2n);
    expect(s.m.tableFrameCount()).toBe(2n);
    expect(s.frames.allocatedChunks()).toBe(2n);
  });

  it("memory pressure: a map that finds no frame for a table prunes the empty ones and retries", () => {
    const s = setup(1n + 3n + 2n); // P4, P3, P2, P1 for the first page; then one data frame each
    const a = some(take(s, WINDOW_FIRST, 1n));
    const first = some(s.m.map(a.p, a.f, PageFlags.readWrite()).mapped);
    first.release(); // its P2 and P1 stay, empty
    expect(s.m.tableFrameCount()).toBe(4n);
    const far = WINDOW_FIRST + 0x4_0000n; // 1 GiB further: needs a P2 and a P1 of its own
    const b = some(take(s, far, 1n));
    expect(s.frames.freeChunks()).toBe(1n);
    const r = s.m.map(b.p, b.f, PageFlags.readWrite());
    expect(r.error).toBe(MapError.None); // the empty P2 and P1 went back and were taken again
    expect(s.m.tableFrameCount()).toBe(4n);
    some(r.mapped).release();
  });
});

describe("MappedPages", () => {
  it("reads and writes in bounds, refuses out of range and writes to read-only mappings", () => {
    const s = setup();
    const got = some(take(s, WINDOW_FIRST, 2n));
    const mp = some(s.m.map(got.p, got.f, PageFlags.readWrite()).mapped);
    mp.write64(0n, 0x1122_3344_5566_7788n);
    mp.write32(8188n, 0xdead_beef);
    expect(mp.read64(0n)).toBe(0x1122_3344_5566_7788n);
    expect(mp.read8(0n)).toBe(0x88);
    expect(mp.read16(6n)).toBe(0x1122);
    expect(mp.read32(8188n)).toBe(0xdead_beef);
    expectPanic(() => mp.read64(8185n), "leave the mapping of 8192 bytes");
    expectPanic(() => mp.write8(8192n, 1), "leave the mapping");
    expectPanic(() => mp.read8(0xffff_ffff_ffff_ffffn), "leave the mapping");
    mp.remap(PageFlags.readOnly());
    expect(mp.read64(0n)).toBe(0x1122_3344_5566_7788n);
    expectPanic(() => mp.write8(0n, 1), "write to the read-only mapping");
    expect(mp.toString()).toMatch(/^MappedPages\(v0x.*-> p0x.* R--\)$/);
    mp.release();
    expect(s.m.translate(va(WINDOW_FIRST << 12n))).toBeNull();
    // Use after release is a compile error (test/compiler/fixtures/reject/use_after_consume.ts).
  });

  it("split keeps each page on its frame and flags; refused splits give the mapping back; the parts release everything", () => {
    const s = setup();
    const got = some(take(s, WINDOW_FIRST, 4n));
    const frame = got.f.range().firstNumber();
    const mp = some(s.m.map(got.p, got.f, PageFlags.readOnly()).mapped);
    const whole = mp.split(pageAt(WINDOW_FIRST)); // at the first page: nothing before it
    expect(whole.second).toBeNull();
    const again = whole.first.split(pageAt(WINDOW_FIRST + 4n)); // past the end
    expect(again.second).toBeNull();
    const halves = again.first.split(pageAt(WINDOW_FIRST + 1n));
    const low = halves.first;
    const high = some(halves.second);
    expect([low.pageRange().firstNumber(), low.pageRange().sizeInChunks(), low.frameRange().firstNumber()]).toEqual([WINDOW_FIRST, 1n, frame]);
    expect([high.pageRange().firstNumber(), high.pageRange().sizeInChunks(), high.frameRange().firstNumber()]).toEqual([WINDOW_FIRST + 1n, 3n, frame + 1n]);
    expect(high.pageFlags().toString()).toBe("R--");
    const parts = high.split(pageAt(WINDOW_FIRST + 3n));
    const last = some(parts.second);
    expect(last.frameRange().firstNumber()).toBe(frame + 3n);
    // nothing was remapped: the walker sees the same four mappings
    expect(allMappings(s.m.p4Address(), DIRECT_MAP_BASE).map((f) => f.t.phys >> 12n)).toEqual([frame, frame + 1n, frame + 2n, frame + 3n]);
    parts.first.release();
    expect(s.m.translate(va((WINDOW_FIRST + 1n) << 12n))).toBeNull();
    expect(s.m.translate(va((WINDOW_FIRST + 3n) << 12n))?.value()).toBe((frame + 3n) << 12n);
    low.release();
    last.release();
    expect(allMappings(s.m.p4Address(), DIRECT_MAP_BASE)).toEqual([]);
    expect(s.pages.allocatedChunks()).toBe(0n);
    s.m.prune();
    expect(s.frames.allocatedChunks()).toBe(s.m.tableFrameCount());
  });
});
