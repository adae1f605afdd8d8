// In-kernel tests of the multiboot2 information GRUB really handed over.
import { u64 } from "../lib/int";
import { expect, expectEqU64 } from "../lib/ktap";
import { load32, load8 } from "../lib/intrinsics";
import { tagStringLength, TAG_MEMORY_MAP } from "../boot/multiboot2";
import type { BootInfo } from "../boot/boot_info";

let bootInfo: BootInfo | null = null;

/** Remembers the parsed boot information for the tests below. */
export function setBootInfo(info: BootInfo): void {
  bootInfo = info;
}

/** The information is 8-byte aligned with a plausible size. */
export function testBootInfoHeader(): void {
  const info = bootInfo;
  expect(info !== null, "boot information parsed");
  if (info === null) return;
  expectEqU64(info.address & 7n, 0n, "alignment of the boot information");
  expect(info.size > 16n, "boot information holds tags");
  expectEqU64(info.size, u64(load32(info.address)), "size is the header's total_size");
}

/** GRUB names itself in the bootloader-name tag. */
export function testBootloaderNameIsGrub(): void {
  const info = bootInfo;
  expect(info !== null, "boot information parsed");
  if (info === null) return;
  const tag: u64 = info.bootloaderNameTag();
  expect(tag !== 0n, "bootloader name tag present");
  if (tag === 0n) return;
  expect(tagStringLength(tag) >= 4n, "name has at least 4 characters");
  // "GRUB 2.06..." : check the first four bytes.
  expect(load8(tag + 8n) === 0x47 && load8(tag + 9n) === 0x52 && load8(tag + 10n) === 0x55 && load8(tag + 11n) === 0x42, "name starts with GRUB");
}

/** The memory map tag exists and lies inside the information. */
export function testMemoryMapTagInBounds(): void {
  const info = bootInfo;
  expect(info !== null, "boot information parsed");
  if (info === null) return;
  expect(info.hasMemoryMap(), "memory map tag present");
  const tag: u64 = info.memoryMap().tag;
  expect(tag > info.address && tag < info.address + info.size, "memory map tag inside the boot information");
  expect(load32(tag) === TAG_MEMORY_MAP, "the indexed tag is a memory map tag");
  expect(info.memoryMap().count > 0n, "the map has entries");
}
