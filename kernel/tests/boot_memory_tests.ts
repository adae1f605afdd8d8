// In-kernel tests of the boot report's invariants on the boot information GRUB really
// handed over: free regions sorted, disjoint, inside available RAM and outside every
// reserved region; the basic meminfo tag agreeing with the map; the kernel image in RAM.
import type { bool, u64 } from "../lib/int";
import { expect, expectEqU64 } from "../lib/ktap";
import { PhysRegion } from "../boot/memory_map";
import { RESERVED_MODULE, type BootMemory } from "../boot/regions";
import { println } from "../lib/console";

let bootMemory: BootMemory | null = null;

/** Remembers the boot memory picture for the tests below. */
export function setBootMemory(mem: BootMemory): void {
  bootMemory = mem;
}

/** The byte range of frames `first..last` (numbers). */
function frameBytes(first: u64, last: u64): PhysRegion {
  return new PhysRegion(first << 12n, ((last + 1n) << 12n) - 1n);
}

/** Free regions come in increasing order, apart, each in available RAM and no reserved region. */
export function testFreeRegionsSortedAndDisjoint(): void {
  const mem = bootMemory;
  expect(mem !== null, "boot memory computed");
  if (mem === null) return;
  const reserved: u64 = mem.reservedCount();
  let previousEnd: u64 = 0n; // first byte after the previous region
  let frames: u64 = 0n;
  const n: u64 = mem.freeRegionCount();
  for (let k: u64 = 0n; k < n; k++) {
    const fr = mem.freeRegion(k);
    const r = frameBytes(fr.firstNumber(), fr.lastNumber());
    expect(k === 0n || r.first > previousEnd, "free regions sorted and not adjacent (maximal)");
    expect(mem.isAvailable(r), "free region lies in available RAM");
    let clear: bool = true;
    for (let i: u64 = 0n; i < reserved; i++) if (mem.reserved(i).region.overlaps(r)) clear = false;
    expect(clear, "free region overlaps no reserved region");
    previousEnd = r.last + 1n;
    frames += fr.sizeInChunks();
  }
  expect(n > 0n, "some RAM is free");
  expectEqU64(frames, mem.freeFrameCount(), "free frame count");
}

/** Free RAM plus reserved regions account for all available RAM (rounding to frames aside). */
export function testFreeRamAccountsForAvailableRam(): void {
  const mem = bootMemory;
  expect(mem !== null, "boot memory computed");
  if (mem === null) return;
  const free: u64 = mem.freeFrameCount() * 4096n;
  const available: u64 = mem.availableBytes();
  let reserved: u64 = 0n;
  const n: u64 = mem.reservedCount();
  for (let i: u64 = 0n; i < n; i++) reserved += mem.reserved(i).region.sizeInBytes() + 8192n; // + partial frames at both ends
  expect(free <= available, "free RAM is at most the available RAM");
  expect(free + reserved + mem.sanitisedCount() * 8192n >= available, "available RAM is free or reserved");
  expect(free >= available / 2n, "at least half of the available RAM is free");
}

/** GRUB's basic meminfo equals the available runs from 0 and from 1 MiB. */
export function testBasicMeminfoAgreesWithMap(): void {
  const mem = bootMemory;
  expect(mem !== null, "boot memory computed");
  if (mem === null) return;
  const mi = mem.info.basicMeminfo();
  expect(mi !== null, "basic meminfo tag present");
  if (mi === null) return;
  const low = mem.availableRunAt(0n);
  const high = mem.availableRunAt(0x10_0000n);
  expect(low !== null && high !== null, "RAM at 0 and at 1 MiB is available");
  if (low === null || high === null) return;
  expectEqU64(low.sizeInBytes() / 1024n, mi.lowerKiB, "lower memory KiB");
  expectEqU64(high.sizeInBytes() / 1024n, mi.upperKiB, "upper memory KiB");
}

/** The kernel image (linker symbols, ELF sections agreeing) starts at the load base, in available RAM, reserved. */
export function testKernelImageInAvailableRam(): void {
  const mem = bootMemory;
  expect(mem !== null, "boot memory computed");
  if (mem === null) return;
  const elf = mem.info.sections.kernelImage();
  expect(elf !== null, "ELF sections give a kernel image");
  if (elf !== null) expect(elf.equals(mem.image), "the ELF sections and the linker symbols agree on the image");
  expectEqU64(mem.image.first, 0x10_0000n, "kernel image starts at 1 MiB");
  expectEqU64(mem.image.first, mem.info.loadBase(), "load base address tag");
  expect(mem.isAvailable(mem.image), "kernel image lies in available RAM");
  expect(mem.info.sections.copies > 0n, "GRUB copied the non-allocated sections (the ISO's ELF keeps only .shstrtab)");
  const info = new PhysRegion(mem.info.address, mem.info.address + (mem.info.size - 1n));
  const n: u64 = mem.freeRegionCount();
  for (let k: u64 = 0n; k < n; k++) {
    const fr = mem.freeRegion(k);
    const r = frameBytes(fr.firstNumber(), fr.lastNumber());
    expect(!r.overlaps(mem.image), "kernel image is not free");
    expect(!r.overlaps(info), "boot information is not free");
  }
}

/** Every module GRUB loaded is a reserved region, overlapping no free region (the test image boots with 64). */
export function testModulesReserved(): void {
  const mem = bootMemory;
  expect(mem !== null, "boot memory computed");
  if (mem === null) return;
  const modules: u64 = mem.info.modules;
  let reserved: u64 = 0n;
  for (let i: u64 = 0n; i < mem.reservedCount(); i++) if (mem.reserved(i).kind === RESERVED_MODULE) reserved += 1n;
  let free: bool = false;
  for (let j: u64 = 0n; j < modules; j++) {
    const r = mem.info.module(j).region();
    if (r === null) continue;
    for (let k: u64 = 0n; k < mem.freeRegionCount(); k++) {
      const fr = mem.freeRegion(k);
      if (frameBytes(fr.firstNumber(), fr.lastNumber()).overlaps(r)) free = true;
    }
  }
  println(`# ${modules} modules, ${reserved} reserved regions of modules`);
  expectEqU64(reserved, modules, "each (non-empty) module is a reserved region");
  expect(!free, "no module lies in a free region");
}
