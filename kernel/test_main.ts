// The kernel's test entry (make test): runs the in-kernel suites and reports KTAP on COM1.
// Every test registers in the table below (suite.test), in run order, with the setup steps
// between them (suite.step); qemu/ktap_manifest.ts reads the table's names at build time.
// The boot command line may select tests and set their time budget (kernel/tests/ktap_options.ts);
// a timer drives the per-test watchdog.
import type { u64 } from "./lib/int";
import { KtapSuite, ktapWatchdogTick, TICKS_PER_SECOND } from "./lib/ktap";
import { serialInit } from "./arch/x86_64/serial";
import { installExceptionHandlers } from "./arch/x86_64/exceptions";
import { startTimer } from "./arch/x86_64/interrupts";
import { CommandLine } from "./boot/command_line";
import { printTagString } from "./boot/multiboot2";
import { print, println } from "./lib/console";
import { ktapOptionsFrom } from "./tests/ktap_options";
import type { BootMemory } from "./boot/regions";
import { testU32DivisionAndConversions, testU64BitOperations, testU64ExactAbove2To53, testWrappingArithmetic } from "./tests/integer_tests";
import { setBootInfo, testBootInfoHeader, testBootloaderNameIsGrub, testMemoryMapTagInBounds } from "./tests/boot_info_tests";
import { setBootMemory, testBasicMeminfoAgreesWithMap, testFreeRamAccountsForAvailableRam, testFreeRegionsSortedAndDisjoint, testKernelImageInAvailableRam, testModulesReserved } from "./tests/boot_memory_tests";
import { testAllocatorRandomEarly, testAllocatorRandomUpgraded } from "./tests/allocator_random_tests";
import { testFrameRange, testPhysicalAddressWidth, testTopOfAddressSpace, testVirtualAddressCanonical } from "./tests/memory_types_tests";
import { initMemory, stopFreedFrameChecks } from "./boot/memory_init";
import { enableDebugChecks } from "./mm/debug";
import { parseBootInfo } from "./boot/boot_info";
import { computeBootMemory, linkerKernelImage } from "./boot/regions";
import { testExhaustAndRefill, testKernelTablesLoaded, testMapErrors, testMapWriteReadBack, testReleaseUnmaps, testRemap, testSectionPermissions, testTranslateDirectMap, testFreedFrameLeavesDirectMap, testHugePage1G, testHugePage2M } from "./tests/paging_tests";
import { testAllocatorsUpgraded, testHeapAllocFree, testHeapGrows, testObjectStorageZeroed } from "./tests/heap_tests";
import { testAtomicsExact, testCpuLocalIndex, testSpinLockGuard } from "./tests/sync_tests";
import { setCpuLocal } from "./arch/x86_64/cpu_local";
import { testFrameCyclesLeakNothing, testMapCyclesLeakNothing, testSplitMergeCyclesLeakNothing } from "./tests/ownership_cycles";

/** The boot memory picture, for the setup step that initialises memory. */
let bootMemory: BootMemory | null = null;

/** Setup: the kernel's own tables and allocators. The tests before it read the boot
 *  information through the boot stub's identity map, which initMemory drops. */
function setUpMemory(): void {
  if (bootMemory === null) return;
  enableDebugChecks(); // W^X scan once the kernel's tables load, freed frames poisoned and unmapped
  initMemory(bootMemory);
}

/** Setup: the leak cycles check counters, not use after free; with every freed frame
 *  poisoned and checked (1 KiB written and read per cycle) a million cycles take minutes under TCG.
 *  The free frames are mapped back into the direct map first. */
function stopFreedFrameChecksForLeakCycles(): void {
  println(`# freed-frame checks stopped: ${stopFreedFrameChecks()} free frames mapped again`);
}

/** Test-build entry: the selected in-kernel tests, then exit QEMU with the verdict. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  setCpuLocal(0); // the bootstrap CPU; before anything takes a lock
  installExceptionHandlers();
  const info = parseBootInfo(bootInfo);
  const mem = computeBootMemory(info, linkerKernelImage());
  setBootInfo(info);
  setBootMemory(mem);
  bootMemory = mem;
  const commandLine = info.commandLineTag();
  if (commandLine !== 0n) {
    print("# boot command line: \"");
    printTagString(commandLine);
    println("\"");
  }
  const options = ktapOptionsFrom(CommandLine.fromTag(commandLine));
  startTimer(TICKS_PER_SECOND, ktapWatchdogTick);
  const suite = new KtapSuite();
  suite.test("u64 arithmetic is exact above 2^53", testU64ExactAbove2To53);
  suite.test("u64 bit operations use all 64 bits", testU64BitOperations);
  suite.test("wrapping arithmetic wraps at the width", testWrappingArithmetic);
  suite.test("u32 division truncates and conversions are exact", testU32DivisionAndConversions);
  suite.test("atomics: exact 64- and 32-bit results of every operation, CAS success and failure, wrapping only when named", testAtomicsExact);
  suite.test("spinlock: held for the guard's scope with interrupts off, then released and restored", testSpinLockGuard);
  suite.test("CPU-local index read through gs as installed", testCpuLocalIndex);
  suite.test("boot information header is sane", testBootInfoHeader);
  suite.test("bootloader name is GRUB", testBootloaderNameIsGrub);
  suite.test("memory map tag lies inside the boot information", testMemoryMapTagInBounds);
  suite.test("boot report: free regions sorted, disjoint, in available RAM, outside reserved regions", testFreeRegionsSortedAndDisjoint);
  suite.test("boot report: available RAM is free or reserved", testFreeRamAccountsForAvailableRam);
  suite.test("boot report: basic meminfo agrees with the memory map", testBasicMeminfoAgreesWithMap);
  suite.test("boot report: kernel image at the load base, in available RAM, not free", testKernelImageInAvailableRam);
  suite.test("boot report: every GRUB module reserved, none free", testModulesReserved);
  suite.step("initialise memory (the kernel's tables, allocators and heap)", setUpMemory);
  suite.test("virtual addresses: canonical ones are told apart", testVirtualAddressCanonical);
  suite.test("physical addresses have 52 bits", testPhysicalAddressWidth);
  suite.test("the last page: no successor, ranges and for…of do not overflow", testTopOfAddressSpace);
  suite.test("frame ranges count bytes and frames", testFrameRange);
  suite.test("frame allocator: random operations against a reference model (early arrays)", testAllocatorRandomEarly);
  suite.test("frame allocator: random operations against a reference model (across the upgrade to trees)", testAllocatorRandomUpgraded);
  suite.test("paging: CR3 holds the kernel's tables, the identity map is gone", testKernelTablesLoaded);
  suite.test("paging: sections mapped with their own permissions, no W+X page, stack guard unmapped", testSectionPermissions);
  suite.test("paging: map, write, read back through the mapping and the direct map", testMapWriteReadBack);
  suite.test("paging: release unmaps and gives pages, frames and empty tables back", testReleaseUnmaps);
  suite.test("paging: one error per cause, failed maps give pages and frames back", testMapErrors);
  suite.test("paging: translate through the direct map (4 KiB pages in test builds)", testTranslateDirectMap);
  suite.test("debug pagealloc: a freed frame leaves the direct map until it is handed out again", testFreedFrameLeavesDirectMap);
  suite.test("paging: a 2 MiB page mapped, written and read through two aliases, translated, unmapped; nothing leaks", testHugePage2M);
  suite.test("paging: a 1 GiB page likewise when CPUID has them (else none in the direct map)", testHugePage1G);
  suite.test("paging: remap changes the flags", testRemap);
  suite.test("paging: exhaust the frames (map fails with out of frames), then refill", testExhaustAndRefill);
  suite.test("heap: allocate and free many sizes, counters restored", testHeapAllocFree);
  suite.test("heap: grows on demand from the page and frame allocators", testHeapGrows);
  suite.test("heap: object storage is zeroed and on the heap", testObjectStorageZeroed);
  suite.test("heap: allocators upgraded to heap-backed trees", testAllocatorsUpgraded);
  suite.step("stop poisoning and unmapping freed frames (the leak cycles count, they do not check reuse)", stopFreedFrameChecksForLeakCycles);
  suite.test("ownership: 1,000,000 frame allocate/release cycles leave heap and allocators as they were", testFrameCyclesLeakNothing);
  suite.test("ownership: 100,000 page+frame map/write/unmap/release cycles leave heap, allocators and tables as they were", testMapCyclesLeakNothing);
  suite.test("ownership: 100,000 split/merge/release cycles leave heap and allocators as they were", testSplitMergeCyclesLeakNothing);
  suite.run(options);
}
