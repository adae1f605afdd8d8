// Memory initialisation at boot, after the boot report: the frame allocator from the real
// memory map, the page allocator over the kernel's half of the address space, the kernel's
// own page tables (loaded into CR3, the boot stub's identity map gone), then the heap, which
// takes over keelc's object storage and the allocators' bookkeeping. Prints its figures:
//
//   memory: frames: N free (K KiB) in R regions; F free in reserved regions (MMIO); A allocated
//   memory: pages: P free for ordinary requests
//   memory: kernel page tables at p0x... (T table frames): text R-X, rodata R--, data RW-, bss RW-, guard v0x... unmapped; direct map D MiB at v0xffff800000000000; identity map dropped
//   memory: heap at v0xffffc00000000000, B KiB mapped, O objects in U bytes; allocators upgraded to heap-backed trees (pool of C nodes)
//   memory init: X TSC ticks (allocators A, page tables B, heap C)
import { u32, u64, type bool } from "../lib/int";
import { println } from "../lib/console";
import { hex } from "../lib/fmt";
import {
  bootStackGuard, doubleFaultStackBottom, kernelBssEnd, kernelBssStart, kernelDataEnd, kernelDataStart, kernelRodataEnd, kernelRodataStart, kernelTextEnd,
  kernelTextStart, kernelVma, readTsc, setObjectAllocator,
} from "../lib/intrinsics";
import { panic } from "../lib/panic";
import { frameAllocator, NodePool, pageAllocator } from "../mm/alloc";
import { heapBlocksUsed, heapBytesMapped, heapBytesUsed, initHeap, objectAlloc } from "../mm/heap";
import {
  ADDRESS_SPACE_LAST, CHUNK_SHIFT, DIRECT_MAP_BASE, DIRECT_MAP_SIZE, FrameRange, HEAP_BASE, HEAP_WINDOW_SIZE, HIGHER_HALF_BASE, HUGE_2M, IDENTITY_LIMIT,
  KERNEL_WINDOW_BASE, PageRange, PHYSICAL_MAX, TABLE_FRAME_LIMIT, VirtualAddress,
} from "../mm/addr";
import { MapError, mapErrorName, Mapper, PageFlags } from "../mm/paging";
import { checkNoWritableExecutable, debugChecksEnabled, FramePoison } from "../mm/debug";
import { MEMORY_AVAILABLE } from "./memory_map";
import type { BootMemory } from "./regions";

/** Bytes the heap maps at start. */
const HEAP_INITIAL: u64 = 0x4_0000n;
/** Tree nodes for the allocators' bookkeeping once the heap is up (shared by both), at least. */
const POOL_NODES_MIN: u32 = 2048;
/** Early regions beyond what the boot map needs: room for splits before the upgrade. */
const EARLY_HEADROOM: u64 = 64n;

let kernelTables: Mapper | null = null;
let directMapBytes: u64 = 0n;

/** The kernel's page tables (after initMemory). */
export function kernelPageTables(): Mapper {
  const m = kernelTables;
  if (m === null) return panic("kernelPageTables: initMemory has not run");
  return m;
}

/** True once initMemory ran. */
export function memoryIsUp(): bool {
  return kernelTables !== null;
}

/** Bytes of physical memory the direct map covers. */
export function directMapSize(): u64 {
  return directMapBytes;
}

/**
 * Sets up memory from `mem`, computed from the parsed boot information (physical, read
 * through the boot stub's identity map: call before anything drops it; afterwards the
 * boot information is readable only at DIRECT_MAP_BASE + its address).
 */
export function initMemory(mem: BootMemory): void {
  const t0 = readTsc();
  initFrameAllocator(mem);
  initPageAllocator();
  const t1 = readTsc();
  const m = buildKernelTables(mem);
  m.activate(DIRECT_MAP_BASE, TABLE_FRAME_LIMIT);
  kernelTables = m;
  if (debugChecksEnabled()) startDebugChecks(m);
  const t2 = readTsc();
  initHeap(m, HEAP_INITIAL);
  setObjectAllocator(objectAlloc);
  // Every region the frame allocator holds becomes a node (three sets), plus room to grow.
  const poolNodes: u32 = u32(u64(POOL_NODES_MIN) + 3n * (mem.freeRegionCount() + mem.blockedCount()));
  const pool = new NodePool(poolNodes);
  frameAllocator.upgrade(pool);
  pageAllocator.upgrade(pool);
  const t3 = readTsc();
  println(`memory: frames: ${frameAllocator.freeChunks()} free (${frameAllocator.freeChunks() * 4n} KiB) in ${frameAllocator.freeRegionCount(false)} regions; ${frameAllocator.freeReservedChunks()} free in reserved regions (MMIO); ${frameAllocator.allocatedChunks()} allocated`);
  println(`memory: pages: ${pageAllocator.freeChunks()} free for ordinary requests`);
  println(`memory: kernel page tables at p${hex(m.p4Address())} (${m.tableFrameCount()} table frames): text R-X, rodata R--, data RW-, bss RW-, guard v${hex(bootStackGuard())} unmapped; direct map ${directMapBytes >> 20n} MiB at v${hex(DIRECT_MAP_BASE)}; identity map dropped`);
  println(`memory: heap at v${hex(HEAP_BASE)}, ${heapBytesMapped() / 1024n} KiB mapped, ${heapBlocksUsed()} objects in ${heapBytesUsed()} bytes; allocators upgraded to heap-backed trees (pool of ${poolNodes} nodes)`);
  println(`memory init: ${t3 - t0} TSC ticks (allocators ${t1 - t0}, page tables ${t2 - t1}, heap ${t3 - t2})`);
}

/**
 * Test builds: the W^X scan of the tables just loaded (panics on a writable and executable
 * mapping), then freed-frame poisoning for the frame allocator.
 */
function startDebugChecks(m: Mapper): void {
  const scan = checkNoWritableExecutable(m.p4Address(), DIRECT_MAP_BASE);
  frameAllocator.setPoisonHook(new FramePoison(DIRECT_MAP_BASE, TABLE_FRAME_LIMIT >> CHUNK_SHIFT));
  println(`memory: debug checks: W^X scan of ${scan.tables} tables, ${scan.leaves} mappings, none writable and executable; freed frames poisoned`);
}

/** The frames holding bytes `first..=last` (clipped to physical memory), possibly empty. */
function framesCovering(first: u64, last: u64): FrameRange {
  if (first > PHYSICAL_MAX) return FrameRange.empty();
  const top: u64 = last > PHYSICAL_MAX ? PHYSICAL_MAX : last;
  const f: u64 = first >> CHUNK_SHIFT;
  return FrameRange.empty().withNumbers(f, (top >> CHUNK_SHIFT) - f + 1n);
}

/**
 * Free regions -> addFree; everything under a reserved region or a non-available entry of
 * the sanitised map -> addReserved. Both lists are sorted, so each insertion is an append.
 */
function initFrameAllocator(mem: BootMemory): void {
  const blocked: u64 = mem.blockedCount();
  frameAllocator.reserveEarly(u32(mem.freeRegionCount() + blocked + EARLY_HEADROOM));
  for (let i: u64 = 0n; i < blocked; i++) {
    const r = mem.blocked(i);
    frameAllocator.addReserved(framesCovering(r.first, r.last));
  }
  const free: u64 = mem.freeRegionCount();
  for (let i: u64 = 0n; i < free; i++) frameAllocator.addFree(mem.freeRegion(i));
}

/** The pages of bytes `first..=last` of the higher half. */
function pagesBetween(first: u64, last: u64): PageRange {
  const f: u64 = first >> CHUNK_SHIFT;
  return PageRange.empty().withNumbers(f, (last >> CHUNK_SHIFT) - f + 1n);
}

/** The higher half is free, except the direct map, heap and kernel image windows (reserved). */
function initPageAllocator(): void {
  if (kernelVma() !== KERNEL_WINDOW_BASE) panic(`layout.ts: KERNEL_WINDOW_BASE ${hex(KERNEL_WINDOW_BASE)} differs from the linker's ${hex(kernelVma())}`);
  pageAllocator.addReserved(pagesBetween(DIRECT_MAP_BASE, DIRECT_MAP_BASE + (DIRECT_MAP_SIZE - 1n)));
  pageAllocator.addReserved(pagesBetween(HEAP_BASE, HEAP_BASE + (HEAP_WINDOW_SIZE - 1n)));
  pageAllocator.addReserved(pagesBetween(KERNEL_WINDOW_BASE, ADDRESS_SPACE_LAST));
  pageAllocator.addFree(pagesBetween(HIGHER_HALF_BASE, ADDRESS_SPACE_LAST));
}

/** Maps the image section [start, end) (virtual, page-aligned) at its physical load address. */
function mapSection(m: Mapper, name: string, start: u64, end: u64, flags: PageFlags): void {
  if ((start & 0xfffn) !== 0n || (end & 0xfffn) !== 0n || end < start) panic(`memory init: section ${name} ${hex(start)}..${hex(end)} is not page-aligned`);
  if (end === start) return;
  const e = m.mapRange(start >> CHUNK_SHIFT, (start - kernelVma()) >> CHUNK_SHIFT, (end - start) >> CHUNK_SHIFT, flags);
  if (e !== MapError.None) panic(`memory init: mapping ${name} ${hex(start)}..${hex(end)} failed: ${mapErrorName(e)}`);
}

/**
 * The kernel's tables: each section with its own permissions, the boot stack's guard page
 * left out, the direct map of every 2 MiB block holding available RAM. Nothing in the
 * lower half. Built through the identity map (tables below 4 GiB), not yet loaded.
 */
function buildKernelTables(mem: BootMemory): Mapper {
  const m = Mapper.create(frameAllocator, 0n, IDENTITY_LIMIT);
  mapSection(m, ".text", kernelTextStart(), kernelTextEnd(), PageFlags.readExecute());
  mapSection(m, ".rodata", kernelRodataStart(), kernelRodataEnd(), PageFlags.readOnly());
  mapSection(m, ".data", kernelDataStart(), kernelDataEnd(), PageFlags.readWrite());
  // .bss around the two stack guard pages (boot stack, double-fault stack), left unmapped.
  const bootGuard = bootStackGuard();
  const dfGuard: u64 = doubleFaultStackBottom() - 0x1000n;
  const low: u64 = bootGuard < dfGuard ? bootGuard : dfGuard;
  const high: u64 = bootGuard < dfGuard ? dfGuard : bootGuard;
  if (low < kernelBssStart() || high >= kernelBssEnd() || low === high) panic(`memory init: the stack guards ${hex(bootGuard)} and ${hex(dfGuard)} are not two pages of .bss`);
  mapSection(m, ".bss (below the first stack guard)", kernelBssStart(), low, PageFlags.readWrite());
  mapSection(m, ".bss (between the stack guards)", low + 0x1000n, high, PageFlags.readWrite());
  mapSection(m, ".bss (above the second stack guard)", high + 0x1000n, kernelBssEnd(), PageFlags.readWrite());
  const n: u64 = mem.sanitisedCount();
  for (let i: u64 = 0n; i < n; i++) {
    const e = mem.sanitised(i);
    if (e.type !== MEMORY_AVAILABLE) continue;
    const r = e.region;
    if (r.first >= DIRECT_MAP_SIZE) continue;
    const last: u64 = r.last >= DIRECT_MAP_SIZE ? DIRECT_MAP_SIZE - 1n : r.last;
    for (let b: u64 = r.first & ~(HUGE_2M - 1n); b <= last; b += HUGE_2M) {
      const v = VirtualAddress.checked(DIRECT_MAP_BASE + b);
      if (v === null) return panic("memory init: direct map address not canonical");
      const err = m.mapHuge2M(v, b, PageFlags.readWrite());
      if (err === MapError.None) directMapBytes += HUGE_2M;
      else if (err !== MapError.AlreadyMapped) panic(`memory init: direct map of ${hex(b)} failed: ${mapErrorName(err)}`);
    }
  }
  return m;
}
