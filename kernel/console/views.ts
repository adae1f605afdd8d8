// The console's read-only views of memory: `mem` (the boot memory picture and what the frame
// allocator holds now) and `tables` (what the kernel's page tables map over its own image).
import type { bool, u64 } from "../lib/int";
import { print, println } from "../lib/console";
import { hex } from "../lib/fmt";
import {
  kernelBssEnd, kernelBssStart, kernelDataEnd, kernelDataStart, kernelRodataEnd, kernelRodataStart,
  kernelTextEnd, kernelTextStart,
} from "../lib/intrinsics";
import { CHUNK_SIZE, DIRECT_MAP_BASE, type PhysicalAddress, VirtualAddress } from "../mm/addr";
import { frameAllocator } from "../mm/alloc";
import type { PageFlags } from "../mm/paging";
import { directMapSize, kernelPageTables } from "../boot/memory_init";
import { printSanitisedMap } from "../boot/boot_report";
import type { BootMemory } from "../boot/regions";

/** `mem`: the sanitised memory map, then RAM available, free at boot and free now. */
export function describeMemory(mem: BootMemory): void {
  printSanitisedMap(mem);
  const available: u64 = mem.availableBytes();
  const freeAtBoot: u64 = mem.freeFrameCount() * CHUNK_SIZE;
  const freeNow: u64 = frameAllocator.freeChunks() * CHUNK_SIZE;
  println(`RAM: ${available >> 10n} KiB available, ${(available - freeAtBoot) >> 10n} KiB reserved at boot (kernel, boot information, modules, first MiB)`);
  println(`frames: ${freeAtBoot >> 10n} KiB free at boot, ${freeNow >> 10n} KiB free now, ${frameAllocator.allocatedChunks()} frames allocated (page tables, heap, console handles)`);
}

/** `tables`: the kernel image's sections as the page tables map them, in runs of equal mapping. */
export function describeKernelTables(): void {
  describeSection(".text", kernelTextStart(), kernelTextEnd());
  describeSection(".rodata", kernelRodataStart(), kernelRodataEnd());
  describeSection(".data", kernelDataStart(), kernelDataEnd());
  describeSection(".bss", kernelBssStart(), kernelBssEnd());
  println(`direct map: ${directMapSize() >> 20n} MiB of physical memory at ${hex(DIRECT_MAP_BASE)}`);
}

/** How one page of the kernel image is mapped: its frame's address and flags, or not at all. A value class. */
class PageMapping {
  /** Null when the page is not mapped. */
  readonly phys: PhysicalAddress | null;
  readonly flags: PageFlags | null;

  constructor(phys: PhysicalAddress | null, flags: PageFlags | null) {
    this.phys = phys;
    this.flags = flags;
  }

  /** True when `next`, the page `offset` bytes further, continues this run: both unmapped, or the frame `offset` further with the same flags. */
  continuedBy(next: PageMapping, offset: u64): bool {
    const p = this.phys;
    const q = next.phys;
    const f = this.flags;
    const g = next.flags;
    if (p === null || q === null || f === null || g === null) return p === null && q === null;
    return q.value() === p.value() + offset && g.equals(f);
  }
}

/** The mapping of the page at `at`, looked up once. */
function mappingOf(at: u64): PageMapping {
  const va = VirtualAddress.checked(at);
  if (va === null) return new PageMapping(null, null);
  const tables = kernelPageTables();
  return new PageMapping(tables.translate(va), tables.flagsOf(va));
}

/** Prints [start, end) as runs of pages mapped alike (or unmapped), each page looked up once. */
function describeSection(name: string, start: u64, end: u64): void {
  println(`${name} ${hex(start)}..${hex(end)}`);
  if (end <= start) return;
  let runStart: u64 = start;
  let run = mappingOf(start);
  for (let at: u64 = start + CHUNK_SIZE; at < end; at += CHUNK_SIZE) {
    const here = mappingOf(at);
    if (run.continuedBy(here, at - runStart)) continue;
    printRun(runStart, at, run);
    runStart = at;
    run = here;
  }
  printRun(runStart, end, run);
}

/** One line: the run [start, end), its page count, and where it is mapped. */
function printRun(start: u64, end: u64, run: PageMapping): void {
  const pages: u64 = (end - start) / CHUNK_SIZE;
  print(`  ${hex(start)}..=${hex(end - 1n)} (${pages} ${pages === 1n ? "page" : "pages"}) `);
  const phys = run.phys;
  const flags = run.flags;
  if (phys === null || flags === null) println("not mapped");
  else println(`-> ${phys} ${flags}`);
}
