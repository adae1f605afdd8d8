// The boot report: what the boot information says about the machine, printed on the
// serial console after the banner (make run). The format is stable; tests and tools may
// parse it. Addresses are physical, 16 hex digits, ranges inclusive at both ends:
//
//   memory map: N entries (entry size S, version V)
//     [p0x0000000000000000..p0x000000000009fbff] available
//     [p0x000000000009fc00..p0x000000000009ffff] reserved
//     ...                                           one line per entry, in the map's order;
//                                                   type: available | reserved | ACPI reclaimable
//                                                   | ACPI NVS | defective | reserved (unknown type)
//   sanitised memory map: M entries                 the map as the kernel uses it: sorted,
//     [p0x...............................] available   disjoint, adjacent entries of one type
//     ...                                           merged, overlaps resolved (regions.ts)
//   memory map overlaps resolved: K
//     [p0x...............................] reserved kept, also listed as available, ACPI reclaimable
//     ...                                           one line per range where entries overlap:
//                                                   the winning type, then the other types there
//                                                   (the winner's own type when it is listed twice)
//   basic meminfo: lower L KiB, upper U KiB         or "basic meminfo: (none)"
//   load base: p0x...                               or "load base: (none)"
//   framebuffer: p0x... WxHxBPP pitch P type T      or "framebuffer: (none)"
//   ACPI RSDP: revision R, RSDT p0x..., XSDT p0x... or "ACPI RSDP: (none)"
//   modules: M
//   ELF sections: N (A allocated, C copied by GRUB)
//   reserved regions: R
//     [p0x0000000000000000..p0x00000000000fffff] first MiB
//     [p0x...............................] kernel image
//     [p0x...............................] boot information
//     [p0x...............................] module I "command line of the module"
//     [p0x...............................] ELF section copy I
//   free regions: F
//     [p0x0000000000100000..p0x0000000007fdffff] N frames
//   available RAM: A KiB; free RAM: K KiB in F regions, N frames
//
// Free regions are sorted, disjoint, whole 4 KiB frames: the available RAM of the sanitised
// map minus every reserved region.
import { truncU8, type bool, type u32, type u64, type u8 } from "../lib/int";
import { print, println, writeByte } from "../lib/console";
import { hex } from "../lib/fmt";
import { printStringAt } from "./multiboot2";
import { memoryTypeName, type MemoryMap, type PhysRegion } from "./memory_map";
import type { BootInfo } from "./boot_info";
import { classType, RESERVED_ELF_COPY, RESERVED_MODULE, reservedKindName, type BootMemory } from "./regions";

const DIGIT_ZERO: u8 = 0x30;
const LETTER_A: u8 = 0x61;

/** Prints `x` as `0x` and exactly 16 hex digits. */
export function printHex16(x: u64): void {
  print("0x");
  for (let shift: u64 = 60n; ; shift -= 4n) {
    const d: u64 = (x >> shift) & 0xfn;
    writeByte(d < 10n ? DIGIT_ZERO + truncU8(d) : LETTER_A + truncU8(d - 10n));
    if (shift === 0n) break;
  }
}

/** Prints `  [p0x…..p0x…] ` for an inclusive range. */
export function printRange(first: u64, last: u64): void {
  print("  [p");
  printHex16(first);
  print("..p");
  printHex16(last);
  print("] ");
}

/** Prints a region the same way. */
function printRegion(r: PhysRegion): void {
  printRange(r.first, r.last);
}

/** Prints the whole boot report of `mem` (computed from the parsed boot information). */
export function printBootReport(mem: BootMemory): void {
  const info = mem.info;
  printMemoryMap(info.memoryMap());
  printSanitisedMap(mem);
  printOtherTags(info);
  println(`ELF sections: ${info.sections.count} (${info.sections.allocated} allocated, ${info.sections.copies} copied by GRUB)`);
  printReserved(mem);
  printFree(mem);
}

function printMemoryMap(map: MemoryMap): void {
  println(`memory map: ${map.count} entries (entry size ${map.entrySize}, version ${map.version})`);
  for (const e of map) {
    const r = e.region();
    if (r === null) {
      print("  [empty at p");
      printHex16(e.base);
      print("] ");
    } else printRegion(r);
    println(memoryTypeName(e.type));
  }
}

/** The sanitised memory map and the overlaps resolved to make it (the console's `mem` too). */
export function printSanitisedMap(mem: BootMemory): void {
  const n: u64 = mem.sanitisedCount();
  println(`sanitised memory map: ${n} entries`);
  for (let i: u64 = 0n; i < n; i++) {
    const e = mem.sanitised(i);
    printRegion(e.region);
    println(memoryTypeName(e.type));
  }
  const k: u64 = mem.conflictCount();
  println(`memory map overlaps resolved: ${k}`);
  for (let i: u64 = 0n; i < k; i++) {
    const c = mem.conflict(i);
    printRegion(c.region);
    print(`${memoryTypeName(c.winner)} kept, also listed as`);
    let sep: bool = false;
    for (let cl: u32 = 0; cl < 8; cl++) {
      if ((c.others & (1 << cl)) === 0) continue;
      print(sep ? ", " : " ");
      print(memoryTypeName(classType(cl)));
      sep = true;
    }
    println("");
  }
}

function printOtherTags(info: BootInfo): void {
  const mi = info.basicMeminfo();
  if (mi === null) println("basic meminfo: (none)");
  else println(`basic meminfo: lower ${mi.lowerKiB} KiB, upper ${mi.upperKiB} KiB`);
  const base: u64 = info.loadBase();
  if (base === 0n) println("load base: (none)");
  else println(`load base: p${hex(base)}`);
  const fb = info.framebuffer();
  if (fb === null) println("framebuffer: (none)");
  else println(`framebuffer: p${hex(fb.address)} ${fb.width}x${fb.height}x${fb.bpp} pitch ${fb.pitch} type ${fb.type}`);
  const rsdp = info.acpiRsdp();
  if (rsdp === null) println("ACPI RSDP: (none)");
  else println(`ACPI RSDP: revision ${rsdp.revision}, RSDT p${hex(rsdp.rsdt)}, XSDT p${hex(rsdp.xsdt)}`);
  println(`modules: ${info.modules}`);
}

function printReserved(mem: BootMemory): void {
  const n: u64 = mem.reservedCount();
  println(`reserved regions: ${n}`);
  for (let i: u64 = 0n; i < n; i++) {
    const r = mem.reserved(i);
    printRegion(r.region);
    print(reservedKindName(r.kind));
    if (r.kind === RESERVED_MODULE) {
      print(` ${r.index} "`);
      printStringAt(mem.info.module(r.index).tag, 16n);
      print("\"");
    } else if (r.kind === RESERVED_ELF_COPY) print(` ${r.index}`);
    println("");
  }
}

function printFree(mem: BootMemory): void {
  const n: u64 = mem.freeRegionCount();
  println(`free regions: ${n}`);
  for (let i: u64 = 0n; i < n; i++) {
    const fr = mem.freeRegion(i);
    printRange(fr.firstNumber() << 12n, ((fr.lastNumber() + 1n) << 12n) - 1n);
    println(`${fr.sizeInChunks()} frames`);
  }
  println(`available RAM: ${mem.availableBytes() / 1024n} KiB; free RAM: ${mem.freeFrameCount() * 4n} KiB in ${n} regions, ${mem.freeFrameCount()} frames`);
}
