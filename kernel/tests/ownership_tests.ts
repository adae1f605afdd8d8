// Proof that owned values take no heap storage and leak nothing: many allocate/release,
// map/write/unmap/release and split/merge/release cycles, after which the heap's bytes and
// objects (every `new` after initMemory takes heap storage), the allocators' free and
// allocated chunks and regions, and the mapper's table frames are exactly as before. The
// same functions run in QEMU (KTAP, on the kernel's allocators and page tables) and in Node
// (test/mm/ownership_cycles.test.ts, on allocators and a mapper over simulated memory).
import { u64, type bool, type u32 } from "../lib/int";
import { expect, expectEqU64 } from "../lib/ktap";
import { println } from "../lib/console";
import type { FrameAllocator, PageAllocator } from "../mm/alloc";
import { heapBlocksUsed, heapBytesUsed } from "../mm/heap";
import { PageFlags, type Mapper } from "../mm/paging";

/** Everything a leak would change, read before and after the cycles. */
export class Counters {
  readonly heapBytes: u64;
  readonly heapObjects: u64;
  readonly freeFrames: u64;
  readonly allocatedFrames: u64;
  readonly frameRegions: u32;
  readonly freePages: u64;
  readonly allocatedPages: u64;
  readonly tableFrames: u64;

  constructor(frames: FrameAllocator, pages: PageAllocator, mapper: Mapper) {
    // Single chunks released into the magazines go back to the regions before counting
    // them, and the empty page tables the mapper keeps go back to the frame allocator.
    mapper.prune();
    frames.flushMagazine();
    pages.flushMagazine();
    this.heapBytes = heapBytesUsed();
    this.heapObjects = heapBlocksUsed();
    this.freeFrames = frames.freeChunks();
    this.allocatedFrames = frames.allocatedChunks();
    this.frameRegions = frames.freeRegionCount(false);
    this.freePages = pages.freeChunks();
    this.allocatedPages = pages.allocatedChunks();
    this.tableFrames = mapper.tableFrameCount();
  }

  /** Expects `now` to equal these counters. */
  expectSame(now: Counters): void {
    println(`# heap: ${this.heapObjects} objects in ${this.heapBytes} bytes before, ${now.heapObjects} in ${now.heapBytes} after`);
    expectEqU64(now.heapBytes, this.heapBytes, "heap bytes in use unchanged");
    expectEqU64(now.heapObjects, this.heapObjects, "heap objects unchanged");
    expectEqU64(now.freeFrames, this.freeFrames, "free frames unchanged");
    expectEqU64(now.allocatedFrames, this.allocatedFrames, "allocated frames unchanged");
    expectEqU64(u64(now.frameRegions), u64(this.frameRegions), "free frame regions unchanged");
    expectEqU64(now.freePages, this.freePages, "free pages unchanged");
    expectEqU64(now.allocatedPages, this.allocatedPages, "allocated pages unchanged");
    expectEqU64(now.tableFrames, this.tableFrames, "page-table frames unchanged");
  }
}

/** `cycles` single-frame allocate/release cycles. */
export function frameCycles(frames: FrameAllocator, pages: PageAllocator, mapper: Mapper, cycles: u64): void {
  const before = new Counters(frames, pages, mapper);
  let failed: u64 = 0n;
  for (let i: u64 = 0n; i < cycles; i++) {
    const f = frames.allocate(1n).allocated;
    if (f === null) failed += 1n;
    else f.release();
  }
  expectEqU64(failed, 0n, "failed frame allocations");
  println(`# ${cycles} frame allocate/release cycles`);
  before.expectSame(new Counters(frames, pages, mapper));
}

/** One page+frame allocate, map, write, read back, unmap+release cycle; false on any failure. */
function mapCycle(frames: FrameAllocator, pages: PageAllocator, mapper: Mapper, i: u64): bool {
  const p = pages.allocate(1n).allocated;
  const f = frames.allocate(1n).allocated;
  if (p === null || f === null) {
    if (p !== null) p.release();
    if (f !== null) f.release();
    return false;
  }
  const mapped = mapper.map(p, f, PageFlags.readWrite()).mapped;
  if (mapped === null) return false;
  mapped.write64(8n * (i & 0x1ffn), i);
  const ok = mapped.read64(8n * (i & 0x1ffn)) === i;
  mapped.release();
  return ok;
}

/**
 * `cycles` page+frame allocate/map/write/unmap/release cycles. A first cycle alone makes
 * and frees the page tables of the cycling page (the mapper keeps the list node of a freed
 * table for the next one: that first table takes a node once). During the counted cycles a
 * neighbouring page stays mapped, so its tables stay and each cycle maps and unmaps one
 * entry (keeps the test fast under TCG); releasing it frees the tables again.
 */
export function mapCycles(frames: FrameAllocator, pages: PageAllocator, mapper: Mapper, cycles: u64): void {
  expect(mapCycle(frames, pages, mapper, 0n), "warm-up cycle");
  const before = new Counters(frames, pages, mapper);
  const p = pages.allocate(1n).allocated;
  const f = frames.allocate(1n).allocated;
  if (p === null || f === null) {
    expect(false, "a page and a frame to keep the tables");
    if (p !== null) p.release();
    if (f !== null) f.release();
    return;
  }
  const keeper = mapper.map(p, f, PageFlags.readWrite()).mapped;
  let failed: u64 = 0n;
  for (let i: u64 = 0n; i < cycles; i++) if (!mapCycle(frames, pages, mapper, i)) failed += 1n;
  expect(keeper !== null, "the neighbouring page mapped");
  if (keeper !== null) keeper.release();
  expectEqU64(failed, 0n, "failed map cycles");
  println(`# ${cycles} page+frame map/write/unmap/release cycles`);
  before.expectSame(new Counters(frames, pages, mapper));
}

/** `cycles` two-frame allocate, split, merge back, release cycles. */
export function splitMergeCycles(frames: FrameAllocator, pages: PageAllocator, mapper: Mapper, cycles: u64): void {
  const before = new Counters(frames, pages, mapper);
  let failed: u64 = 0n;
  for (let i: u64 = 0n; i < cycles; i++) {
    const f = frames.allocate(2n).allocated;
    if (f === null) {
      failed += 1n;
      continue;
    }
    const halves = f.split(f.end());
    const low = halves.first;
    const high = halves.second;
    if (high === null) {
      failed += 1n;
      low.release();
      continue;
    }
    if (i % 2n === 0n) {
      // Every other cycle merges the halves back before releasing the whole.
      const refused = low.merge(high);
      if (refused !== null) {
        failed += 1n;
        refused.release();
      }
      low.release();
    } else {
      low.release();
      high.release();
    }
  }
  expectEqU64(failed, 0n, "failed splits or merges");
  println(`# ${cycles} split/merge/release cycles`);
  before.expectSame(new Counters(frames, pages, mapper));
}
