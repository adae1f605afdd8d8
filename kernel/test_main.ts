// The kernel's test entry (make test): runs the in-kernel suites and reports KTAP on COM1.
import type { u64 } from "./lib/int";
import { ktapFinish, ktapPlan, ktapRun } from "./lib/ktap";
import { serialInit } from "./arch/x86_64/serial";
import { installExceptionHandlers } from "./arch/x86_64/exceptions";
import { testU32DivisionAndConversions, testU64BitOperations, testU64ExactAbove2To53, testWrappingArithmetic } from "./tests/integer_tests";
import { setBootInfo, testBootInfoHeader, testBootloaderNameIsGrub, testMemoryMapTagInBounds } from "./tests/boot_info_tests";
import { setBootMemory, testBasicMeminfoAgreesWithMap, testFreeRamAccountsForAvailableRam, testFreeRegionsSortedAndDisjoint, testKernelImageInAvailableRam, testModulesReserved } from "./tests/boot_memory_tests";
import { testAllocatorRandomEarly, testAllocatorRandomUpgraded } from "./tests/allocator_random_tests";
import { testFrameRange, testPhysicalAddressWidth, testTopOfAddressSpace, testVirtualAddressCanonical } from "./tests/memory_types_tests";
import { initMemory } from "./boot/memory_init";
import { enableDebugChecks } from "./mm/debug";
import { frameAllocator } from "./mm/alloc";
import { parseBootInfo } from "./boot/boot_info";
import { computeBootMemory, linkerKernelImage } from "./boot/regions";
import { testExhaustAndRefill, testKernelTablesLoaded, testMapErrors, testMapWriteReadBack, testReleaseUnmaps, testRemap, testSectionPermissions, testTranslateHugePages } from "./tests/paging_tests";
import { testAllocatorsUpgraded, testHeapAllocFree, testHeapGrows, testObjectStorageZeroed } from "./tests/heap_tests";
import { testFrameCyclesLeakNothing, testMapCyclesLeakNothing, testSplitMergeCyclesLeakNothing } from "./tests/ownership_cycles";

/** Test-build entry: every in-kernel test, then exit QEMU with the verdict. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  installExceptionHandlers();
  const info = parseBootInfo(bootInfo);
  const mem = computeBootMemory(info, linkerKernelImage());
  setBootInfo(info);
  setBootMemory(mem);
  ktapPlan(33);
  ktapRun("u64 arithmetic is exact above 2^53", testU64ExactAbove2To53);
  ktapRun("u64 bit operations use all 64 bits", testU64BitOperations);
  ktapRun("wrapping arithmetic wraps at the width", testWrappingArithmetic);
  ktapRun("u32 division truncates and conversions are exact", testU32DivisionAndConversions);
  ktapRun("boot information header is sane", testBootInfoHeader);
  ktapRun("bootloader name is GRUB", testBootloaderNameIsGrub);
  ktapRun("memory map tag lies inside the boot information", testMemoryMapTagInBounds);
  ktapRun("boot report: free regions sorted, disjoint, in available RAM, outside reserved regions", testFreeRegionsSortedAndDisjoint);
  ktapRun("boot report: available RAM is free or reserved", testFreeRamAccountsForAvailableRam);
  ktapRun("boot report: basic meminfo agrees with the memory map", testBasicMeminfoAgreesWithMap);
  ktapRun("boot report: kernel image at the load base, in available RAM, not free", testKernelImageInAvailableRam);
  ktapRun("boot report: every GRUB module reserved, none free", testModulesReserved);
  // The tests above read the boot information through the boot stub's identity map, which
  // initMemory drops (the kernel's own tables, kernel/boot/memory_init.ts).
  enableDebugChecks(); // W^X scan once the kernel's tables load, freed frames poisoned
  initMemory(mem);
  ktapRun("virtual addresses: canonical ones are told apart", testVirtualAddressCanonical);
  ktapRun("physical addresses have 52 bits", testPhysicalAddressWidth);
  ktapRun("the last page: no successor, ranges and for…of do not overflow", testTopOfAddressSpace);
  ktapRun("frame ranges count bytes and frames", testFrameRange);
  ktapRun("frame allocator: random operations against a reference model (early arrays)", testAllocatorRandomEarly);
  ktapRun("frame allocator: random operations against a reference model (across the upgrade to trees)", testAllocatorRandomUpgraded);
  ktapRun("paging: CR3 holds the kernel's tables, the identity map is gone", testKernelTablesLoaded);
  ktapRun("paging: sections mapped with their own permissions, no W+X page, stack guard unmapped", testSectionPermissions);
  ktapRun("paging: map, write, read back through the mapping and the direct map", testMapWriteReadBack);
  ktapRun("paging: release unmaps and gives pages, frames and empty tables back", testReleaseUnmaps);
  ktapRun("paging: one error per cause, failed maps give pages and frames back", testMapErrors);
  ktapRun("paging: translate through 2 MiB pages of the direct map", testTranslateHugePages);
  ktapRun("paging: remap changes the flags", testRemap);
  ktapRun("paging: exhaust the frames (map fails with out of frames), then refill", testExhaustAndRefill);
  ktapRun("heap: allocate and free many sizes, counters restored", testHeapAllocFree);
  ktapRun("heap: grows on demand from the page and frame allocators", testHeapGrows);
  ktapRun("heap: object storage is zeroed and on the heap", testObjectStorageZeroed);
  ktapRun("heap: allocators upgraded to heap-backed trees", testAllocatorsUpgraded);
  // The leak cycles below check counters, not use after free: with every freed frame poisoned
  // and checked (1 KiB written and read per cycle) a million cycles take minutes under TCG.
  frameAllocator.setPoisonHook(null);
  ktapRun("ownership: 1,000,000 frame allocate/release cycles leave heap and allocators as they were", testFrameCyclesLeakNothing);
  ktapRun("ownership: 100,000 page+frame map/write/unmap/release cycles leave heap, allocators and tables as they were", testMapCyclesLeakNothing);
  ktapRun("ownership: 100,000 split/merge/release cycles leave heap and allocators as they were", testSplitMergeCyclesLeakNothing);
  ktapFinish();
}
