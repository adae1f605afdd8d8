// In-kernel tests of the kernel heap (after initMemory): allocation, coalescing, growth,
// zeroed object storage, and the allocators' move to heap-backed trees.
import { u64, type bool, type u32 } from "../lib/int";
import { expect, expectEqU64 } from "../lib/ktap";
import { load64, store64 } from "../lib/intrinsics";
import { kernelPageTables } from "../boot/memory_init";
import { frameAllocator, pageAllocator } from "../mm/alloc";
import { heapAlloc, heapBlocksUsed, heapBytesMapped, heapBytesUsed, heapCheck, heapFree, heapGrowths, objectAlloc } from "../mm/heap";
import { HEAP_BASE, HEAP_WINDOW_SIZE, VirtualAddress } from "../mm/addr";
import { U64Array } from "../lib/fixed_array";
import { FrameList } from "./frame_list";

function inHeap(a: u64): bool {
  return a >= HEAP_BASE && a < HEAP_BASE + HEAP_WINDOW_SIZE;
}

/** Blocks of many sizes: aligned, disjoint, contents kept; freeing restores the counters and merges. */
export function testHeapAllocFree(): void {
  heapCheck();
  const addrs = new U64Array(64, 0n); // before the counters: `new` may take heap storage (never freed)
  const used = heapBytesUsed();
  const blocks = heapBlocksUsed();
  for (let i: u32 = 0; i < 64; i++) {
    const size: u64 = u64(i) * 24n + 1n;
    const a = heapAlloc(size);
    expect(a !== 0n && (a & 0xfn) === 0n && inHeap(a), "aligned heap address");
    addrs.set(i, a);
    store64(a, u64(i) * 0x0101_0101n);
  }
  heapCheck();
  let bad: u64 = 0n;
  for (let i: u32 = 0; i < 64; i++) if (load64(addrs.get(i)) !== u64(i) * 0x0101_0101n) bad += 1n;
  expectEqU64(bad, 0n, "blocks kept their contents (no overlap)");
  for (let i: u32 = 0; i < 64; i += 2) heapFree(addrs.get(i));
  heapCheck();
  for (let i: u32 = 1; i < 64; i += 2) heapFree(addrs.get(i));
  heapCheck();
  expectEqU64(heapBytesUsed(), used, "bytes used back to before");
  expectEqU64(heapBlocksUsed(), blocks, "blocks used back to before");
}

/** Allocating past the mapped size grows the heap with new pages and frames; freeing merges all. */
export function testHeapGrows(): void {
  const mapped = heapBytesMapped();
  const growths = heapGrowths();
  const frames = frameAllocator.freeChunks();
  const count: u32 = 24;
  const addrs = new U64Array(count, 0n);
  for (let i: u32 = 0; i < count; i++) {
    const a = heapAlloc(0x8000n);
    expect(a !== 0n, "32 KiB block");
    addrs.set(i, a);
    store64(a + 0x7ff8n, 0xfeedn);
  }
  expect(heapBytesMapped() > mapped, "heap grew");
  expect(heapGrowths() > growths, "growth counted");
  expect(frameAllocator.freeChunks() < frames, "frames taken for the heap");
  const last = VirtualAddress.checked(HEAP_BASE + heapBytesMapped() - 8n);
  expect(last !== null && kernelPageTables().translate(last) !== null, "the heap's end is mapped");
  for (let i: u32 = 0; i < count; i++) heapFree(addrs.get(i));
  heapCheck();
  // The freed blocks merged: one block of all of them fits without growing.
  const g = heapGrowths();
  const all = heapAlloc(u64(count) * 0x8000n);
  expect(all !== 0n && heapGrowths() === g, "freed neighbours merged into one block");
  heapFree(all);
}

/** objectAlloc (keelc's `new` once registered) gives zeroed storage on the heap. */
export function testObjectStorageZeroed(): void {
  const a = heapAlloc(256n);
  for (let i: u64 = 0n; i < 256n; i += 8n) store64(a + i, 0xffff_ffff_ffff_ffffn);
  heapFree(a);
  const b = objectAlloc(256n);
  expect(inHeap(b), "object on the heap");
  let nonzero: u64 = 0n;
  for (let i: u64 = 0n; i < 256n; i += 8n) if (load64(b + i) !== 0n) nonzero += 1n;
  expectEqU64(nonzero, 0n, "zeroed");
}

/**
 * The frame and page allocators keep their free regions in heap-backed trees: freeing every
 * other one of 300 frames makes 150 separate free regions, more than the early arrays hold.
 */
export function testAllocatorsUpgraded(): void {
  expect(frameAllocator.isUpgraded(), "frame allocator upgraded");
  expect(pageAllocator.isUpgraded(), "page allocator upgraded");
  const before = frameAllocator.freeChunks();
  frameAllocator.flushMagazine();
  const regions = frameAllocator.freeRegionCount(false);
  let odd: FrameList | null = null;
  let even: FrameList | null = null;
  for (let i: u32 = 0; i < 300; i++) {
    const f = frameAllocator.allocate(1n).allocated;
    if (f === null) {
      expect(false, "a frame");
      break;
    }
    if ((i & 1) === 0) even = new FrameList(f, even);
    else odd = new FrameList(f, odd);
  }
  let h = even;
  while (h !== null) {
    h.releaseFrames();
    h = h.next;
  }
  frameAllocator.flushMagazine(); // released single frames wait in the magazine until drained
  expect(frameAllocator.freeRegionCount(false) >= regions + 140, "many free regions at once");
  h = odd;
  while (h !== null) {
    h.releaseFrames();
    h = h.next;
  }
  frameAllocator.flushMagazine();
  expectEqU64(frameAllocator.freeChunks(), before, "all frames back");
  expect(frameAllocator.freeRegionCount(false) === regions, "regions merged again");
}
