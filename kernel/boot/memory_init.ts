// Memory initialisation at boot, after the boot report: the frame allocator from the real
// memory map, the page allocator over the kernel's half of the address space, the kernel's
// own page tables (loaded into CR3, the boot stub's identity map gone), then the heap, which
// takes over keelc's object storage and the allocators' bookkeeping. Prints its figures:
//
//   memory: frames: N free (K KiB) in R regions; F free in reserved regions (MMIO); A allocated
//   memory: pages: P free for ordinary requests
//   memory: kernel page tables at p0x... (T table frames): text R-X, rodata R--, data RW-, bss RW-, guard v0x... unmapped; direct map D MiB at v0xffff800000000000; identity map dropped
//   memory: heap at v0xffffc00000000000, B KiB mapped, O objects in U bytes; allocators upgraded to heap-backed trees (node pools of C and C, growing on demand)
//   memory init: X TSC ticks (allocators A, page tables B, heap C)
import { u32, u64, type bool } from "../lib/int";
import { println } from "../lib/console";
import { hex } from "../lib/fmt";
import {
  bootStackGuard, doubleFaultStackBottom, kernelBssEnd, kernelBssStart, kernelDataEnd, kernelDataStart, kernelRodataEnd, kernelRodataStart, kernelTextEnd,
  cpuidEdx, kernelTextStart, kernelVma, readTsc, setObjectAllocator,
} from "../lib/intrinsics";
import { panic } from "../lib/panic";
import { U64Array } from "../lib/fixed_array";
import { frameAllocator, NodePool, pageAllocator } from "../mm/alloc";
import { heapBlocksUsed, heapBytesMapped, heapBytesUsed, initHeap, objectAlloc } from "../mm/heap";
import {
  ADDRESS_SPACE_LAST, CHUNK_SHIFT, CHUNK_SIZE, DIRECT_MAP_BASE, DIRECT_MAP_SIZE, FrameRange, HEAP_BASE, HEAP_WINDOW_SIZE, HIGHER_HALF_BASE, HUGE_1G, HUGE_2M, IDENTITY_LIMIT,
  KERNEL_WINDOW_BASE, PageRange, PHYSICAL_MAX, PhysicalAddress, TABLE_FRAME_LIMIT, VirtualAddress,
} from "../mm/addr";
import { mapErrorName, Mapper, PageFlags } from "../mm/paging";
import { checkNoWritableExecutable, debugChecksEnabled, explainFault, FramePoison, setDirectMapped, stopUnmapping, unmapFreedFrames } from "../mm/debug";
import { setPageFaultExplainer } from "../arch/x86_64/exceptions";
import { MEMORY_AVAILABLE } from "./memory_map";
import type { BootMemory } from "./regions";

/**
 * Bytes the heap maps at start: boot's objects take about 10 KiB of it; the heap grows on
 * demand (heap.ts: GROW_MIN at least), so mapping more here only costs init time.
 */
const HEAP_INITIAL: u64 = 0x1_0000n;
/**
 * Tree nodes each allocator's pool starts with once the heap is up; it doubles on demand,
 * before a locked operation that could run short (ChunkAllocator.locked: NODES_PER_OPERATION
 * free nodes). One pool per allocator: each is guarded by its allocator's lock.
 */
const POOL_INITIAL_NODES: u32 = 128;
/** Early regions beyond what the boot map needs: room for splits before the upgrade. */
const EARLY_HEADROOM: u64 = 64n;

/** Most device regions outside the memory map that can be reserved (reserveDeviceMemory). */
const DEVICE_REGIONS: u32 = 4;
/** Device memory the memory map does not list (first, last byte pairs), reserved by initFrameAllocator. */
const deviceRegions = new U64Array(2 * DEVICE_REGIONS, 0n);
let deviceRegionCount: u32 = 0;

let kernelTables: Mapper | null = null;
let directMapBytes: u64 = 0n;
/** Test builds: the frame allocator's debug hook (freed frames poisoned and unmapped). */
let freedFrameChecks: FramePoison | null = null;

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
  const framePool = NodePool.growing(POOL_INITIAL_NODES);
  const pagePool = NodePool.growing(POOL_INITIAL_NODES);
  frameAllocator.upgrade(framePool);
  pageAllocator.upgrade(pagePool);
  const t3 = readTsc();
  println(`memory: frames: ${frameAllocator.freeChunks()} free (${frameAllocator.freeChunks() * 4n} KiB) in ${frameAllocator.freeRegionCount(false)} regions; ${frameAllocator.freeReservedChunks()} free in reserved regions (MMIO); ${frameAllocator.allocatedChunks()} allocated`);
  println(`memory: pages: ${pageAllocator.freeChunks()} free for ordinary requests`);
  println(`memory: kernel page tables at p${hex(m.p4Address())} (${m.tableFrameCount()} table frames): text R-X, rodata R--, data RW-, bss RW-, guard v${hex(bootStackGuard())} unmapped; direct map ${directMapBytes >> 20n} MiB at v${hex(DIRECT_MAP_BASE)}; identity map dropped`);
  println(`memory: heap at v${hex(HEAP_BASE)}, ${heapBytesMapped() / 1024n} KiB mapped, ${heapBlocksUsed()} objects in ${heapBytesUsed()} bytes; allocators upgraded to heap-backed trees (node pools of ${framePool.capacity()} and ${pagePool.capacity()}, growing on demand)`);
  println(`memory init: ${t3 - t0} TSC ticks (allocators ${t1 - t0}, page tables ${t2 - t1}, heap ${t3 - t2})`);
}

/**
 * Test builds: the W^X scan of the tables just loaded (panics on a writable and executable
 * mapping), then the freed-frame checks of the frame allocator: freed frames poisoned, and
 * every free frame unmapped from the direct map (4 KiB pages in test builds) until it is
 * handed out, with page faults there explained in the fault report.
 */
function startDebugChecks(m: Mapper): void {
  const scan = checkNoWritableExecutable(m.p4Address(), DIRECT_MAP_BASE);
  const hook = new FramePoison(DIRECT_MAP_BASE, TABLE_FRAME_LIMIT >> CHUNK_SHIFT);
  frameAllocator.setPoisonHook(hook);
  unmapFreedFrames(m.p4Address(), DIRECT_MAP_BASE, TABLE_FRAME_LIMIT >> CHUNK_SHIFT);
  const unmapped: u64 = setFreeFramesMapped(false, null);
  freedFrameChecks = hook;
  setPageFaultExplainer(explainFault);
  println(`memory: debug checks: W^X scan of ${scan.tables} tables, ${scan.leaves} mappings, none writable and executable; freed frames poisoned and unmapped (${unmapped} free frames unmapped from the direct map)`);
}

/** Makes the direct-map pages of every free ordinary frame present or not (see setDirectMapped for `poison`); returns how many changed. */
function setFreeFramesMapped(present: bool, poison: FramePoison | null): u64 {
  frameAllocator.flushMagazine(); // its frames are free too, and in no free region until flushed
  let changed: u64 = 0n;
  let from: u64 = 0n;
  while (true) {
    const r = frameAllocator.freeRegionFrom(false, from);
    if (r.isEmpty()) return changed;
    changed += setDirectMapped(r.firstNumber(), r.lastNumber(), present, poison);
    from = r.lastNumber() + 1n;
  }
}

/**
 * Test builds: ends the freed-frame checks (before the leak cycles, which count and do
 * not check reuse): every free frame is mapped again, then the hook goes. Returns the
 * frames mapped again.
 */
export function stopFreedFrameChecks(): u64 {
  const hook = freedFrameChecks;
  if (hook === null) return 0n;
  // Mapping them back checks the poison of every frame freed since boot and still free.
  const remapped: u64 = setFreeFramesMapped(true, hook.poisoning ? hook : null);
  stopUnmapping();
  frameAllocator.setPoisonHook(null);
  freedFrameChecks = null;
  return remapped;
}

/** The frames holding bytes `first..=last` (clipped to physical memory), possibly empty. */
function framesCovering(first: u64, last: u64): FrameRange {
  if (first > PHYSICAL_MAX) return FrameRange.empty();
  const top: u64 = last > PHYSICAL_MAX ? PHYSICAL_MAX : last;
  const f: u64 = first >> CHUNK_SHIFT;
  return FrameRange.empty().withNumbers(f, (top >> CHUNK_SHIFT) - f + 1n);
}

/**
 * Makes bytes `first..=last` of device memory that the memory map may not list (the local
 * APIC's registers) a reserved region of the frame allocator, so that they can be claimed
 * with allocateReserved and mapped as owned memory. Before initMemory only.
 */
export function reserveDeviceMemory(first: u64, last: u64): void {
  if (kernelTables !== null) panic("reserveDeviceMemory: memory is already up");
  if (deviceRegionCount === DEVICE_REGIONS) panic(`reserveDeviceMemory: more than ${DEVICE_REGIONS} device regions`);
  deviceRegions.set(2 * deviceRegionCount, first);
  deviceRegions.set(2 * deviceRegionCount + 1, last);
  deviceRegionCount++;
}

/**
 * Free regions -> addFree; everything under a reserved region or a non-available entry of
 * the sanitised map -> addReserved. Both lists are sorted, so each insertion is an append.
 */
function initFrameAllocator(mem: BootMemory): void {
  const blocked: u64 = mem.blockedCount();
  frameAllocator.reserveEarly(u32(mem.freeRegionCount() + blocked + u64(deviceRegionCount) + EARLY_HEADROOM));
  for (let i: u64 = 0n; i < blocked; i++) {
    const r = mem.blocked(i);
    frameAllocator.addReserved(framesCovering(r.first, r.last));
  }
  for (let i: u32 = 0; i < deviceRegionCount; i++) frameAllocator.addReserved(framesCovering(deviceRegions.get(2 * i), deviceRegions.get(2 * i + 1)));
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

/**
 * Maps the image section [start, end) (virtual, page-aligned) at its physical load address:
 * every whole 2 MiB block inside it with one 2 MiB page (one entry instead of 512), 4 KiB
 * pages around them. The image's
 * virtual and physical addresses differ by kernelVma(), itself 2 MiB aligned.
 */
function mapSection(m: Mapper, name: string, start: u64, end: u64, flags: PageFlags): void {
  if ((start & 0xfffn) !== 0n || (end & 0xfffn) !== 0n || end < start) panic(`memory init: section ${name} ${hex(start)}..${hex(end)} is not page-aligned`);
  const hugeStart: u64 = (start + (HUGE_2M - 1n)) & ~(HUGE_2M - 1n);
  const hugeEnd: u64 = end & ~(HUGE_2M - 1n);
  if (hugeStart >= hugeEnd) {
    mapSectionPiece(m, name, start, end, CHUNK_SIZE, flags);
    return;
  }
  mapSectionPiece(m, name, start, hugeStart, CHUNK_SIZE, flags);
  mapSectionPiece(m, name, hugeStart, hugeEnd, HUGE_2M, flags);
  mapSectionPiece(m, name, hugeEnd, end, CHUNK_SIZE, flags);
}

/** Maps [start, end) of the image (aligned to `size`) with pages of `size` bytes. */
function mapSectionPiece(m: Mapper, name: string, start: u64, end: u64, size: u64, flags: PageFlags): void {
  if (end === start) return;
  const virt = VirtualAddress.checked(start);
  const phys = PhysicalAddress.checked(start - kernelVma());
  if (virt === null || phys === null) panic(`memory init: section ${name} ${hex(start)}..${hex(end)} lies outside the kernel window`);
  const s = m.mapContiguous(virt, phys, (end - start) / size, size, flags);
  if (!s.isOk()) panic(`memory init: mapping ${name} ${hex(start)}..${hex(end)} failed: ${mapErrorName(s.error)}`);
}

/**
 * The kernel's tables: each section with its own permissions, the boot stack's guard page
 * left out, the direct map of every 2 MiB block holding available RAM (huge pages; 4 KiB
 * pages in test builds). Nothing in the lower half. Built through the identity map (tables below 4 GiB), not yet loaded.
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
  const use1G = cpuHas1GiBPages();
  const blocks = new RamBlocks(mem);
  // Test builds map single frames, so that a free frame can leave the direct map (as Linux
  // does under DEBUG_PAGEALLOC): a table frame per 2 MiB of RAM (0.2%), written once here.
  const single: bool = debugChecksEnabled();
  for (let i: u32 = 0; i < blocks.count; i++) {
    if (single) directMapPiece(m, blocks.lo.get(i), blocks.hi.get(i), CHUNK_SIZE);
    else directMap(m, blocks.lo.get(i), blocks.hi.get(i), use1G);
  }
  return m;
}

/**
 * The 2 MiB blocks holding available RAM below the direct map's end, as sorted, disjoint,
 * non-touching ranges [lo, hi): the sanitised map is sorted and disjoint, but neighbouring
 * entries may share a block, so each block is mapped exactly once. The insertion sort is
 * linear on sorted input; nothing per frame.
 */
class RamBlocks {
  readonly lo: U64Array;
  readonly hi: U64Array;
  count: u32 = 0;

  constructor(mem: BootMemory) {
    const entries: u64 = mem.sanitisedCount();
    let n: u32 = 0;
    for (let i: u64 = 0n; i < entries; i++) if (mem.sanitised(i).type === MEMORY_AVAILABLE) n++;
    this.lo = new U64Array(n, 0n);
    this.hi = new U64Array(n, 0n);
    for (let i: u64 = 0n; i < entries; i++) {
      const e = mem.sanitised(i);
      if (e.type !== MEMORY_AVAILABLE) continue;
      const r = e.region;
      if (r.first >= DIRECT_MAP_SIZE) continue;
      const last: u64 = r.last >= DIRECT_MAP_SIZE ? DIRECT_MAP_SIZE - 1n : r.last;
      this.insert(r.first & ~(HUGE_2M - 1n), (last | (HUGE_2M - 1n)) + 1n);
    }
  }

  /** Adds [lo, hi) in order of lo (insertion sort), then merges what overlaps or touches. */
  private insert(lo: u64, hi: u64): void {
    let i: u32 = this.count;
    while (i > 0 && this.lo.get(i - 1) > lo) {
      this.lo.set(i, this.lo.get(i - 1));
      this.hi.set(i, this.hi.get(i - 1));
      i--;
    }
    this.lo.set(i, lo);
    this.hi.set(i, hi);
    this.count++;
    let out: u32 = 0;
    for (let j: u32 = 1; j < this.count; j++) {
      if (this.lo.get(j) <= this.hi.get(out)) {
        if (this.hi.get(j) > this.hi.get(out)) this.hi.set(out, this.hi.get(j));
      } else {
        out++;
        this.lo.set(out, this.lo.get(j));
        this.hi.set(out, this.hi.get(j));
      }
    }
    this.count = out + 1;
  }
}

/** True when CPUID reports 1 GiB pages (leaf 0x8000_0001, EDX bit 26). */
export function cpuHas1GiBPages(): bool {
  return (cpuidEdx(0x8000_0001) & (1 << 26)) !== 0;
}

/**
 * Direct-maps physical [lo, hi) (2 MiB aligned): 2 MiB pages up to the first 1 GiB
 * boundary, 1 GiB pages while a whole GiB remains (when the CPU has them), 2 MiB pages for
 * the rest. Each piece is one mapContiguous: a table entry per huge page, no work per frame.
 */
function directMap(m: Mapper, lo: u64, hi: u64, use1G: bool): void {
  if (!use1G) {
    directMapPiece(m, lo, hi, HUGE_2M);
    return;
  }
  const headEnd: u64 = (lo + (HUGE_1G - 1n)) & ~(HUGE_1G - 1n);
  const bodyEnd: u64 = hi & ~(HUGE_1G - 1n);
  if (headEnd >= bodyEnd) {
    directMapPiece(m, lo, hi, HUGE_2M);
    return;
  }
  directMapPiece(m, lo, headEnd, HUGE_2M);
  directMapPiece(m, headEnd, bodyEnd, HUGE_1G);
  directMapPiece(m, bodyEnd, hi, HUGE_2M);
}

/** Maps physical [lo, hi) at the direct map with pages of `size`. */
function directMapPiece(m: Mapper, lo: u64, hi: u64, size: u64): void {
  if (hi <= lo) return;
  const s = m.mapContiguous(directMapVirt(lo), PhysicalAddress.canonical(lo), (hi - lo) / size, size, PageFlags.readWrite());
  if (!s.isOk()) panic(`memory init: direct map of ${hex(lo)}..${hex(hi)} failed: ${mapErrorName(s.error)}`);
  directMapBytes += hi - lo;
}

/** The direct-map address of physical `phys`. */
function directMapVirt(phys: u64): VirtualAddress {
  const v = VirtualAddress.checked(DIRECT_MAP_BASE + phys);
  if (v === null) return panic("memory init: direct map address not canonical");
  return v;
}
