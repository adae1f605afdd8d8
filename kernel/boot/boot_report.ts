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
// Free regions are sorted, disjoint, whole 4 KiB frames: the available entries (duplicates
// and overlaps merged) minus every non-available entry and every reserved region.
import { truncU8, type u32, type u64, type u8 } from "../lib/int";
import { print, println, writeByte } from "../lib/console";
import { hex } from "../lib/fmt";
import { printStringAt } from "./multiboot2";
import { memoryTypeName, type PhysRegion } from "./memory_map";
import { acpiRsdp, basicMeminfo, bootModule, framebuffer, loadBaseAddress } from "./boot_tags";
import { BootMemory, readBootMemory, RESERVED_MODULE, reservedKindName } from "./regions";

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

/** Prints the whole boot report for the boot information at `info`. */
export function printBootReport(info: u64): void {
  const mem = readBootMemory(info);
  printMemoryMap(mem);
  printOtherTags(info, mem);
  println(`ELF sections: ${mem.sections.count} (${mem.sections.allocatedCount()} allocated, ${mem.copies} copied by GRUB)`);
  printReserved(mem);
  printFree(mem);
}

function printMemoryMap(mem: BootMemory): void {
  println(`memory map: ${mem.map.count} entries (entry size ${mem.map.entrySize}, version ${mem.map.version})`);
  for (const e of mem.map) {
    const r = e.region();
    if (r === null) {
      print("  [empty at p");
      printHex16(e.base);
      print("] ");
    } else printRegion(r);
    printTypeName(e.type);
  }
}

function printTypeName(type: u32): void {
  println(memoryTypeName(type));
}

function printOtherTags(info: u64, mem: BootMemory): void {
  const mi = basicMeminfo(info);
  if (mi === null) println("basic meminfo: (none)");
  else println(`basic meminfo: lower ${mi.lowerKiB} KiB, upper ${mi.upperKiB} KiB`);
  const base: u64 = loadBaseAddress(info);
  if (base === 0n) println("load base: (none)");
  else println(`load base: p${hex(base)}`);
  const fb = framebuffer(info);
  if (fb === null) println("framebuffer: (none)");
  else println(`framebuffer: p${hex(fb.address)} ${fb.width}x${fb.height}x${fb.bpp} pitch ${fb.pitch} type ${fb.type}`);
  const rsdp = acpiRsdp(info);
  if (rsdp === null) println("ACPI RSDP: (none)");
  else println(`ACPI RSDP: revision ${rsdp.revision}, RSDT p${hex(rsdp.rsdt)}, XSDT p${hex(rsdp.xsdt)}`);
  println(`modules: ${mem.modules}`);
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
      printStringAt(bootModule(mem.info, r.index).tag, 16n);
      print("\"");
    } else if (r.kind !== 0 && r.kind !== 1 && r.kind !== 2) print(` ${r.index}`);
    println("");
  }
}

function printFree(mem: BootMemory): void {
  println(`free regions: ${mem.freeRegionCount()}`);
  let frames: u64 = 0n;
  let regions: u64 = 0n;
  let from: u64 = 0n;
  while (true) {
    const fr = mem.nextFreeFrames(from);
    if (fr === null) break;
    const first = fr.start();
    const last = fr.end();
    if (first === null || last === null) break;
    printRange(first.start().value(), last.lastAddress().value());
    println(`${fr.sizeInChunks()} frames`);
    frames += fr.sizeInChunks();
    regions += 1n;
    from = BootMemory.after(fr);
  }
  println(`available RAM: ${mem.availableBytes() / 1024n} KiB; free RAM: ${frames * 4n} KiB in ${regions} regions, ${frames} frames`);
}
