// The kernel's ELF section headers (multiboot2 tag type 9): u32 num, u32 entsize, u32 shndx,
// then `num` section headers of `entsize` bytes (Elf64_Shdr, 64 bytes, for our kernel).
// GRUB reports allocated sections (SHF_ALLOC) at their link addresses, which for the
// higher-half part of the kernel are virtual (0xFFFFFFFF80000000 + physical); it copies
// the other non-empty sections (.symtab, .strtab, debug info) into free RAM below 4 GiB
// and sets their address to that physical copy. Both must be kept out of the free RAM.
import { u64, type bool, type u32 } from "../lib/int";
import { load32 } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { findTag, loadU64, tagSize, TAG_ELF_SECTIONS } from "./multiboot2";
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

  constructor(tag: u64, count: u64, entrySize: u64, stringTableIndex: u64) {
    this.tag = tag;
    this.count = count;
    this.entrySize = entrySize;
    this.stringTableIndex = stringTableIndex;
  }

  /** Section header `i` (0 <= i < count). */
  section(i: u64): ElfSection {
    if (i >= this.count) panic(`ELF sections: section ${i} requested, there are ${this.count}`);
    const at: u64 = this.tag + ELF_TAG_HEADER_SIZE + i * this.entrySize;
    return new ElfSection(i, load32(at + 4n), loadU64(at + 8n), loadU64(at + 16n), loadU64(at + 32n));
  }

  /** The physical extent of the kernel image: lowest start to highest end of allocated sections. */
  kernelImage(): PhysRegion | null {
    let lo: u64 = PHYSICAL_MAX;
    let hi: u64 = 0n;
    let any: bool = false;
    for (let i: u64 = 0n; i < this.count; i++) {
      const r = this.section(i).imageRegion();
      if (r === null) continue;
      any = true;
      if (r.first < lo) lo = r.first;
      if (r.last > hi) hi = r.last;
    }
    return any ? new PhysRegion(lo, hi) : null;
  }

  /** Number of allocated, non-empty sections. */
  allocatedCount(): u64 {
    let n: u64 = 0n;
    for (let i: u64 = 0n; i < this.count; i++) if (this.section(i).imageRegion() !== null) n += 1n;
    return n;
  }

  /** Number of sections GRUB copied into RAM (non-allocated, non-empty, with an address). */
  copyCount(): u64 {
    let n: u64 = 0n;
    for (let i: u64 = 0n; i < this.count; i++) if (this.section(i).copyRegion() !== null) n += 1n;
    return n;
  }

  /** The `n`-th (from 0) section GRUB copied into RAM; panics when there are fewer. */
  copy(n: u64): ElfSection {
    let seen: u64 = 0n;
    for (let i: u64 = 0n; i < this.count; i++) {
      const s = this.section(i);
      if (s.copyRegion() === null) continue;
      if (seen === n) return s;
      seen += 1n;
    }
    return panic(`ELF sections: copied section ${n} requested, there are ${seen}`);
  }
}

/**
 * The ELF sections of the boot information at `info`, or null without the tag. Panics when
 * the tag is malformed: shorter than its header, a header size of 0, below 64 (ELF64) or
 * huge, headers running past the tag, or a string-table index out of range.
 */
export function readElfSections(info: u64): ElfSections | null {
  const tag: u64 = findTag(info, TAG_ELF_SECTIONS);
  if (tag === 0n) return null;
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
  return new ElfSections(tag, count, entrySize, shndx);
}
