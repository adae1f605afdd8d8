// The multiboot2 boot information, parsed and validated once (as the multiboot2 crate's
// BootInformation): one walk over the tags checks every header and records where each tag
// lies; every tag the kernel uses is then checked in full (the memory map's entries, each
// ELF section, each module, the RSDP checksums). Everything after this (the banner, the
// boot report, the regions, memory init) reads only through a BootInfo, so it cannot meet
// an unchecked byte, and nothing searches the tags again.
//
// Where a tag that should come once comes several times, the first one counts (as GRUB
// never does this, and the specification does not say).
import { u32, u64, type bool } from "../lib/int";
import { load32 } from "../lib/intrinsics";
import { U64Array } from "../lib/fixed_array";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import {
  bootInfoSize, nextTag, TAG_ACPI_NEW, TAG_ACPI_OLD, TAG_BASIC_MEMINFO, TAG_BOOTLOADER_NAME, TAG_COMMAND_LINE, TAG_ELF_SECTIONS, TAG_FRAMEBUFFER,
  TAG_LOAD_BASE_ADDR, TAG_MEMORY_MAP, TAG_MODULE,
} from "./multiboot2";
import { MemoryMap, MMAP_ENTRY_MIN_SIZE, readMemoryMapTag } from "./memory_map";
import { ElfSections, readElfSectionsTag } from "./elf_sections";
import {
  BootModule, readAcpiRsdpTags, readBasicMeminfoTag, readFramebufferTag, readLoadBaseTag, readModuleTag, type AcpiRsdp, type BasicMeminfo,
  type Framebuffer,
} from "./boot_tags";

/** Tag types a BootInfo indexes (the first of each), as slots of its tag table. */
const SLOT_COMMAND_LINE: u32 = 0;
const SLOT_BOOTLOADER_NAME: u32 = 1;
const SLOT_BASIC_MEMINFO: u32 = 2;
const SLOT_MEMORY_MAP: u32 = 3;
const SLOT_FRAMEBUFFER: u32 = 4;
const SLOT_ELF_SECTIONS: u32 = 5;
const SLOT_ACPI_OLD: u32 = 6;
const SLOT_ACPI_NEW: u32 = 7;
const SLOT_LOAD_BASE: u32 = 8;
const SLOTS: u32 = 9;
/** No slot: a tag type the kernel does not use (or modules, which are listed apart). */
const NO_SLOT: u32 = 0xffff_ffff;

/** The slot of tag type `type`, or NO_SLOT. */
function slotOf(type: u32): u32 {
  if (type === TAG_COMMAND_LINE) return SLOT_COMMAND_LINE;
  if (type === TAG_BOOTLOADER_NAME) return SLOT_BOOTLOADER_NAME;
  if (type === TAG_BASIC_MEMINFO) return SLOT_BASIC_MEMINFO;
  if (type === TAG_MEMORY_MAP) return SLOT_MEMORY_MAP;
  if (type === TAG_FRAMEBUFFER) return SLOT_FRAMEBUFFER;
  if (type === TAG_ELF_SECTIONS) return SLOT_ELF_SECTIONS;
  if (type === TAG_ACPI_OLD) return SLOT_ACPI_OLD;
  if (type === TAG_ACPI_NEW) return SLOT_ACPI_NEW;
  if (type === TAG_LOAD_BASE_ADDR) return SLOT_LOAD_BASE;
  return NO_SLOT;
}

/** The validated boot information at `address`. Construct with `parseBootInfo`. */
export class BootInfo {
  readonly address: u64;
  readonly size: u64;
  /** Address of the first tag of each slot's type, 0 when absent. */
  private readonly tags: U64Array;
  /** Module tag addresses, in the information's order. */
  private readonly moduleTags: U64Array;
  readonly modules: u64;
  readonly sections: ElfSections;
  /** The checked memory map (empty when `hasMemoryMap()` is false). */
  private readonly map: MemoryMap;

  constructor(address: u64, size: u64, tags: U64Array, moduleTags: U64Array, sections: ElfSections, map: MemoryMap) {
    this.address = address;
    this.size = size;
    this.tags = tags;
    this.moduleTags = moduleTags;
    this.modules = u64(moduleTags.length());
    this.sections = sections;
    this.map = map;
  }

  /** Address of the command-line tag, 0 without one. */
  commandLineTag(): u64 {
    return this.tags.get(SLOT_COMMAND_LINE);
  }

  /** Address of the bootloader-name tag, 0 without one. */
  bootloaderNameTag(): u64 {
    return this.tags.get(SLOT_BOOTLOADER_NAME);
  }

  /** True when there is a memory map tag. */
  hasMemoryMap(): bool {
    return this.tags.get(SLOT_MEMORY_MAP) !== 0n;
  }

  /** The memory map; panics when the information has none (the kernel cannot run without one). */
  memoryMap(): MemoryMap {
    if (!this.hasMemoryMap()) return panic(`multiboot2 information at ${hex(this.address)} has no memory map tag`);
    return this.map;
  }

  /** True when the ELF sections tag is present. */
  hasElfSections(): bool {
    return this.tags.get(SLOT_ELF_SECTIONS) !== 0n;
  }

  /** Module `i` (0 <= i < modules). */
  module(i: u64): BootModule {
    if (i >= this.modules) panic(`boot module ${i} requested, there are ${this.modules}`);
    return readModuleTag(this.moduleTags.get(u32(i)));
  }

  /** The basic meminfo, or null. */
  basicMeminfo(): BasicMeminfo | null {
    return readBasicMeminfoTag(this.tags.get(SLOT_BASIC_MEMINFO));
  }

  /** The framebuffer, or null. */
  framebuffer(): Framebuffer | null {
    return readFramebufferTag(this.tags.get(SLOT_FRAMEBUFFER));
  }

  /** The ACPI RSDP copy (new tag preferred), or null. */
  acpiRsdp(): AcpiRsdp | null {
    return readAcpiRsdpTags(this.tags.get(SLOT_ACPI_NEW), this.tags.get(SLOT_ACPI_OLD));
  }

  /** The image's load base address, 0 without the tag. */
  loadBase(): u64 {
    return readLoadBaseTag(this.tags.get(SLOT_LOAD_BASE));
  }
}

/**
 * Parses and validates the boot information at `address`: the header, every tag header
 * (one walk), then each tag the kernel reads. Panics with the defect and where it is.
 * The memory map is optional here (the banner needs none); `memoryMap()` requires it.
 */
export function parseBootInfo(address: u64): BootInfo {
  const size: u64 = bootInfoSize(address);
  const end: u64 = address + size;
  const tags = new U64Array(SLOTS, 0n);
  let modules: u64 = 0n;
  for (let at: u64 = nextTag(address, end, 0n); at !== 0n; at = nextTag(address, end, at)) {
    const type: u32 = load32(at);
    if (type === TAG_MODULE) modules += 1n;
    const slot: u32 = slotOf(type);
    if (slot !== NO_SLOT && tags.get(slot) === 0n) tags.set(slot, at);
  }
  const moduleTags = new U64Array(u32(modules), 0n);
  if (modules !== 0n) {
    let k: u32 = 0;
    for (let at: u64 = nextTag(address, end, 0n); at !== 0n; at = nextTag(address, end, at)) {
      if (load32(at) !== TAG_MODULE) continue;
      readModuleTag(at); // checks it
      moduleTags.set(k, at);
      k += 1;
    }
  }
  const elfTag: u64 = tags.get(SLOT_ELF_SECTIONS);
  const sections = elfTag === 0n ? ElfSections.none() : readElfSectionsTag(elfTag);
  const mapTag: u64 = tags.get(SLOT_MEMORY_MAP);
  const map = mapTag === 0n ? new MemoryMap(0n, MMAP_ENTRY_MIN_SIZE, 0, 0n) : readMemoryMapTag(mapTag);
  const info = new BootInfo(address, size, tags, moduleTags, sections, map);
  // Check every remaining tag once, here, so that later reads cannot fail.
  info.basicMeminfo();
  info.framebuffer();
  info.acpiRsdp();
  info.loadBase();
  return info;
}
