// In-kernel tests of the multiboot2 information GRUB really handed over.
import type { u64 } from "../lib/int";
import { expect, expectEqU64 } from "../lib/ktap";
import { load8 } from "../lib/intrinsics";
import { bootInfoSize, findTag, tagStringLength, TAG_BOOTLOADER_NAME, TAG_END, TAG_MEMORY_MAP } from "../boot/multiboot2";

let bootInfo: u64 = 0n;

/** Remembers the boot information for the tests below. */
export function setBootInfo(info: u64): void {
  bootInfo = info;
}

/** The information is 8-byte aligned with a plausible size. */
export function testBootInfoHeader(): void {
  expectEqU64(bootInfo & 7n, 0n, "alignment of the boot information");
  expect(bootInfoSize(bootInfo) > 16n, "boot information holds tags");
}

/** GRUB names itself in the bootloader-name tag. */
export function testBootloaderNameIsGrub(): void {
  const tag: u64 = findTag(bootInfo, TAG_BOOTLOADER_NAME);
  expect(tag !== 0n, "bootloader name tag present");
  if (tag === 0n) return;
  expect(tagStringLength(tag) >= 4n, "name has at least 4 characters");
  // "GRUB 2.06..." : check the first four bytes.
  expect(load8(tag + 8n) === 0x47 && load8(tag + 9n) === 0x52 && load8(tag + 10n) === 0x55 && load8(tag + 11n) === 0x42, "name starts with GRUB");
}

/** The memory map tag exists and lies inside the information. */
export function testMemoryMapTagInBounds(): void {
  const tag: u64 = findTag(bootInfo, TAG_MEMORY_MAP);
  expect(tag > bootInfo && tag < bootInfo + bootInfoSize(bootInfo), "memory map tag inside the boot information");
  expect(findTag(bootInfo, TAG_END) !== 0n, "end tag found");
}
