// The ownership cycles of kernel/tests/ownership_tests.ts (the in-kernel leak proof) run in
// Node on allocators and a mapper over the simulated machine's memory, same counts: the
// allocators' free/allocated chunks and regions and the mapper's table frames must be as
// before (the kernel heap is not up in Node, and JavaScript objects are the GC's: the
// object count is proven in QEMU, where every `new` takes heap storage). The simulated
// machine is slow (a map cycle takes about a millisecond): `make test` runs a hundredth of
// the cycles, `make test-all` (KEEL_TEST_ALL=1) the full counts, as QEMU always does.
import { describe, expect, it } from "vitest";
import { DIRECT_MAP_BASE, FrameRange, PageRange, type Frame, type Page, type PhysicalAddress, type VirtualAddress } from "../../kernel/mm/addr";
import { ChunkAllocator } from "../../kernel/mm/alloc";
import { Mapper } from "../../kernel/mm/paging";
import { Counters, frameCycles, mapCycles, splitMergeCycles } from "../../kernel/tests/ownership_tests";
import { machine } from "../sim/machine";
import { useSimulatedConsole } from "./support";

useSimulatedConsole();

const SCALE = process.env.KEEL_TEST_ALL ? 1n : 100n;
const FRAME_CYCLES = 1_000_000n / SCALE;
const MAP_CYCLES = 100_000n / SCALE;
const SPLIT_CYCLES = 100_000n / SCALE;
const TIMEOUT = process.env.KEEL_TEST_ALL ? 1_800_000 : 120_000;

/** Failed expectations print `# file:line:col: message` on the console. */
function failedExpectations(): string[] {
  return machine.serial.split("\n").filter((l) => /^# \S+:\d+:\d+: /.test(l));
}

function setup() {
  const frames = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>("test frames", FrameRange.empty(), 64);
  frames.addFree(FrameRange.empty().withNumbers(0x100n, 0x800n));
  const pages = new ChunkAllocator<VirtualAddress, Page, PageRange>("test pages", PageRange.empty(), 64);
  pages.addFree(PageRange.empty().withNumbers((0xffff_c010_4000_0000n >> 12n) - 256n, 0x1000n));
  return { frames, pages, mapper: Mapper.create(frames, DIRECT_MAP_BASE, 0n) };
}

describe("owned values leak nothing (the in-kernel cycles, in Node)", () => {
  it(`${FRAME_CYCLES} frame allocate/release cycles`, () => {
    const s = setup();
    frameCycles(s.frames, s.pages, s.mapper, FRAME_CYCLES);
    expect(failedExpectations()).toEqual([]);
    expect(machine.serial).toContain(`# ${FRAME_CYCLES} frame allocate/release cycles`);
  }, TIMEOUT);

  it(`${MAP_CYCLES} page+frame allocate/map/write/unmap/release cycles`, () => {
    const s = setup();
    mapCycles(s.frames, s.pages, s.mapper, MAP_CYCLES);
    expect(failedExpectations()).toEqual([]);
    expect(s.mapper.tableFrameCount()).toBe(2n); // the P4 and the P3 (P3 tables stay): the empty P2 and P1 tables went back at the counters' prune
  }, TIMEOUT);

  it(`${SPLIT_CYCLES} split/merge/release cycles`, () => {
    const s = setup();
    splitMergeCycles(s.frames, s.pages, s.mapper, SPLIT_CYCLES);
    expect(failedExpectations()).toEqual([]);
  }, TIMEOUT);

  it("the counters see a leak: one frame held across the comparison fails it", () => {
    const s = setup();
    const before = new Counters(s.frames, s.pages, s.mapper);
    const held = s.frames.allocate(1n).allocated;
    before.expectSame(new Counters(s.frames, s.pages, s.mapper));
    expect(failedExpectations().join("\n")).toMatch(/free frames unchanged/);
    held?.release();
  });
});
