// Physical memory at boot: the memory map normalised, the reserved regions, and the free
// regions the frame allocator starts with. No arrays: every question is answered by
// scanning the map entries and the reserved regions (both are few, so O(n^2) is fine).
//
// Free RAM = (union of available entries) minus (union of every non-available entry and
// every reserved region), cut down to whole 4 KiB frames. Unsorted entries, duplicates and
// overlapping available entries are normalised by the sweep, so no byte and no frame is
// counted twice. An available entry overlapping a non-available one is ambiguous (is the
// memory usable?) and panics.
//
// Reserved regions, in this order (each listed only when present and non-empty):
//   the first MiB (real-mode structures, BIOS data, later AP trampolines),
//   the kernel image (allocated ELF sections, physical), the boot information itself,
//   each module, each ELF section GRUB copied into RAM (.symtab, .strtab, debug info).
import { u64, type bool, type u32 } from "../lib/int";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { FrameRange } from "../mm/addr";
import { bootInfoSize } from "./multiboot2";
import { memoryTypeName, PHYSICAL_MAX, PhysRegion, requireMemoryMap, type MemoryMap } from "./memory_map";
import { ElfSections, readElfSections } from "./elf_sections";
import { bootModule, moduleCount } from "./boot_tags";

/** Kinds of reserved region. */
export const RESERVED_FIRST_MIB: u32 = 0;
export const RESERVED_KERNEL_IMAGE: u32 = 1;
export const RESERVED_BOOT_INFO: u32 = 2;
export const RESERVED_MODULE: u32 = 3;
export const RESERVED_ELF_COPY: u32 = 4;

/** The end of the first MiB (inclusive). */
const FIRST_MIB_LAST: u64 = 0xf_ffffn;
const FRAME_SIZE: u64 = 4096n;
const FRAME_SHIFT: u64 = 12n;

/** A reserved region: its kind, which one of its kind (module or section index), its bytes. */
export class ReservedRegion {
  readonly kind: u32;
  readonly index: u64;
  readonly region: PhysRegion;

  constructor(kind: u32, index: u64, region: PhysRegion) {
    this.kind = kind;
    this.index = index;
    this.region = region;
  }
}

/** The report's name of a reserved-region kind. */
export function reservedKindName(kind: u32): string {
  if (kind === RESERVED_FIRST_MIB) return "first MiB";
  if (kind === RESERVED_KERNEL_IMAGE) return "kernel image";
  if (kind === RESERVED_BOOT_INFO) return "boot information";
  if (kind === RESERVED_MODULE) return "module";
  return "ELF section copy";
}

/** What the boot information says about physical memory, with the queries over it. */
export class BootMemory {
  readonly info: u64;
  readonly infoSize: u64;
  readonly map: MemoryMap;
  readonly sections: ElfSections;
  readonly image: PhysRegion;
  readonly hasImage: bool;
  readonly modules: u64;
  readonly copies: u64;

  constructor(info: u64, infoSize: u64, map: MemoryMap, sections: ElfSections, image: PhysRegion, hasImage: bool, modules: u64, copies: u64) {
    this.info = info;
    this.infoSize = infoSize;
    this.map = map;
    this.sections = sections;
    this.image = image;
    this.hasImage = hasImage;
    this.modules = modules;
    this.copies = copies;
  }

  /** Number of reserved regions. */
  reservedCount(): u64 {
    let n: u64 = 2n + this.copies; // first MiB, boot information
    if (this.hasImage) n += 1n;
    for (let j: u64 = 0n; j < this.modules; j++) if (bootModule(this.info, j).region() !== null) n += 1n;
    return n;
  }

  /** Reserved region `i` (0 <= i < reservedCount), in the order documented above. */
  reserved(i: u64): ReservedRegion {
    let k: u64 = i;
    if (k === 0n) return new ReservedRegion(RESERVED_FIRST_MIB, 0n, new PhysRegion(0n, FIRST_MIB_LAST));
    k -= 1n;
    if (this.hasImage) {
      if (k === 0n) return new ReservedRegion(RESERVED_KERNEL_IMAGE, 0n, this.image);
      k -= 1n;
    }
    if (k === 0n) return new ReservedRegion(RESERVED_BOOT_INFO, 0n, new PhysRegion(this.info, this.info + (this.infoSize - 1n)));
    k -= 1n;
    for (let j: u64 = 0n; j < this.modules; j++) {
      const r = bootModule(this.info, j).region();
      if (r === null) continue;
      if (k === 0n) return new ReservedRegion(RESERVED_MODULE, j, r);
      k -= 1n;
    }
    if (k < this.copies) {
      const s = this.sections.copy(k);
      const r = s.copyRegion();
      if (r !== null) return new ReservedRegion(RESERVED_ELF_COPY, s.index, r);
    }
    return panic(`reserved region ${i} requested, there are ${this.reservedCount()}`);
  }

  /** The merged run of available RAM from `x` to its end, or null when `x` is not available. */
  availableRun(x: u64): PhysRegion | null {
    let e: u64 = 0n;
    let found: bool = false;
    for (let i: u64 = 0n; i < this.map.count; i++) {
      const entry = this.map.entry(i);
      const r = entry.region();
      if (r === null || !entry.isAvailable() || !r.contains(x)) continue;
      if (!found || r.last > e) e = r.last;
      found = true;
    }
    if (!found) return null;
    // Extend over available entries that touch or overlap the run (unsorted, duplicated).
    let extended: bool = true;
    while (extended) {
      extended = false;
      for (let i: u64 = 0n; i < this.map.count; i++) {
        const entry = this.map.entry(i);
        const r = entry.region();
        if (r === null || !entry.isAvailable()) continue;
        if (r.first <= e + 1n && r.last > e) {
          e = r.last;
          extended = true;
        }
      }
    }
    return new PhysRegion(x, e);
  }

  /** The lowest start of an available entry above `x`, or PHYSICAL_MAX + 1 when none. */
  nextAvailableStart(x: u64): u64 {
    let s: u64 = PHYSICAL_MAX + 1n;
    for (let i: u64 = 0n; i < this.map.count; i++) {
      const entry = this.map.entry(i);
      const r = entry.region();
      if (r !== null && entry.isAvailable() && r.first > x && r.first < s) s = r.first;
    }
    return s;
  }

  /** Of the blockers (non-available entries, reserved regions) holding `x`, the one reaching highest; null when none. */
  blockerEnd(x: u64): PhysRegion | null {
    let best: PhysRegion | null = null;
    for (let i: u64 = 0n; i < this.map.count; i++) {
      const entry = this.map.entry(i);
      const r = entry.region();
      if (r === null || entry.isAvailable() || !r.contains(x)) continue;
      if (best === null || r.last > best.last) best = r;
    }
    const n: u64 = this.reservedCount();
    for (let i: u64 = 0n; i < n; i++) {
      const r = this.reserved(i).region;
      if (!r.contains(x)) continue;
      if (best === null || r.last > best.last) best = r;
    }
    return best;
  }

  /** The lowest first byte of a blocker above `x`, or PHYSICAL_MAX + 1 when none. */
  nextBlockerStart(x: u64): u64 {
    let s: u64 = PHYSICAL_MAX + 1n;
    for (let i: u64 = 0n; i < this.map.count; i++) {
      const entry = this.map.entry(i);
      const r = entry.region();
      if (r !== null && !entry.isAvailable() && r.first > x && r.first < s) s = r.first;
    }
    const n: u64 = this.reservedCount();
    for (let i: u64 = 0n; i < n; i++) {
      const r = this.reserved(i).region;
      if (r.first > x && r.first < s) s = r.first;
    }
    return s;
  }

  /** The lowest maximal run of free bytes starting at or above `from`, or null. */
  nextFreeBytes(from: u64): PhysRegion | null {
    let x: u64 = from;
    while (x <= PHYSICAL_MAX) {
      if (this.availableRun(x) === null) {
        x = this.nextAvailableStart(x);
        continue;
      }
      const b = this.blockerEnd(x);
      if (b !== null) {
        x = b.last + 1n;
        continue;
      }
      const run = this.availableRun(x);
      if (run === null) return panic("BootMemory.nextFreeBytes: available run vanished");
      const nb: u64 = this.nextBlockerStart(x);
      return new PhysRegion(x, nb <= run.last ? nb - 1n : run.last);
    }
    return null;
  }

  /** The lowest run of whole free frames starting at or above byte `from`, or null. */
  nextFreeFrames(from: u64): FrameRange | null {
    let x: u64 = from;
    while (x <= PHYSICAL_MAX) {
      const r = this.nextFreeBytes(x);
      if (r === null) return null;
      const first: u64 = (r.first + (FRAME_SIZE - 1n)) & ~(FRAME_SIZE - 1n);
      const endExclusive: u64 = (r.last + 1n) & ~(FRAME_SIZE - 1n);
      if (first < endExclusive) return FrameRange.empty().withNumbers(first >> FRAME_SHIFT, (endExclusive - first) >> FRAME_SHIFT);
      x = r.last + 1n;
    }
    return null;
  }

  /** Where to continue looking after the free frames `fr`: the byte after its last frame. */
  static after(fr: FrameRange): u64 {
    return (fr.lastNumber() + 1n) << FRAME_SHIFT;
  }

  /** Number of runs of free frames. */
  freeRegionCount(): u64 {
    let n: u64 = 0n;
    let from: u64 = 0n;
    while (true) {
      const fr = this.nextFreeFrames(from);
      if (fr === null) return n;
      n += 1n;
      from = BootMemory.after(fr);
    }
  }

  /** Number of free frames. */
  freeFrameCount(): u64 {
    let n: u64 = 0n;
    let from: u64 = 0n;
    while (true) {
      const fr = this.nextFreeFrames(from);
      if (fr === null) return n;
      n += fr.sizeInChunks();
      from = BootMemory.after(fr);
    }
  }

  /** Bytes of available RAM, overlaps and duplicates counted once. */
  availableBytes(): u64 {
    let total: u64 = 0n;
    let x: u64 = 0n;
    while (x <= PHYSICAL_MAX) {
      const run = this.availableRun(x);
      if (run === null) {
        x = this.nextAvailableStart(x);
        continue;
      }
      total += run.sizeInBytes();
      x = run.last + 1n;
    }
    return total;
  }

  /** True when every byte of `r` is available RAM. */
  isAvailable(r: PhysRegion): bool {
    const run = this.availableRun(r.first);
    return run !== null && run.last >= r.last;
  }
}

/**
 * Reads the memory picture of the boot information at `info`: its map (required), ELF
 * sections and modules. Panics when the map has an available entry overlapping a
 * non-available one.
 */
export function readBootMemory(info: u64): BootMemory {
  const size: u64 = bootInfoSize(info);
  const map = requireMemoryMap(info);
  checkNoConflicts(map);
  const found = readElfSections(info);
  const sections = found === null ? new ElfSections(0n, 0n, 64n, 0n) : found;
  const image = sections.kernelImage();
  return new BootMemory(info, size, map, sections, image === null ? new PhysRegion(0n, 0n) : image, image !== null, moduleCount(info), sections.copyCount());
}

/** Panics when an available entry shares bytes with a non-available one. */
function checkNoConflicts(map: MemoryMap): void {
  for (let i: u64 = 0n; i < map.count; i++) {
    const a = map.entry(i);
    const ra = a.region();
    if (ra === null || !a.isAvailable()) continue;
    for (let j: u64 = 0n; j < map.count; j++) {
      const b = map.entry(j);
      const rb = b.region();
      if (rb === null || b.isAvailable() || !ra.overlaps(rb)) continue;
      panic(`memory map entries ${i} (available, ${hex(ra.first)}..${hex(ra.last)}) and ${j} (${memoryTypeName(b.type)}, ${hex(rb.first)}..${hex(rb.last)}) overlap`);
    }
  }
}
