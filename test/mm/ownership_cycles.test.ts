// The ownership cycles of kernel/tests/ownership_tests.ts (the in-kernel leak proof) run in
// Node on allocators and a mapper over the simulated machine's memory, same counts: the
// allocators' free/allocated chunks and regions and the mapper's table frames must be as
// before (the kernel heap is not up in Node, and JavaScript objects are the GC's: the
// object count is proven in QEMU, where every `new` takes heap storage). The simulated
// machine is slow (a map cycle takes about a millisecond): `make test` runs a hundredth of
// the cycles, `make test-all` (KEEL_TEST_ALL=1) the full counts, as QEMU always does.
// The full counts take minutes of synchronous work, and vitest's worker must answer its runner
// within 60 s (a blocked worker fails the whole run with "Timeout calling onTaskUpdate"), so
// the cycles run in slices with a yield to the event loop between them; counters taken around
// all the slices prove the whole run leak-free, as each slice proves itself.
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

/** A slice of cycles short enough (well under a second) to leave the worker responsive. */
const SLICE = { frame: 10_000n, map: 500n, split: 5_000n };

/**
 * Runs `total` cycles as `slice`-sized calls of `cycles`, yielding between them. Each slice
 * compares its own counters; the counters after the first slice (which warms up: the
 * mapper's first P3 table stays) and after the last must agree too, and each slice printed
 * its line.
 */
async function inSlices(s: ReturnType<typeof setup>, total: bigint, slice: bigint, line: string, cycles: (n: bigint) => void): Promise<void> {
  let afterFirst: Counters | null = null;
  let slices = 0;
  for (let done = 0n; done < total; done += slice) {
    cycles(total - done < slice ? total - done : slice);
    slices++;
    afterFirst ??= new Counters(s.frames, s.pages, s.mapper);
    await new Promise((resolve) => setImmediate(resolve));
  }
  afterFirst?.expectSame(new Counters(s.frames, s.pages, s.mapper));
  expect(failedExpectations()).toEqual([]);
  expect(machine.serial.split("\n").filter((l) => l.endsWith(` ${line}`)).length).toBe(slices);
}

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
  it(`${FRAME_CYCLES} frame allocate/release cycles`, async () => {
    const s = setup();
    await inSlices(s, FRAME_CYCLES, SLICE.frame, "frame allocate/release cycles", (n) => frameCycles(s.frames, s.pages, s.mapper, n));
  }, TIMEOUT);

  it(`${MAP_CYCLES} page+frame allocate/map/write/unmap/release cycles`, async () => {
    const s = setup();
    await inSlices(s, MAP_CYCLES, SLICE.map, "page+frame map/write/unmap/release cycles", (n) => mapCycles(s.frames, s.pages, s.mapper, n));
    expect(s.mapper.tableFrameCount()).toBe(2n); // the P4 and the P3 (P3 tables stay): the empty P2 and P1 tables went back at the counters' prune
  }, TIMEOUT);

  it(`${SPLIT_CYCLES} split/merge/release cycles`, async () => {
    const s = setup();
    await inSlices(s, SPLIT_CYCLES, SLICE.split, "split/merge/release cycles", (n) => splitMergeCycles(s.frames, s.pages, s.mapper, n));
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
