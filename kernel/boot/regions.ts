// Physical memory at boot, computed in one sweep: the sanitised memory map, the conflicts
// it resolved, the reserved regions, and the free regions the frame allocator starts with.
//
// The sweep (as Linux's e820__update_table): every map entry and every reserved region
// becomes two events (start, end + 1), packed into one u64 key each and heap-sorted; a
// walk over the sorted events keeps a count of the open entries per type class. Between two
// event positions the highest open class wins (most restrictive type wins):
//   available < ACPI reclaimable < reserved < ACPI NVS < defective < unknown types.
// (Defective beats NVS because bad RAM must never be touched; unknown types beat everything
// because nothing is known about them.) Zero-length entries never open. Cost: O(n log n)
// in map entries + modules + copied ELF sections, storage O(n), sized from the counts.
//
// Free RAM = bytes where `available` wins and no reserved region lies, cut down to whole
// 4 KiB frames. Where two or more map entries overlap, the boot report lists the range with
// the winner and the others (one line per range; adjacent ranges alike merge).
//
// Reserved regions, in this order (each listed only when present and non-empty):
//   the first MiB (real-mode structures, BIOS data, later AP trampolines),
//   the kernel image (the linker's __kernel_start..__kernel_end, physical, widened to cover
//   the allocated ELF sections when the tag has them), the boot information itself,
//   each module, each ELF section GRUB copied into RAM (.symtab, .strtab, debug info).
import { u32, u64, type bool } from "../lib/int";
import { U64Array } from "../lib/fixed_array";
import { kernelImageEnd, kernelImageStart } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { sortU64 } from "../lib/sort";
import { FrameRange } from "../mm/addr";
import { parseBootInfo, type BootInfo } from "./boot_info";
import {
  MEMORY_ACPI_RECLAIMABLE, MEMORY_AVAILABLE, MEMORY_DEFECTIVE, MEMORY_NVS, MEMORY_RESERVED, MEMORY_UNKNOWN, PHYSICAL_MAX, PhysRegion,
} from "./memory_map";
import { RegionList } from "./region_list";
import { KERNEL_VMA } from "./elf_sections";

/** Kinds of reserved region. */
export const RESERVED_FIRST_MIB: u32 = 0;
export const RESERVED_KERNEL_IMAGE: u32 = 1;
export const RESERVED_BOOT_INFO: u32 = 2;
export const RESERVED_MODULE: u32 = 3;
export const RESERVED_ELF_COPY: u32 = 4;

/** Type classes, least restrictive first: where map entries overlap, the highest wins. */
export const CLASS_AVAILABLE: u32 = 0;
export const CLASS_ACPI_RECLAIMABLE: u32 = 1;
export const CLASS_RESERVED: u32 = 2;
export const CLASS_NVS: u32 = 3;
export const CLASS_DEFECTIVE: u32 = 4;
export const CLASS_UNKNOWN: u32 = 5;
/** Number of map classes. */
const MAP_CLASSES: u32 = 6;
/** The sweep's own class for reserved regions: never in the sanitised map, never a winner. */
const CLASS_BOOT_RESERVED: u32 = 6;
const CLASSES: u32 = 7;
/** Event key layout: position << 4 | class << 1 | (1 for an end). */
const KEY_SHIFT: u64 = 4n;

/** The end of the first MiB (inclusive). */
const FIRST_MIB_LAST: u64 = 0xf_ffffn;
const FRAME_SIZE: u64 = 4096n;
const FRAME_SHIFT: u64 = 12n;

/** The class of a map entry type. */
export function typeClass(type: u32): u32 {
  if (type === MEMORY_AVAILABLE) return CLASS_AVAILABLE;
  if (type === MEMORY_ACPI_RECLAIMABLE) return CLASS_ACPI_RECLAIMABLE;
  if (type === MEMORY_RESERVED) return CLASS_RESERVED;
  if (type === MEMORY_NVS) return CLASS_NVS;
  if (type === MEMORY_DEFECTIVE) return CLASS_DEFECTIVE;
  return CLASS_UNKNOWN;
}

/** The sanitised map's type of a class (unknown types all become MEMORY_UNKNOWN). */
export function classType(c: u32): u32 {
  if (c === CLASS_AVAILABLE) return MEMORY_AVAILABLE;
  if (c === CLASS_ACPI_RECLAIMABLE) return MEMORY_ACPI_RECLAIMABLE;
  if (c === CLASS_RESERVED) return MEMORY_RESERVED;
  if (c === CLASS_NVS) return MEMORY_NVS;
  if (c === CLASS_DEFECTIVE) return MEMORY_DEFECTIVE;
  return MEMORY_UNKNOWN;
}

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

/** A range where map entries overlapped: the winning type and the classes of the others (bit c for class c). */
export class MapConflict {
  readonly region: PhysRegion;
  readonly winner: u32;
  readonly others: u32;

  constructor(region: PhysRegion, winner: u32, others: u32) {
    this.region = region;
    this.winner = winner;
    this.others = others;
  }
}

/** A map entry of the sanitised map: its bytes and its type. */
export class SanitisedEntry {
  readonly region: PhysRegion;
  readonly type: u32;

  constructor(region: PhysRegion, type: u32) {
    this.region = region;
    this.type = type;
  }
}

/** The reserved regions, in the documented order. */
class ReservedList {
  private readonly kinds: U64Array;
  private readonly firsts: U64Array;
  private readonly lasts: U64Array;
  private n: u32 = 0;

  constructor(capacity: u32) {
    this.kinds = new U64Array(capacity, 0n);
    this.firsts = new U64Array(capacity, 0n);
    this.lasts = new U64Array(capacity, 0n);
  }

  add(kind: u32, index: u64, r: PhysRegion): void {
    this.kinds.set(this.n, (u64(kind) << 32n) | index);
    this.firsts.set(this.n, r.first);
    this.lasts.set(this.n, r.last);
    this.n += 1;
  }

  count(): u64 {
    return u64(this.n);
  }

  get(i: u64): ReservedRegion {
    if (i >= u64(this.n)) panic(`reserved region ${i} requested, there are ${this.n}`);
    const k: u64 = this.kinds.get(u32(i));
    return new ReservedRegion(u32(k >> 32n), k & 0xffff_ffffn, new PhysRegion(this.firsts.get(u32(i)), this.lasts.get(u32(i))));
  }
}

/** What the boot information says about physical memory, computed once. */
export class BootMemory {
  readonly info: BootInfo;
  /** The kernel image as reserved. */
  readonly image: PhysRegion;
  private readonly reservedList: ReservedList;
  /** The sanitised map: sorted, disjoint, maximal; tag = type. */
  private readonly sanitisedList: RegionList;
  /** Overlaps resolved: tag = winner class | other classes << 8. */
  private readonly conflictList: RegionList;
  /** Runs of free frames (frame numbers). */
  private readonly freeList: RegionList;
  /** Bytes that are not free but covered by a non-available entry or a reserved region. */
  private readonly blockedList: RegionList;
  private readonly frames: u64;
  private readonly available: u64;

  constructor(info: BootInfo, image: PhysRegion, reservedList: ReservedList, sanitised: RegionList, conflicts: RegionList, free: RegionList, blocked: RegionList, frames: u64, available: u64) {
    this.info = info;
    this.image = image;
    this.reservedList = reservedList;
    this.sanitisedList = sanitised;
    this.conflictList = conflicts;
    this.freeList = free;
    this.blockedList = blocked;
    this.frames = frames;
    this.available = available;
  }

  /** Number of reserved regions. */
  reservedCount(): u64 {
    return this.reservedList.count();
  }

  /** Reserved region `i` (0 <= i < reservedCount), in the order documented above. */
  reserved(i: u64): ReservedRegion {
    return this.reservedList.get(i);
  }

  /** Number of entries of the sanitised map. */
  sanitisedCount(): u64 {
    return this.sanitisedList.count();
  }

  /** Entry `i` of the sanitised map (sorted by address). */
  sanitised(i: u64): SanitisedEntry {
    return new SanitisedEntry(new PhysRegion(this.sanitisedList.first(i), this.sanitisedList.last(i)), u32(this.sanitisedList.tag(i)));
  }

  /** Number of ranges where map entries overlapped. */
  conflictCount(): u64 {
    return this.conflictList.count();
  }

  /** Overlap `i` (sorted by address). */
  conflict(i: u64): MapConflict {
    const t: u64 = this.conflictList.tag(i);
    return new MapConflict(new PhysRegion(this.conflictList.first(i), this.conflictList.last(i)), classType(u32(t & 0xffn)), u32(t >> 8n));
  }

  /** Number of runs of free frames. */
  freeRegionCount(): u64 {
    return this.freeList.count();
  }

  /** Free run `i` (sorted, disjoint, not adjacent). */
  freeRegion(i: u64): FrameRange {
    const f: u64 = this.freeList.first(i);
    return FrameRange.empty().withNumbers(f, this.freeList.last(i) - f + 1n);
  }

  /** Number of ranges covered by something other than free RAM (for the frame allocator's reserved regions). */
  blockedCount(): u64 {
    return this.blockedList.count();
  }

  /** Blocked range `i`: bytes under a non-available entry or a reserved region. */
  blocked(i: u64): PhysRegion {
    return new PhysRegion(this.blockedList.first(i), this.blockedList.last(i));
  }

  /** Number of free frames. */
  freeFrameCount(): u64 {
    return this.frames;
  }

  /** Bytes where available RAM wins in the sanitised map. */
  availableBytes(): u64 {
    return this.available;
  }

  /** The available run of the sanitised map holding byte `x`, or null when `x` is not available RAM. */
  availableRunAt(x: u64): PhysRegion | null {
    const i: u64 = this.sanitisedList.find(x);
    if (i === this.sanitisedList.count() || this.sanitisedList.tag(i) !== u64(MEMORY_AVAILABLE)) return null;
    return new PhysRegion(this.sanitisedList.first(i), this.sanitisedList.last(i));
  }

  /** True when every byte of `r` is available RAM. */
  isAvailable(r: PhysRegion): bool {
    const run = this.availableRunAt(r.first);
    return run !== null && run.last >= r.last;
  }
}

/** The kernel image from the linker's __kernel_start/__kernel_end, physical. */
export function linkerKernelImage(): PhysRegion {
  const start: u64 = kernelImageStart();
  const end: u64 = kernelImageEnd();
  if (start < KERNEL_VMA || end <= start) panic(`the linker's kernel image ${hex(start)}..${hex(end)} is not in the higher half`);
  return new PhysRegion(start - KERNEL_VMA, end - KERNEL_VMA - 1n);
}

/** The state of the sweep while it walks the sorted events. */
class Sweep {
  readonly open: U64Array = new U64Array(CLASSES, 0n);
  readonly sanitised: RegionList;
  readonly conflicts: RegionList;
  readonly free: RegionList;
  readonly blocked: RegionList;
  frames: u64 = 0n;
  available: u64 = 0n;
  private runOpen: bool = false;
  private runFirst: u64 = 0n;
  private runLast: u64 = 0n;

  constructor(capacity: u32) {
    this.sanitised = new RegionList(capacity);
    this.conflicts = new RegionList(capacity);
    this.free = new RegionList(capacity);
    this.blocked = new RegionList(capacity);
  }

  /** Applies one event. */
  apply(key: u64): void {
    const c: u32 = u32((key >> 1n) & 7n);
    const n: u64 = this.open.get(c);
    if ((key & 1n) === 0n) this.open.set(c, n + 1n);
    else if (n === 0n) panic("boot sweep: an entry ended that never started");
    else this.open.set(c, n - 1n);
  }

  /** Records the bytes `first..last`, over which the open entries do not change. */
  segment(first: u64, last: u64): void {
    let winner: u32 = MAP_CLASSES;
    for (let c: u32 = 0; c < MAP_CLASSES; c++) if (this.open.get(c) !== 0n) winner = c;
    const reserved: bool = this.open.get(CLASS_BOOT_RESERVED) !== 0n;
    if (winner !== MAP_CLASSES) {
      this.sanitised.append(first, last, u64(classType(winner)));
      let others: u64 = 0n;
      for (let c: u32 = 0; c < MAP_CLASSES; c++) {
        const n: u64 = this.open.get(c);
        if (n > 1n || (n === 1n && c !== winner)) others |= 1n << u64(c);
      }
      if (others !== 0n) this.conflicts.append(first, last, u64(winner) | (others << 8n));
      if (winner === CLASS_AVAILABLE) this.available += last - first + 1n;
    }
    if (winner === CLASS_AVAILABLE && !reserved) {
      if (this.runOpen && this.runLast + 1n === first) this.runLast = last;
      else {
        this.flush();
        this.runOpen = true;
        this.runFirst = first;
        this.runLast = last;
      }
      return;
    }
    this.flush();
    if (winner !== MAP_CLASSES || reserved) this.blocked.append(first, last, 0n);
  }

  /** Ends the current run of free bytes: its whole frames become a free region. */
  flush(): void {
    if (!this.runOpen) return;
    this.runOpen = false;
    const first: u64 = (this.runFirst + (FRAME_SIZE - 1n)) >> FRAME_SHIFT;
    const end: u64 = (this.runLast + 1n) >> FRAME_SHIFT;
    if (first >= end) return;
    this.free.append(first, end - 1n, 0n);
    this.frames += end - first;
  }
}

/** Sorted sweep events: two per region. */
class Events {
  readonly keys: U64Array;
  n: u32 = 0;

  constructor(capacity: u32) {
    this.keys = new U64Array(capacity, 0n);
  }

  /** The events of `r` in class `c`, clipped to the physical address space. */
  add(r: PhysRegion, c: u32): void {
    if (r.first > PHYSICAL_MAX) return;
    const last: u64 = r.last > PHYSICAL_MAX ? PHYSICAL_MAX : r.last;
    this.keys.set(this.n, (r.first << KEY_SHIFT) | (u64(c) << 1n));
    this.keys.set(this.n + 1, ((last + 1n) << KEY_SHIFT) | (u64(c) << 1n) | 1n);
    this.n += 2;
  }
}

/**
 * The memory picture of `info` (which must have a memory map) with the kernel image
 * `linkerImage` (physical; linkerKernelImage() in the kernel) reserved whether or not the
 * ELF sections tag is there: the tag only widens it.
 */
export function computeBootMemory(info: BootInfo, linkerImage: PhysRegion): BootMemory {
  const map = info.memoryMap();
  const sections = info.sections;
  let image = linkerImage;
  const elfImage = sections.kernelImage();
  if (elfImage !== null) image = new PhysRegion(elfImage.first < image.first ? elfImage.first : image.first, elfImage.last > image.last ? elfImage.last : image.last);

  const reserved = new ReservedList(u32(3n + info.modules + sections.copies));
  reserved.add(RESERVED_FIRST_MIB, 0n, new PhysRegion(0n, FIRST_MIB_LAST));
  reserved.add(RESERVED_KERNEL_IMAGE, 0n, image);
  reserved.add(RESERVED_BOOT_INFO, 0n, new PhysRegion(info.address, info.address + (info.size - 1n)));
  for (let j: u64 = 0n; j < info.modules; j++) {
    const r = info.module(j).region();
    if (r !== null) reserved.add(RESERVED_MODULE, j, r);
  }
  for (let k: u64 = 0n; k < sections.copies; k++) {
    const s = sections.copy(k);
    const r = s.copyRegion();
    if (r !== null) reserved.add(RESERVED_ELF_COPY, s.index, r);
  }

  const events = new Events(u32(2n * (map.count + reserved.count())));
  for (const e of map) {
    const r = e.region();
    if (r !== null) events.add(r, typeClass(e.type));
  }
  for (let i: u64 = 0n; i < reserved.count(); i++) events.add(reserved.get(i).region, CLASS_BOOT_RESERVED);
  sortU64(events.keys, events.n);

  // Each event ends at most one segment, so n + 1 ranges fit every list.
  const sweep = new Sweep(events.n + 1);
  let i: u32 = 0;
  while (i < events.n) {
    const pos: u64 = events.keys.get(i) >> KEY_SHIFT;
    while (i < events.n && events.keys.get(i) >> KEY_SHIFT === pos) {
      sweep.apply(events.keys.get(i));
      i += 1;
    }
    if (i === events.n) break;
    const next: u64 = events.keys.get(i) >> KEY_SHIFT;
    sweep.segment(pos, next - 1n);
  }
  sweep.flush();
  return new BootMemory(info, image, reserved, sweep.sanitised, sweep.conflicts, sweep.free, sweep.blocked, sweep.frames, sweep.available);
}

/** Parses the boot information at `address` and computes its memory picture with the linker's kernel image. */
export function bootMemoryAt(address: u64): BootMemory {
  return computeBootMemory(parseBootInfo(address), linkerKernelImage());
}
