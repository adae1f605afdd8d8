// Huge pages and frames as types (kernel/mm/addr/huge.ts): alignment checked at construction,
// ranges of 4 KiB chunks converted with the misaligned end named, Page.fromIndices; and the
// typed mapper operations (kernel/mm/paging/huge.ts) checked by the software page walker,
// with every frame and table accounted for.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChunkAllocator, type FrameAllocator } from "../../kernel/mm/alloc";
import {
  DIRECT_MAP_BASE, Frame, FrameRange, HugeChunk, HugeRangeError, Page, PageRange, PhysicalAddress, SIZE_1GIB, SIZE_2MIB, VirtualAddress, hugeFrames, hugePages,
} from "../../kernel/mm/addr";
import { MapError, Mapper, PageFlags, mapHugePage, mapHugeRange, unmapHugePage, unmapHugeRange } from "../../kernel/mm/paging";
import { allMappings, walk } from "../sim/page_walker";
import { expectPanic, some, useSimulatedConsole } from "./support";

useSimulatedConsole();

const v = (x: bigint) => some(VirtualAddress.checked(x));
const p = (x: bigint) => some(PhysicalAddress.checked(x));
const page = (x: bigint) => Page.containing(v(x));
const frame = (x: bigint) => Frame.containing(p(x));
const pages = (first: bigint, count: bigint) => PageRange.empty().withNumbers(first >> 12n, count);
const frames = (first: bigint, count: bigint) => FrameRange.empty().withNumbers(first >> 12n, count);

describe("huge pages and frames", () => {
  it("are made only from an aligned first chunk; misaligned gives null, or a panic from the constructor", () => {
    const h = some(hugePages(SIZE_2MIB).at(page(0xffff_c000_0020_0000n)));
    expect(`${h}`).toBe("2 MiB Page(v0xffffc00000200000)");
    expect(h.sizeInBytes()).toBe(0x20_0000n);
    expect(`${h.start()}..=${h.lastAddress()}`).toBe("v0xffffc00000200000..=v0xffffc000003fffff");
    expect(h.firstChunk().number()).toBe(0xffff_c000_0020_0000n >> 12n);
    expect(h.contains(v(0xffff_c000_003f_ffffn)) && !h.contains(v(0xffff_c000_0040_0000n)) && !h.contains(v(0xffff_c000_001f_ffffn))).toBe(true);
    expect(hugePages(SIZE_2MIB).at(page(0xffff_c000_0020_1000n))).toBeNull();
    expect(hugePages(SIZE_1GIB).at(page(0xffff_c000_0020_0000n))).toBeNull();
    expect(`${some(hugePages(SIZE_1GIB).at(page(0xffff_c000_4000_0000n)))}`).toBe("1 GiB Page(v0xffffc00040000000)");
    expect(`${some(hugeFrames(SIZE_1GIB).at(frame(0x4000_0000n)))}`).toBe("1 GiB Frame(p0x40000000)");
    expect(hugeFrames(SIZE_2MIB).at(frame(0x30_0000n))).toBeNull();
    expect(hugeFrames(SIZE_1GIB).at(frame(0x20_0000n))).toBeNull();
    expect(h.at(page(0x1000n))).toBeNull();
    expect(`${h.at(page(0x40_0000n))}`).toBe("2 MiB Page(v0x400000)");
    expectPanic(() => new HugeChunk(SIZE_2MIB, page(0x20_1000n)), "Page(v0x201000) is not 2 MiB aligned");
    expectPanic(() => new HugeChunk(SIZE_1GIB, frame(0x20_0000n)), "Frame(p0x200000) is not 1 GiB aligned");
  });

  it("the containing huge chunk aligns down, in the address's half", () => {
    expect(`${hugePages(SIZE_2MIB).containing(page(0xffff_8000_0035_4321n))}`).toBe("2 MiB Page(v0xffff800000200000)");
    expect(`${hugePages(SIZE_1GIB).containing(page(0xffff_8000_7fff_ffffn))}`).toBe("1 GiB Page(v0xffff800040000000)");
    expect(`${hugePages(SIZE_1GIB).containing(page(0x7fff_ffff_ffffn))}`).toBe("1 GiB Page(v0x7fffc0000000)");
    expect(`${hugeFrames(SIZE_2MIB).containing(frame(0x12_3456n))}`).toBe("2 MiB Frame(p0x0)");
    const h = hugePages(SIZE_2MIB).containing(page(0x40_0000n));
    expect(h.contains(v(0x5f_ffffn)) && h.contains(v(0x40_0000n))).toBe(true);
    expect(h.contains(v(0x60_0000n)) || h.contains(v(0x3f_ffffn))).toBe(false);
  });

  it("step by their size and stop at the end of the segment", () => {
    const top = hugePages(SIZE_2MIB).containing(page(0xffff_ffff_ffff_ffffn));
    expect(`${top}`).toBe("2 MiB Page(v0xffffffffffe00000)");
    expect(top.next()).toBeNull();
    const lowTop = hugePages(SIZE_1GIB).containing(page(0x7fff_ffff_ffffn));
    expect(lowTop.next()).toBeNull(); // the non-canonical hole is not crossed
    expect(`${hugeFrames(SIZE_1GIB).containing(frame(0n)).add(3n)}`).toBe("1 GiB Frame(p0xc0000000)");
    expect(hugeFrames(SIZE_1GIB).containing(frame(0n)).add(1n << 40n)).toBeNull();
    const a = hugePages(SIZE_2MIB).containing(page(0x20_0000n));
    expect(a.equals(some(a.add(0n)))).toBe(true);
    expect(a.equals(some(a.next()))).toBe(false);
  });

  it("P4/P3/P2/P1 indices build a page (sign-extended from P4 index 256), each checked below 512", () => {
    expect(`${Page.fromIndices(0, 0, 1, 0)}`).toBe("Page(v0x200000)");
    expect(`${Page.fromIndices(256, 0, 0, 0)}`).toBe("Page(v0xffff800000000000)");
    expect(`${Page.fromIndices(511, 511, 511, 511)}`).toBe("Page(v0xfffffffffffff000)");
    expect(`${Page.fromIndices(255, 511, 511, 511)}`).toBe("Page(v0x7ffffffff000)");
    for (const bad of [[512, 0, 0, 0], [0, 512, 0, 0], [0, 0, 512, 0], [0, 0, 0, 512], [0xffff_ffff, 0, 0, 0]]) {
      expect(Page.fromIndices(bad[0]!, bad[1]!, bad[2]!, bad[3]!)).toBeNull();
    }
    const i = (x: number) => fc.integer({ min: 0, max: x });
    fc.assert(
      fc.property(i(511), i(511), i(511), i(511), (a, b, c, d) => {
        const pg = some(Page.fromIndices(a, b, c, d));
        expect([pg.p4Index(), pg.p3Index(), pg.p2Index(), pg.p1Index()]).toEqual([a, b, c, d]);
        expect(pg.start().value() >> 47n === 0n || pg.start().value() >> 47n === 0x1_ffffn).toBe(true);
        expect(hugePages(SIZE_2MIB).at(pg) !== null).toBe(d === 0);
        expect(hugePages(SIZE_1GIB).at(pg) !== null).toBe(c === 0 && d === 0);
      }),
    );
  });
});

describe("ranges of 4 KiB chunks as huge ranges", () => {
  it("convert when both ends are aligned, and name the end that is not", () => {
    const ok = hugePages(SIZE_2MIB).rangeOf(pages(0xffff_c000_0020_0000n, 1024n));
    expect(ok.error).toBe(HugeRangeError.None);
    const r = some(ok.range);
    expect(r.sizeInHugeChunks()).toBe(2n);
    expect(`${r}`).toBe("v0xffffc00000200000..=v0xffffc000005fffff (2 × 2 MiB)");
    expect([...r].map((h) => `${h.start()}`)).toEqual(["v0xffffc00000200000", "v0xffffc00000400000"]);
    expect(r.sizeInChunks()).toBe(1024n);
    expect(`${r.end()}`).toBe("2 MiB Page(v0xffffc00000400000)");

    const start = hugeFrames(SIZE_2MIB).rangeOf(frames(0x20_1000n, 512n));
    expect(start.error).toBe(HugeRangeError.StartMisaligned);
    expect(start.range).toBeNull();
    expect(`${start}`).toBe("the start p0x201000 is not 2 MiB aligned");
    const end = hugeFrames(SIZE_2MIB).rangeOf(frames(0x20_0000n, 511n));
    expect(end.error).toBe(HugeRangeError.EndMisaligned);
    expect(`${end}`).toBe("the end p0x3fefff is not 2 MiB aligned (the last byte must be one below a multiple of 2 MiB)");
    expect(`${hugeFrames(SIZE_1GIB).rangeOf(frames(0n, 0x4_0000n)).range}`).toBe("p0x0..=p0x3fffffff (1 × 1 GiB)");
    expect(`${hugePages(SIZE_1GIB).rangeOf(pages(0x20_0000n, 0x4_0000n))}`).toBe("the start v0x200000 is not 1 GiB aligned");
    const empty = hugePages(SIZE_1GIB).rangeOf(PageRange.empty());
    expect(empty.isOk() && some(empty.range).isEmpty() && `${empty.range}` === "empty").toBe(true);
  });

  it("convert exactly the aligned ranges (property), up to the top of the address space", () => {
    const top = 0xf_ffff_ffff_ffffn; // last frame number in 64-bit chunk numbering; frames end lower
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 40n) - 5001n }), fc.bigInt({ min: 1n, max: 5000n }), (first, count) => {
        const res = hugeFrames(SIZE_2MIB).rangeOf(FrameRange.empty().withNumbers(first, count));
        const startOk = first % 512n === 0n;
        const endOk = (first + count) % 512n === 0n;
        expect(res.error).toBe(!startOk ? HugeRangeError.StartMisaligned : !endOk ? HugeRangeError.EndMisaligned : HugeRangeError.None);
        if (res.range !== null) {
          expect(res.range.sizeInHugeChunks()).toBe(count / 512n);
          expect(some(res.range.start()).firstChunk().number()).toBe(first);
          expect(res.range.sizeInBytes()).toBe(count * 4096n);
        }
      }),
    );
    const last = some(hugePages(SIZE_2MIB).rangeOf(PageRange.empty().withNumbers(top - 1023n, 1024n)).range);
    expect(`${last}`).toBe("v0xffffffffffc00000..=v0xffffffffffffffff (2 × 2 MiB)");
    expectPanic(() => last.iterAt(2n), "index 2 out of 2");
  });
});

/** A mapper over simulated memory, with a frame allocator whose frames it takes tables from. */
function setup(): { frames: FrameAllocator; m: Mapper } {
  const frames = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>("test frames", FrameRange.empty(), 64);
  frames.addFree(FrameRange.empty().withNumbers(0x100n, 0x800n));
  return { frames, m: Mapper.create(frames, DIRECT_MAP_BASE, 0n) };
}

describe("mapping huge pages with the typed API", () => {
  it("maps, translates (with the page size), unmaps a 2 MiB and a 1 GiB page; counts and frames come back", () => {
    const s = setup();
    const rw = PageFlags.readWrite();
    const p2 = some(hugePages(SIZE_2MIB).at(page(0xffff_c020_0020_0000n)));
    const f2 = some(hugeFrames(SIZE_2MIB).at(frame(0x60_0000n)));
    const p1g = some(hugePages(SIZE_1GIB).at(page(0xffff_c040_4000_0000n)));
    const f1g = some(hugeFrames(SIZE_1GIB).at(frame(0x4000_0000n)));
    const before = s.frames.allocatedChunks();
    expect(mapHugePage(s.m, p2, f2, rw).error).toBe(MapError.None);
    expect(mapHugePage(s.m, p1g, f1g, PageFlags.readOnly()).error).toBe(MapError.None);
    const t = some(s.m.translateMapping(v(0xffff_c020_0021_2345n)));
    expect([t.address.value(), t.pageSize, t.flags.isWritable()]).toEqual([0x61_2345n, 0x20_0000n, true]);
    const g = some(s.m.translateMapping(v(0xffff_c040_7fff_fff8n)));
    expect([g.address.value(), g.pageSize, g.flags.isWritable()]).toEqual([0x7fff_fff8n, 0x4000_0000n, false]);
    expect(some(walk(s.m.p4Address(), 0xffff_c040_7fff_fff8n, DIRECT_MAP_BASE)).size).toBe(0x4000_0000n);
    const small = setupPage(s);
    expect(some(s.m.translateMapping(small)).pageSize).toBe(4096n);

    // errors: the other size, a misaligned start, a 4 KiB page where a huge page is expected
    expect(s.m.unmapHuge(p2.firstChunk(), 0x4000_0000n).error).toBe(MapError.Misaligned);
    expect(s.m.unmapHuge(p2.firstChunk(), 0x8000n).error).toBe(MapError.UnsupportedSize);
    expect(unmapHugePage(s.m, some(hugePages(SIZE_1GIB).at(page(0xffff_c020_0000_0000n)))).error).toBe(MapError.TableInTheWay);
    expect(unmapHugePage(s.m, hugePages(SIZE_2MIB).containing(page(0xffff_c040_4020_0000n))).error).toBe(MapError.HugePageInTheWay);
    expect(unmapHugePage(s.m, hugePages(SIZE_2MIB).containing(Page.containing(small))).error).toBe(MapError.TableInTheWay);
    expect(unmapHugePage(s.m, hugePages(SIZE_2MIB).containing(page(0xffff_d000_0000_0000n))).error).toBe(MapError.NotMapped);
    expect(s.m.unmapPage(Page.containing(v(0xffff_c020_0021_2345n))).error).toBe(MapError.HugePageInTheWay);

    expect(unmapHugePage(s.m, p2).error).toBe(MapError.None);
    expect(unmapHugePage(s.m, p2).error).toBe(MapError.NotMapped);
    expect(unmapHugePage(s.m, p1g).error).toBe(MapError.None);
    expect(s.m.translateMapping(v(0xffff_c020_0021_2345n))).toBeNull();
    expect(s.m.translate(v(0xffff_c040_4000_0000n))).toBeNull();
    expect(s.m.unmapPage(Page.containing(small)).error).toBe(MapError.None);
    expect(allMappings(s.m.p4Address(), DIRECT_MAP_BASE)).toEqual([]);
    // the parents' counts are right: prune gives back every table but the P4 and the P3s
    s.m.prune();
    expect(s.frames.allocatedChunks()).toBe(before + 1n);
    expect(s.m.tableFrameCount()).toBe(2n); // P4 and the one P3 of 0xffff_c000_0000_0000..
  });

  it("maps and unmaps ranges of huge pages; mismatched and overlapping requests leave no trace", () => {
    const s = setup();
    const rw = PageFlags.readWrite();
    const hp = some(hugePages(SIZE_2MIB).rangeOf(pages(0xffff_c020_3fc0_0000n, 2048n)).range); // crosses a 1 GiB boundary
    const hf = some(hugeFrames(SIZE_2MIB).rangeOf(frames(0x1_0000_0000n, 2048n)).range);
    const two = some(hugeFrames(SIZE_2MIB).rangeOf(frames(0n, 1024n)).range);
    const tables = s.m.tableFrameCount();
    expect(mapHugeRange(s.m, hp, two, rw).error).toBe(MapError.SizeMismatch);
    expect(s.m.tableFrameCount()).toBe(tables);
    expect(mapHugeRange(s.m, hp, hf, rw).error).toBe(MapError.None);
    const found = allMappings(s.m.p4Address(), DIRECT_MAP_BASE);
    expect(found.map((f) => [f.virt, f.t.phys, f.t.size])).toEqual([0n, 1n, 2n, 3n].map((i) => [0xffff_c020_3fc0_0000n + i * 0x20_0000n, 0x1_0000_0000n + i * 0x20_0000n, 0x20_0000n]));
    // a second run overlapping the last page maps nothing
    const over = some(hugePages(SIZE_2MIB).rangeOf(pages(0xffff_c020_4020_0000n, 1024n)).range);
    const again = mapHugeRange(s.m, over, two, rw);
    expect(again.error).toBe(MapError.AlreadyMapped);
    expect(again.existing?.start().value()).toBe(0x1_0060_0000n);
    expect(allMappings(s.m.p4Address(), DIRECT_MAP_BASE).length).toBe(4);
    expect(unmapHugeRange(s.m, hp).error).toBe(MapError.None);
    expect(allMappings(s.m.p4Address(), DIRECT_MAP_BASE)).toEqual([]);
    s.m.prune();
    expect(s.frames.allocatedChunks()).toBe(s.m.tableFrameCount());
  });
});

/** Maps one 4 KiB page next to the huge ones; returns its address. */
function setupPage(s: { m: Mapper }): VirtualAddress {
  const a = v(0xffff_c020_0040_3000n);
  expect(s.m.mapPage(Page.containing(a), frame(0x5000n), PageFlags.readWrite()).error).toBe(MapError.None);
  return a;
}
