// The console's read-only views of memory: `mem` (the boot memory picture and what the frame
// allocator holds now) and `tables` (what the kernel's page tables map over its own image).
import { type bool, u64 } from "../lib/int";
import { print, println } from "../lib/console";
import { hex } from "../lib/fmt";
import {
  kernelBssEnd, kernelBssStart, kernelDataEnd, kernelDataStart, kernelRodataEnd, kernelRodataStart,
  kernelTextEnd, kernelTextStart,
} from "../lib/intrinsics";
import { CHUNK_SIZE, DIRECT_MAP_BASE, VirtualAddress } from "../mm/addr";
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

/** Prints [start, end) page by page, one line per run of pages mapped alike (or unmapped). */
function describeSection(name: string, start: u64, end: u64): void {
  println(`${name} ${hex(start)}..${hex(end)}`);
  const tables = kernelPageTables();
  let runStart: u64 = start;
  for (let at: u64 = start; at < end; at += CHUNK_SIZE) {
    const next: u64 = at + CHUNK_SIZE;
    if (next < end && sameMapping(at, next)) continue;
    const va = VirtualAddress.checked(runStart);
    const flags: PageFlags | null = va === null ? null : tables.flagsOf(va);
    const pa = va === null ? null : tables.translate(va);
    const pages: u64 = (next - runStart) / CHUNK_SIZE;
    print(`  ${hex(runStart)}..=${hex(next - 1n)} (${pages} ${pages === 1n ? "page" : "pages"}) `);
    if (flags === null || pa === null) println("not mapped");
    else println(`-> ${pa} ${flags}`);
    runStart = next;
  }
}

/** True when `next` continues `at`'s mapping: both unmapped, or same flags and the next frame. */
function sameMapping(at: u64, next: u64): bool {
  const tables = kernelPageTables();
  const a = VirtualAddress.checked(at);
  const b = VirtualAddress.checked(next);
  if (a === null || b === null) return false;
  const pa = tables.translate(a);
  const pb = tables.translate(b);
  if (pa === null || pb === null) return pa === null && pb === null;
  const fa = tables.flagsOf(a);
  const fb = tables.flagsOf(b);
  if (fa === null || fb === null) return false;
  return pb.value() === pa.value() + CHUNK_SIZE && fa.equals(fb);
}
