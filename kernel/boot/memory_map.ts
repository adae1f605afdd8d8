// The multiboot2 memory map (tag type 6): u32 entry_size, u32 entry_version, then entries
// {u64 base, u64 length, u32 type, u32 reserved}, stepped by entry_size (never by 24: later
// versions may append fields). The tag and every entry are checked once, when the boot
// information is parsed (boot_info.ts). Entries may come unsorted and may overlap: the
// sweep (regions.ts) sanitises them; this file only reads them.
import { u64, type bool, type u32 } from "../lib/int";
import { load32 } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { rangeIterator } from "../lib/iter";
import { loadU64, tagSize } from "./multiboot2";

/** Entry types (multiboot2 specification 3.6.8); every other value is reserved. */
export const MEMORY_AVAILABLE: u32 = 1;
export const MEMORY_RESERVED: u32 = 2;
export const MEMORY_ACPI_RECLAIMABLE: u32 = 3;
export const MEMORY_NVS: u32 = 4;
export const MEMORY_DEFECTIVE: u32 = 5;
/** The sanitised map's type for memory of a type the specification does not define. */
export const MEMORY_UNKNOWN: u32 = 0;

/** The memory map tag's header: type, size, entry_size, entry_version. */
const MMAP_HEADER_SIZE: u64 = 16n;
/** Bytes of the fields of a version-0 entry: base, length, type, reserved. */
export const MMAP_ENTRY_MIN_SIZE: u64 = 24n;
/** Entry sizes above this are taken as corruption (GRUB uses 24). */
export const MMAP_ENTRY_MAX_SIZE: u64 = 1024n;
/** The highest physical address x86_64 can have (52 bits): defined once, in kernel/mm/addr. */
export { PHYSICAL_MAX } from "../mm/addr";
import { PHYSICAL_MAX } from "../mm/addr";
/** The largest u64. */
const U64_MAX: u64 = 0xffff_ffff_ffff_ffffn;

/** A non-empty inclusive range of physical bytes `first..last`. */
export class PhysRegion {
  readonly first: u64;
  readonly last: u64;

  constructor(first: u64, last: u64) {
    if (last < first) panic(`PhysRegion: last ${hex(last)} is below first ${hex(first)}`);
    this.first = first;
    this.last = last;
  }

  /** The region of `length` (> 0) bytes from `base`, or null when it is empty or wraps. */
  static ofLength(base: u64, length: u64): PhysRegion | null {
    if (length === 0n || length - 1n > U64_MAX - base) return null;
    return new PhysRegion(base, base + (length - 1n));
  }

  /** Number of bytes (the 52-bit rule keeps it below 2^64). */
  sizeInBytes(): u64 {
    return this.last - this.first + 1n;
  }

  /** True when byte `x` lies in the region. */
  contains(x: u64): bool {
    return x >= this.first && x <= this.last;
  }

  /** True when the two regions share at least one byte. */
  overlaps(other: PhysRegion): bool {
    return this.first <= other.last && other.first <= this.last;
  }

  /** True when both cover the same bytes. */
  equals(other: PhysRegion): bool {
    return this.first === other.first && this.last === other.last;
  }
}

/** One entry of the memory map, as the firmware gave it. */
export class MemoryMapEntry {
  readonly base: u64;
  readonly length: u64;
  readonly type: u32;

  constructor(base: u64, length: u64, type: u32) {
    this.base = base;
    this.length = length;
    this.type = type;
  }

  /** True for usable RAM (type 1); every other type is reserved in some way. */
  isAvailable(): bool {
    return this.type === MEMORY_AVAILABLE;
  }

  /** The bytes it covers, or null for a zero-length entry. */
  region(): PhysRegion | null {
    return PhysRegion.ofLength(this.base, this.length);
  }
}

/** The memory map tag, checked: `count` entries of `entrySize` bytes from `tag + 16`. */
export class MemoryMap {
  readonly tag: u64;
  readonly entrySize: u64;
  readonly version: u32;
  readonly count: u64;

  constructor(tag: u64, entrySize: u64, version: u32, count: u64) {
    this.tag = tag;
    this.entrySize = entrySize;
    this.version = version;
    this.count = count;
  }

  /** Entry `i` (0 <= i < count); panics when it wraps or passes the 52-bit physical space. */
  entry(i: u64): MemoryMapEntry {
    if (i >= this.count) panic(`memory map: entry ${i} requested, the map has ${this.count}`);
    const at: u64 = this.tag + MMAP_HEADER_SIZE + i * this.entrySize;
    const e = new MemoryMapEntry(loadU64(at), loadU64(at + 8n), load32(at + 16n));
    if (e.length !== 0n && e.length - 1n > U64_MAX - e.base) panic(`memory map entry ${i} (base ${hex(e.base)}, length ${hex(e.length)}) wraps past 2^64`);
    if (e.length !== 0n && e.base + (e.length - 1n) > PHYSICAL_MAX) panic(`memory map entry ${i} (base ${hex(e.base)}, length ${hex(e.length)}) ends above the 52-bit physical address space`);
    return e;
  }

  /** Iteration length for `for…of` over the entries. */
  iterLength(): u64 {
    return this.count;
  }

  /** Entry i, for `for…of`. */
  iterAt(i: u64): MemoryMapEntry {
    return this.entry(i);
  }

  /** Node iteration (keelc ignores it). */
  [Symbol.iterator](): Iterator<MemoryMapEntry> {
    return rangeIterator<MemoryMapEntry>(this);
  }
}

/**
 * The memory map tag at `tag` (its header checked by the tag walk), with every entry
 * checked. Panics when the tag is malformed: too small for its header, an entry size of 0,
 * below 24, not a multiple of 8 or huge, a payload that is not a whole number of entries,
 * or an entry that wraps or ends above the 52-bit physical space.
 */
export function readMemoryMapTag(tag: u64): MemoryMap {
  const size: u64 = tagSize(tag);
  if (size < MMAP_HEADER_SIZE) panic(`memory map tag at ${hex(tag)} has size ${size}, less than its 16-byte header`);
  const entrySize: u64 = u64(load32(tag + 8n));
  if (entrySize === 0n) panic(`memory map tag at ${hex(tag)} has entry size 0`);
  if (entrySize < MMAP_ENTRY_MIN_SIZE) panic(`memory map tag at ${hex(tag)} has entry size ${entrySize}, smaller than an entry (24 bytes)`);
  if (entrySize > MMAP_ENTRY_MAX_SIZE) panic(`memory map tag at ${hex(tag)} has a huge entry size ${entrySize} (more than ${MMAP_ENTRY_MAX_SIZE})`);
  if ((entrySize & 7n) !== 0n) panic(`memory map tag at ${hex(tag)} has entry size ${entrySize}, not a multiple of 8`);
  const payload: u64 = size - MMAP_HEADER_SIZE;
  if (payload % entrySize !== 0n) panic(`memory map tag at ${hex(tag)}: its ${payload} bytes of entries are not a whole number of ${entrySize}-byte entries (truncated entry)`);
  const map = new MemoryMap(tag, entrySize, load32(tag + 12n), payload / entrySize);
  for (let i: u64 = 0n; i < map.count; i++) map.entry(i); // checks each entry once, here
  return map;
}

/** The report's name of an entry type; unknown types are reserved. */
export function memoryTypeName(type: u32): string {
  if (type === MEMORY_AVAILABLE) return "available";
  if (type === MEMORY_RESERVED) return "reserved";
  if (type === MEMORY_ACPI_RECLAIMABLE) return "ACPI reclaimable";
  if (type === MEMORY_NVS) return "ACPI NVS";
  if (type === MEMORY_DEFECTIVE) return "defective";
  return "reserved (unknown type)";
}
