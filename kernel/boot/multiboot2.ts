// Reading the multiboot2 boot information GRUB hands over. Every read is bounds-checked
// against the information's total size: a size field is never trusted.
import { u64, type u8, type u32 } from "../lib/int";
import { load32, load8 } from "../lib/intrinsics";
import { writeByte } from "../lib/console";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";

/** Magic value GRUB leaves in EAX (checked by the boot stub). */
export const MULTIBOOT2_MAGIC: u32 = 0x36d76289;
/** Tag types (multiboot2 specification, section 3.6). */
export const TAG_END: u32 = 0;
export const TAG_COMMAND_LINE: u32 = 1;
export const TAG_BOOTLOADER_NAME: u32 = 2;
export const TAG_MODULE: u32 = 3;
export const TAG_BASIC_MEMINFO: u32 = 4;
export const TAG_MEMORY_MAP: u32 = 6;
export const TAG_FRAMEBUFFER: u32 = 8;
export const TAG_ELF_SECTIONS: u32 = 9;
export const TAG_ACPI_OLD: u32 = 14;
export const TAG_ACPI_NEW: u32 = 15;
export const TAG_LOAD_BASE_ADDR: u32 = 21;

const HEADER_SIZE: u64 = 8n; // u32 total_size, u32 reserved
/** Bytes of a tag's header (u32 type, u32 size): payloads start here. */
export const TAG_HEADER_SIZE: u64 = 8n;
/** Largest boot information accepted: far above what GRUB produces, below absurd. */
const MAX_TOTAL_SIZE: u64 = 0x10_0000n;

/** Rounds up to the 8-byte alignment of tags. */
function align8(x: u64): u64 {
  return (x + 7n) & ~7n;
}

/** Total size of the boot information at `info`, checked for sanity. */
export function bootInfoSize(info: u64): u64 {
  if ((info & 7n) !== 0n) panic(`multiboot2 information at ${hex(info)} is not 8-byte aligned`);
  const total: u64 = u64(load32(info));
  if (total < HEADER_SIZE + TAG_HEADER_SIZE || total > MAX_TOTAL_SIZE) panic(`multiboot2 information at ${hex(info)} has a bad total size ${total}`);
  if ((total & 7n) !== 0n) panic(`multiboot2 information at ${hex(info)} has total size ${total}, not a multiple of 8: its tags cannot all be 8-byte aligned`);
  if (info > 0xffff_ffff_ffff_ffffn - total) panic(`multiboot2 information at ${hex(info)} (size ${total}) wraps around the address space`);
  return total;
}

/**
 * The address of the tag after the one at `at` (whose header the walk has checked), or of
 * the first tag when `at` is 0; 0 after the end tag. Checks each header it steps onto: size
 * at least the header, inside total_size `end`, an end tag of size 8 terminating the list.
 */
export function nextTag(info: u64, end: u64, at: u64): u64 {
  let next: u64 = info + HEADER_SIZE;
  if (at !== 0n) {
    if (load32(at) === TAG_END) return 0n;
    next = at + align8(u64(load32(at + 4n)));
  }
  if (next > end || end - next < TAG_HEADER_SIZE) panic(`multiboot2 information at ${hex(info)} has no end tag`);
  const tagType: u32 = load32(next);
  const size: u64 = u64(load32(next + 4n));
  if (size < TAG_HEADER_SIZE) panic(`multiboot2 tag ${tagType} at ${hex(next)} has size ${size}, less than its header`);
  if (size > end - next) panic(`multiboot2 tag ${tagType} at ${hex(next)} (size ${size}) runs past the end ${hex(end)}`);
  if (tagType === TAG_END && size !== TAG_HEADER_SIZE) panic(`multiboot2 end tag at ${hex(next)} has size ${size}, not 8`);
  return next;
}

/** The size field of the tag at `tag` (already checked against total_size by the walk). */
export function tagSize(tag: u64): u64 {
  return u64(load32(tag + 4n));
}

/** Panics unless the tag at `tag` holds at least `min` bytes (header included). */
export function requireTagSize(tag: u64, min: u64, what: string): void {
  const size: u64 = tagSize(tag);
  if (size < min) panic(`multiboot2 ${what} tag at ${hex(tag)} has size ${size}, less than the ${min} bytes it needs`);
}

/** Reads a u64 at any 4-byte aligned address as two u32 loads (tag payloads are 4-aligned). */
export function loadU64(addr: u64): u64 {
  return u64(load32(addr)) | (u64(load32(addr + 4n)) << 32n);
}

/** Length of the NUL-terminated string in a tag's payload (bounded by the tag's size). */
export function tagStringLength(tag: u64): u64 {
  const size: u64 = u64(load32(tag + 4n));
  let n: u64 = 0n;
  while (n < size - TAG_HEADER_SIZE && load8(tag + TAG_HEADER_SIZE + n) !== 0) n += 1n;
  return n;
}

/** Prints the string payload of a string tag (command line, bootloader name). */
export function printTagString(tag: u64): void {
  printStringAt(tag, TAG_HEADER_SIZE);
}

/** Prints the NUL-terminated string at byte `offset` of the tag at `tag`, bounded by its size. */
export function printStringAt(tag: u64, offset: u64): void {
  const size: u64 = tagSize(tag);
  let i: u64 = offset;
  while (i < size && load8(tag + i) !== 0) {
    printByte(load8(tag + i));
    i += 1n;
  }
}

const QUESTION_MARK: u8 = 0x3f;

function printByte(b: u8): void {
  // Non-printable bytes from the bootloader are shown as '?', keeping the console clean.
  writeByte(b < 0x20 || b > 0x7e ? QUESTION_MARK : b);
}
