// The ownership cycles (ownership_tests.ts) on the kernel's own allocators and page tables,
// for the in-kernel suite (after initMemory).
import { kernelPageTables } from "../boot/memory_init";
import { frameAllocator, pageAllocator } from "../mm/alloc";
import { frameCycles, mapCycles, splitMergeCycles } from "./ownership_tests";

/** 1,000,000 single-frame allocate/release cycles. */
export function testFrameCyclesLeakNothing(): void {
  frameCycles(frameAllocator, pageAllocator, kernelPageTables(), 1_000_000n);
}

/** 100,000 page+frame allocate/map/write/unmap/release cycles. */
export function testMapCyclesLeakNothing(): void {
  mapCycles(frameAllocator, pageAllocator, kernelPageTables(), 100_000n);
}

/** 100,000 split/merge/release cycles. */
export function testSplitMergeCyclesLeakNothing(): void {
  splitMergeCycles(frameAllocator, pageAllocator, kernelPageTables(), 100_000n);
}
