// The kernel's ELF section headers (multiboot2 tag type 9): u32 num, u32 entsize, u32 shndx,
// then `num` section headers of `entsize` bytes (Elf64_Shdr, 64 bytes, for our kernel).
// GRUB reports allocated sections (SHF_ALLOC) at their link addresses, which for the
// higher-half part of the kernel are virtual (0xFFFFFFFF80000000 + physical); it copies
// the other non-empty sections (.symtab, .strtab, debug info) into free RAM below 4 GiB
// and sets their address to that physical copy. Both must be kept out of the free RAM.
import { u32, u64, type bool } from "../lib/int";
import { U64Array } from "../lib/fixed_array";
import { load32 } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { loadU64, tagSize } from "./multiboot2";
import { PHYSICAL_MAX, PhysRegion } from "./memory_map";

/** The kernel's link base: physical = virtual - KERNEL_VMA for the higher half. */
export const KERNEL_VMA: u64 = 0xffff_ffff_8000_0000n;
/** Section flag: occupies memory while the kernel runs. */
export const SHF_ALLOC: u64 = 2n;
/** Section type: occupies no file space (.bss). */
export const SHT_NOBITS: u32 = 8;
/** Bytes of an Elf64_Shdr. */
export const ELF64_SHDR_SIZE: u64 = 64n;
/** The tag's header: type, size, num, entsize, shndx. */
const ELF_TAG_HEADER_SIZE: u64 = 20n;
/** Section header sizes above this are taken as corruption. */
const MAX_SHDR_SIZE: u64 = 1024n;

/** One section header's fields the kernel uses. */
export class ElfSection {
  readonly index: u64;
  readonly type: u32;
  readonly flags: u64;
  readonly address: u64;
  readonly size: u64;

  constructor(index: u64, type: u32, flags: u64, address: u64, size: u64) {
    this.index = index;
    this.type = type;
    this.flags = flags;
    this.address = address;
    this.size = size;
  }

  /** True when the section occupies memory at run time (SHF_ALLOC). */
  isAllocated(): bool {
    return (this.flags & SHF_ALLOC) !== 0n;
  }

  /**
   * The physical bytes of an allocated section, or null when it is empty or not allocated.
   * Addresses at or above KERNEL_VMA are higher-half link addresses (physical = address -
   * KERNEL_VMA); lower ones (the boot stub's sections) are identity-mapped, so physical.
   */
  imageRegion(): PhysRegion | null {
    if (!this.isAllocated() || this.size === 0n) return null;
    const phys: u64 = this.address >= KERNEL_VMA ? this.address - KERNEL_VMA : this.address;
    return physicalRegion(phys, this.size, this.index);
  }

  /** GRUB's physical copy of a non-allocated section, or null when it has none. */
  copyRegion(): PhysRegion | null {
    if (this.isAllocated() || this.size === 0n || this.address === 0n || this.type === SHT_NOBITS) return null;
    return physicalRegion(this.address, this.size, this.index);
  }
}

/** The `size` bytes from physical `phys`; panics when they leave the physical space. */
function physicalRegion(phys: u64, size: u64, index: u64): PhysRegion {
  const r = PhysRegion.ofLength(phys, size);
  if (r === null || r.last > PHYSICAL_MAX) return panic(`ELF section ${index} (physical ${hex(phys)}, size ${hex(size)}) does not fit the physical address space`);
  return r;
}

/** The ELF sections tag, checked: `count` headers of `entrySize` bytes from `tag + 20`. */
export class ElfSections {
  readonly tag: u64;
  readonly count: u64;
  readonly entrySize: u64;
  readonly stringTableIndex: u64;
  /** Indices of the sections GRUB copied into RAM, in section order (the first `copies`). */
  private readonly copyIndex: U64Array;
  readonly copies: u64;
  readonly allocated: u64;
  /** The physical extent of the allocated sections (meaningful when `allocated` > 0). */
  readonly image: PhysRegion;

  constructor(tag: u64, count: u64, entrySize: u64, stringTableIndex: u64, copyIndex: U64Array, copies: u64, allocated: u64, image: PhysRegion) {
    this.tag = tag;
    this.count = count;
    this.entrySize = entrySize;
    this.stringTableIndex = stringTableIndex;
    this.copyIndex = copyIndex;
    this.copies = copies;
    this.allocated = allocated;
    this.image = image;
  }

  /** No sections (boot information without the tag). */
  static none(): ElfSections {
    return new ElfSections(0n, 0n, ELF64_SHDR_SIZE, 0n, new U64Array(0, 0n), 0n, 0n, new PhysRegion(0n, 0n));
  }

  /** Section header `i` (0 <= i < count). */
  section(i: u64): ElfSection {
    if (i >= this.count) panic(`ELF sections: section ${i} requested, there are ${this.count}`);
    const at: u64 = this.tag + ELF_TAG_HEADER_SIZE + i * this.entrySize;
    return new ElfSection(i, load32(at + 4n), loadU64(at + 8n), loadU64(at + 16n), loadU64(at + 32n));
  }

  /** The physical extent of the kernel image from the allocated sections, or null when there are none. */
  kernelImage(): PhysRegion | null {
    return this.allocated === 0n ? null : this.image;
  }

  /** The `n`-th (from 0) section GRUB copied into RAM. */
  copy(n: u64): ElfSection {
    if (n >= this.copies) panic(`ELF sections: copied section ${n} requested, there are ${this.copies}`);
    return this.section(this.copyIndex.get(u32(n)));
  }
}

/**
 * The ELF sections tag at `tag` (its header checked by the tag walk), every section checked
 * once. Panics when the tag is malformed: shorter than its header, a header size of 0,
 * below 64 (ELF64) or huge, headers running past the tag, a string-table index out of
 * range, or a section that does not fit the physical address space.
 */
export function readElfSectionsTag(tag: u64): ElfSections {
  const size: u64 = tagSize(tag);
  if (size < ELF_TAG_HEADER_SIZE) panic(`ELF sections tag at ${hex(tag)} has size ${size}, less than its 20-byte header`);
  const count: u64 = u64(load32(tag + 8n));
  const entrySize: u64 = u64(load32(tag + 12n));
  const shndx: u64 = u64(load32(tag + 16n));
  if (entrySize === 0n) panic(`ELF sections tag at ${hex(tag)} has section header size 0`);
  if (entrySize < ELF64_SHDR_SIZE) panic(`ELF sections tag at ${hex(tag)} has section header size ${entrySize}, smaller than an ELF64 section header (64 bytes)`);
  if (entrySize > MAX_SHDR_SIZE) panic(`ELF sections tag at ${hex(tag)} has a huge section header size ${entrySize}`);
  if (count > (size - ELF_TAG_HEADER_SIZE) / entrySize) panic(`ELF sections tag at ${hex(tag)}: ${count} headers of ${entrySize} bytes run past its size ${size}`);
  if (count !== 0n && shndx >= count) panic(`ELF sections tag at ${hex(tag)}: string table index ${shndx} is not below the section count ${count}`);
  const raw = new ElfSections(tag, count, entrySize, shndx, new U64Array(0, 0n), 0n, 0n, new PhysRegion(0n, 0n));
  // One pass: check every section, count the copies and allocated ones, find the image's extent.
  let copies: u64 = 0n;
  let allocated: u64 = 0n;
  let lo: u64 = PHYSICAL_MAX;
  let hi: u64 = 0n;
  for (let i: u64 = 0n; i < count; i++) {
    const s = raw.section(i);
    if (s.copyRegion() !== null) copies += 1n;
    const r = s.imageRegion();
    if (r === null) continue;
    allocated += 1n;
    if (r.first < lo) lo = r.first;
    if (r.last > hi) hi = r.last;
  }
  const copyIndex = new U64Array(u32(copies), 0n);
  let k: u32 = 0;
  for (let i: u64 = 0n; i < count; i++) {
    if (raw.section(i).copyRegion() === null) continue;
    copyIndex.set(k, i);
    k += 1;
  }
  return new ElfSections(tag, count, entrySize, shndx, copyIndex, copies, allocated, allocated === 0n ? new PhysRegion(0n, 0n) : new PhysRegion(lo, hi));
}
