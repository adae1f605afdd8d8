// The mapper: 4-level x86_64 page tables (P4 -> P3 -> P2 -> P1) in kernel TypeScript.
//
// Ownership: a Mapper owns its P4 table and every lower table it created, each a frame
// from the frame allocator held as an AllocatedFrames in the mapper's list. Tables are read
// and written at physical + `physOffset` (0 through the boot stub's identity map while
// memory_init.ts builds the kernel's tables; DIRECT_MAP_BASE once they are loaded, see
// layout.ts). P3 tables stay once made, so the kernel's P4 entries never change.
//
// Each entry that points to a table counts the present entries of that table in its
// ignored bits 61..52 (entry.ts), so emptiness is O(1). Unmapping keeps a table that
// becomes empty: the next map in the same 2 MiB (1 GiB) finds it ready, with no free,
// reallocation and re-zeroing of 4 KiB (the churn that made a map+unmap cycle cost ~30,000
// instructions). `prune` gives every empty P1 and P2 table back; it runs when asked (the
// leak checks do, as they flush the allocators' magazines) and when a table frame request
// fails, before the request is retried: memory pressure reclaims them. Empty tables held
// are bounded by the most tables ever in use at once.
//
// Every change to a loaded table flushes the page's TLB entry (invlpg). A map that fails
// half way unmaps what it mapped and gives the pages and frames back to their allocators.
// No mapping is both writable and executable.
import { u32, u64, type bool } from "../../lib/int";
import { invlpg, load64, store64, writeCr3 } from "../../lib/intrinsics";
import { panic } from "../../lib/panic";
import { hex } from "../../lib/fmt";
import type { Consumed } from "../../lib/owned";
import { type AllocatedFrames, type AllocatedPages, AllocError, type FrameAllocator } from "../alloc";
import { CHUNK_SHIFT, FrameRange, Page, PhysicalAddress, VirtualAddress } from "../addr";
import { MappedPages } from "./mapped_pages";
import {
  ENTRIES_PER_TABLE, ENTRY_ADDRESS_MASK, ENTRY_COUNT_ONE, ENTRY_HUGE, ENTRY_HUGE_1G_ADDRESS_MASK, ENTRY_HUGE_2M_ADDRESS_MASK, ENTRY_SIZE, TABLE_ENTRY_FLAGS,
  entryAddress, entryCount, isHuge, isPresent,
} from "./entry";
import { PageFlags } from "./flags";
import { PageTable } from "./table";

/** Why a mapper operation failed: one kind per cause. */
export const enum MapError {
  /** The operation succeeded. */
  None = 0,
  /** A page of the request is already mapped. */
  AlreadyMapped = 1,
  /** No frame for a page table. */
  OutOfFrames = 2,
  /** A huge page maps the region where a table is needed (or where a 4 KiB page is expected). */
  HugePageInTheWay = 3,
  /** The pages and frames differ in number. */
  SizeMismatch = 4,
  /** The flags ask for a writable and executable mapping (never allowed). */
  WritableAndExecutable = 5,
  /** The page is not mapped. */
  NotMapped = 6,
  /** An address of a huge mapping is not aligned to the page size. */
  Misaligned = 7,
}

/** The name of an error, for messages. */
export function mapErrorName(e: MapError): string {
  switch (e) {
    case MapError.None: return "none";
    case MapError.AlreadyMapped: return "already mapped";
    case MapError.OutOfFrames: return "out of frames for page tables";
    case MapError.HugePageInTheWay: return "huge page in the way";
    case MapError.SizeMismatch: return "pages and frames differ in size";
    case MapError.WritableAndExecutable: return "writable and executable";
    case MapError.NotMapped: return "not mapped";
    case MapError.Misaligned: return "misaligned";
    default: return "unknown map error";
  }
}

/** The result of `map`: the mapping, or null and the reason (the pages and frames were given back). */
export class MapResult {
  readonly mapped: MappedPages | null;
  readonly error: MapError;

  constructor(mapped: MappedPages | null, error: MapError) {
    this.mapped = mapped;
    this.error = error;
  }
}

/**
 * A table frame the mapper owns, in a singly linked list. Nodes of freed tables (frames
 * null) wait in a spare list for the next table, so mapping and unmapping in a steady state
 * take no heap storage.
 */
class TableFrame {
  frames: AllocatedFrames | null;
  next: TableFrame | null;

  constructor(frames: Consumed<AllocatedFrames> | null, next: TableFrame | null) {
    this.frames = frames;
    this.next = next;
  }
}

/** Page-table levels, by the table an entry lives in. */
const LEVEL_P1: u32 = 1;
const LEVEL_P2: u32 = 2;
const LEVEL_P3: u32 = 3;
const SHIFT_2M: u64 = 21n;
const SIZE_2M: u64 = 0x20_0000n;
const SIZE_1G: u64 = 0x4000_0000n;
const SIZE_4K: u64 = 0x1000n;
const NO_LIMIT: u64 = 0xffff_ffff_ffff_ffffn;

/** `Walk.slot` of the P4 table, which no entry points to. */
const NO_SLOT: u64 = 0n;

/**
 * What a walk found: the table at the level asked for and `slot`, where the mapper reaches
 * the entry pointing to it (which counts its present entries), or the error. A value class.
 * (`table` and `slot` are meaningful only when `error` is MapError.None.)
 */
class Walk {
  readonly table: PageTable;
  readonly slot: u64;
  readonly error: MapError;

  constructor(table: PageTable, slot: u64, error: MapError) {
    this.table = table;
    this.slot = slot;
    this.error = error;
  }
}

/** An address space's page tables. */
export class Mapper {
  private readonly p4: u64;
  private physOffset: u64;
  private tableLimit: u64;
  private readonly frames: FrameAllocator;
  private tables: TableFrame | null;
  private spareNodes: TableFrame | null = null;
  private tableCount: u64 = 0n;
  private active: bool = false;

  /** A mapper with an empty P4 table from `frames`; panics when no frame is left. See `create`. */
  constructor(frames: FrameAllocator, physOffset: u64, tableLimit: u64) {
    this.frames = frames;
    this.physOffset = physOffset;
    this.tableLimit = tableLimit;
    this.tables = null;
    const p4 = this.newTable();
    if (p4 === 0n) panic("Mapper: no frame for the P4 table");
    this.p4 = p4;
  }

  /**
   * A mapper with an empty P4 whose tables are reached at physical + `physOffset`; table
   * frames lie below `tableLimit` (bytes, exclusive) when it is not 0, e.g. inside the
   * boot stub's identity map.
   */
  static create(frames: FrameAllocator, physOffset: u64, tableLimit: u64): Mapper {
    return new Mapper(frames, physOffset, tableLimit === 0n ? NO_LIMIT : tableLimit);
  }

  /** Physical address of the P4 table (what CR3 holds). */
  p4Address(): u64 {
    return this.p4;
  }

  /** Physical + this = where the mapper reads and writes tables. */
  tableOffset(): u64 {
    return this.physOffset;
  }

  /** Frames held as page tables, P4 included. */
  tableFrameCount(): u64 {
    return this.tableCount;
  }

  /** True once `activate` loaded this P4 into CR3. */
  isActive(): bool {
    return this.active;
  }

  /**
   * Loads this P4 into CR3 (every non-global TLB entry is flushed), then reaches tables at
   * physical + `newOffset`, taking new table frames below `newTableLimit` (bytes, exclusive;
   * the reach of the mapping at `newOffset`). The caller guarantees that the code, stack and
   * data in use stay mapped, and that every free frame below the limit is mapped at
   * `newOffset` in this P4.
   */
  activate(newOffset: u64, newTableLimit: u64): void {
    if (newTableLimit === 0n) panic("Mapper.activate: a table-frame limit of 0 leaves no frame for tables");
    writeCr3(this.p4);
    this.active = true;
    this.physOffset = newOffset;
    this.tableLimit = newTableLimit;
  }

  /** Maps `pages` to `frames` with `flags`, consuming both; on failure both are given back. */
  map(pages: Consumed<AllocatedPages>, frames: Consumed<AllocatedFrames>, flags: PageFlags): MapResult {
    let error: MapError = MapError.None;
    if (pages.sizeInChunks() !== frames.sizeInChunks()) error = MapError.SizeMismatch;
    else if (flags.isWritable() && flags.isExecutable()) error = MapError.WritableAndExecutable;
    else error = this.mapRange(pages.range().firstNumber(), frames.range().firstNumber(), pages.sizeInChunks(), flags);
    if (error !== MapError.None) {
      pages.release();
      frames.release();
      return new MapResult(null, error);
    }
    return new MapResult(new MappedPages(this, pages, frames, flags), MapError.None);
  }

  /**
   * Maps `count` pages from page number `firstPage` to the frames from `firstFrame`, without
   * owning them (the kernel image; callers hold the frames some other way). All or nothing.
   */
  mapRange(firstPage: u64, firstFrame: u64, count: u64, flags: PageFlags): MapError {
    if (count === 0n) return flags.isWritable() && flags.isExecutable() ? MapError.WritableAndExecutable : MapError.None;
    return this.mapContiguous(pageNumbered(firstPage).start(), firstFrame << CHUNK_SHIFT, count, SIZE_4K, flags);
  }

  /** Unmaps `count` pages from page number `firstPage`; stops at the first that is not mapped. */
  unmapRange(firstPage: u64, count: u64): MapError {
    for (let i: u64 = 0n; i < count; i++) {
      const e = this.unmapPage(pageNumbered(firstPage + i));
      if (e !== MapError.None) return e;
    }
    return MapError.None;
  }

  /** Changes the flags of `count` mapped 4 KiB pages from page number `firstPage`. */
  remapRange(firstPage: u64, count: u64, flags: PageFlags): MapError {
    if (flags.isWritable() && flags.isExecutable()) return MapError.WritableAndExecutable;
    for (let i: u64 = 0n; i < count; i++) {
      const e = this.remapPage(pageNumbered(firstPage + i), flags);
      if (e !== MapError.None) return e;
    }
    return MapError.None;
  }

  /** Maps one 4 KiB page to the frame at physical `phys`. */
  mapPage(page: Page, phys: u64, flags: PageFlags): MapError {
    if (flags.isWritable() && flags.isExecutable()) return MapError.WritableAndExecutable;
    const w = this.walk(page, LEVEL_P1, true);
    if (w.error !== MapError.None) return w.error;
    const i = page.p1Index();
    if (isPresent(w.table.get(i))) return MapError.AlreadyMapped;
    w.table.set(i, (phys & ENTRY_ADDRESS_MASK) | flags.entryBits());
    countUp(w.slot, 1n);
    this.flush(page);
    return MapError.None;
  }

  /** Maps the 2 MiB page at virtual `virt` to physical `phys` (both 2 MiB aligned). */
  mapHuge2M(virt: VirtualAddress, phys: u64, flags: PageFlags): MapError {
    return this.mapContiguous(virt, phys, 1n, SIZE_2M, flags);
  }

  /**
   * Maps `count` pages of `size` bytes (SIZE_4K, SIZE_2M or SIZE_1G) from `virt` to physical
   * `phys` (both aligned to `size`), filling each P1 (P2, P3) table in one pass: one walk per
   * 512 pages, never one per page. All or nothing: on an error nothing stays mapped and the
   * tables that became empty are freed.
   */
  mapContiguous(virt: VirtualAddress, phys: u64, count: u64, size: u64, flags: PageFlags): MapError {
    if (flags.isWritable() && flags.isExecutable()) return MapError.WritableAndExecutable;
    if (size !== SIZE_4K && size !== SIZE_2M && size !== SIZE_1G) return MapError.Misaligned;
    if ((virt.value() & (size - 1n)) !== 0n || (phys & (size - 1n)) !== 0n) return MapError.Misaligned;
    const level: u32 = levelOf(size);
    const mask: u64 = size === SIZE_1G ? ENTRY_HUGE_1G_ADDRESS_MASK : size === SIZE_2M ? ENTRY_HUGE_2M_ADDRESS_MASK : ENTRY_ADDRESS_MASK;
    const bits: u64 = size === SIZE_4K ? flags.entryBits() : flags.entryBits() | ENTRY_HUGE;
    let done: u64 = 0n;
    while (done < count) {
      const v = VirtualAddress.checked(virt.value() + done * size);
      if (v === null) return this.undoRun(virt, done, size, MapError.Misaligned);
      const page = Page.containing(v);
      const w = this.walk(page, level, true);
      if (w.error !== MapError.None) return this.undoRun(virt, done, size, w.error);
      const first: u32 = indexAt(page, level);
      const room: u64 = ENTRIES_PER_TABLE - u64(first);
      const n: u64 = count - done < room ? count - done : room;
      const at: u64 = w.table.entryAddress(first);
      for (let i: u64 = 0n; i < n; i++) {
        const old = load64(at + i * ENTRY_SIZE);
        if (isPresent(old)) {
          if (level !== LEVEL_P1 && !isHuge(old) && entryCount(old) === 0n) {
            // An empty table kept by unmap: give it back and map the huge page over it
            // (the invlpg below also drops it from the paging-structure caches).
            store64(at + i * ENTRY_SIZE, 0n);
            this.freeTable(entryAddress(old));
          } else {
            countUp(w.slot, i);
            const e = level === LEVEL_P1 || isHuge(old) ? MapError.AlreadyMapped : MapError.HugePageInTheWay;
            return this.undoRun(virt, done + i, size, e);
          }
        }
        store64(at + i * ENTRY_SIZE, ((phys + (done + i) * size) & mask) | bits);
      }
      countUp(w.slot, n);
      done += n;
    }
    if (this.active) for (let i: u64 = 0n; i < count; i++) invlpg(virt.value() + i * size);
    return MapError.None;
  }

  /** Clears the first `mapped` entries a failed mapContiguous wrote (their tables stay, for `prune`); returns `error`. */
  private undoRun(virt: VirtualAddress, mapped: u64, size: u64, error: MapError): MapError {
    const level: u32 = levelOf(size);
    for (let i: u64 = 0n; i < mapped; i++) {
      const page = Page.containing(VirtualAddress.canonical(virt.value() + i * size));
      const w = this.walk(page, level, false);
      if (w.error === MapError.None) {
        w.table.set(indexAt(page, level), 0n);
        countDown(w.slot, 1n);
      }
      this.flush(page);
    }
    return error;
  }

  /** Removes the 4 KiB mapping of `page`; its P1 table stays, even when empty (see `prune`). */
  unmapPage(page: Page): MapError {
    const w = this.walk(page, LEVEL_P1, false);
    if (w.error !== MapError.None) return w.error;
    const i = page.p1Index();
    if (!isPresent(w.table.get(i))) return MapError.NotMapped;
    w.table.set(i, 0n);
    countDown(w.slot, 1n);
    this.flush(page);
    return MapError.None;
  }

  /** Changes the flags of the mapped 4 KiB page `page`. */
  remapPage(page: Page, flags: PageFlags): MapError {
    if (flags.isWritable() && flags.isExecutable()) return MapError.WritableAndExecutable;
    const w = this.walk(page, LEVEL_P1, false);
    if (w.error !== MapError.None) return w.error;
    const i = page.p1Index();
    const old = w.table.get(i);
    if (!isPresent(old)) return MapError.NotMapped;
    w.table.set(i, (old & ENTRY_ADDRESS_MASK) | flags.entryBits());
    this.flush(page);
    return MapError.None;
  }

  /** The physical address `addr` maps to (4 KiB, 2 MiB or 1 GiB pages), or null. */
  translate(addr: VirtualAddress): PhysicalAddress | null {
    const page = Page.containing(addr);
    const v: u64 = addr.value();
    const p4e = this.table(this.p4).get(page.p4Index());
    if (!isPresent(p4e)) return null;
    const p3e = this.table(entryAddress(p4e)).get(page.p3Index());
    if (!isPresent(p3e)) return null;
    if (isHuge(p3e)) return PhysicalAddress.checked((p3e & ENTRY_HUGE_1G_ADDRESS_MASK) | (v & 0x3fff_ffffn));
    const p2e = this.table(entryAddress(p3e)).get(page.p2Index());
    if (!isPresent(p2e)) return null;
    if (isHuge(p2e)) return PhysicalAddress.checked((p2e & ENTRY_HUGE_2M_ADDRESS_MASK) | (v & (SIZE_2M - 1n)));
    const p1e = this.table(entryAddress(p2e)).get(page.p1Index());
    if (!isPresent(p1e)) return null;
    return PhysicalAddress.checked((p1e & ENTRY_ADDRESS_MASK) | (v & 0xfffn));
  }

  /**
   * The leaf entry mapping `addr` (a P1 entry, or a huge P2/P3 entry), 0 when nothing maps
   * it. For checks of permissions; 0 also when `addr` is unmapped but its table exists.
   */
  leafEntry(addr: VirtualAddress): u64 {
    const page = Page.containing(addr);
    const p4e = this.table(this.p4).get(page.p4Index());
    if (!isPresent(p4e)) return 0n;
    const p3e = this.table(entryAddress(p4e)).get(page.p3Index());
    if (!isPresent(p3e) || isHuge(p3e)) return p3e;
    const p2e = this.table(entryAddress(p3e)).get(page.p2Index());
    if (!isPresent(p2e) || isHuge(p2e)) return p2e;
    return this.table(entryAddress(p2e)).get(page.p1Index());
  }

  /** The flags `addr` is mapped with, or null when unmapped. */
  flagsOf(addr: VirtualAddress): PageFlags | null {
    const e = this.leafEntry(addr);
    return isPresent(e) ? PageFlags.fromEntry(e) : null;
  }

  /** The table at physical `phys`, as the mapper reaches it. */
  private table(phys: u64): PageTable {
    if (phys >= this.tableLimit) panic(`Mapper: table frame ${hex(phys)} lies beyond the reach ${hex(this.tableLimit)} of the mapping at ${hex(this.physOffset)}`);
    return new PageTable(phys, this.physOffset);
  }

  /**
   * Walks from P4 to the table of `level` (1: the P1 holding `page`'s entry, 2: the P2),
   * creating missing tables when `create`; NotMapped when one is missing and not created.
   */
  private walk(page: Page, level: u32, create: bool): Walk {
    let pruned: bool = false;
    let t = this.table(this.p4);
    let slot: u64 = NO_SLOT;
    let at: u32 = 4;
    while (at > level) {
      const i = indexAt(page, at);
      const e = t.get(i);
      if (isPresent(e)) {
        if (isHuge(e)) return new Walk(t, slot, MapError.HugePageInTheWay);
        slot = t.entryAddress(i);
        t = this.table(entryAddress(e));
        at--;
        continue;
      }
      if (!create) return new Walk(t, slot, MapError.NotMapped);
      const fresh = this.newTable();
      if (fresh === 0n) {
        if (pruned || this.prune() === 0n) return new Walk(t, slot, MapError.OutOfFrames);
        // Memory pressure: empty tables went back, perhaps some on this path: walk again.
        pruned = true;
        t = this.table(this.p4);
        slot = NO_SLOT;
        at = 4;
        continue;
      }
      t.set(i, fresh | TABLE_ENTRY_FLAGS);
      countUp(slot, 1n);
      slot = t.entryAddress(i);
      t = this.table(fresh);
      at--;
    }
    return new Walk(t, slot, MapError.None);
  }

  /**
   * Gives every empty P1 and P2 table back to the frame allocator (P3 tables stay) and
   * returns how many went back. Unmapping keeps empty tables for the next map; this runs
   * when asked (leak checks, before counting) and when a table frame request fails.
   */
  prune(): u64 {
    let freed: u64 = 0n;
    const p4 = this.table(this.p4);
    for (let i4: u32 = 0; u64(i4) < ENTRIES_PER_TABLE; i4++) {
      const e4 = p4.get(i4);
      if (!isPresent(e4) || entryCount(e4) === 0n) continue;
      const p3 = this.table(entryAddress(e4));
      for (let i3: u32 = 0; u64(i3) < ENTRIES_PER_TABLE; i3++) {
        const e3 = p3.get(i3);
        if (!isPresent(e3) || isHuge(e3)) continue;
        const p2 = this.table(entryAddress(e3));
        for (let i2: u32 = 0; u64(i2) < ENTRIES_PER_TABLE && entryCount(p3.get(i3)) !== 0n; i2++) {
          const e2 = p2.get(i2);
          if (!isPresent(e2) || isHuge(e2) || entryCount(e2) !== 0n) continue;
          p2.set(i2, 0n);
          countDown(p3.entryAddress(i3), 1n);
          this.freeTable(entryAddress(e2));
          freed++;
        }
        if (entryCount(p3.get(i3)) !== 0n) continue;
        p3.set(i3, 0n);
        countDown(p4.entryAddress(i4), 1n);
        this.freeTable(entryAddress(e3));
        freed++;
      }
    }
    // Reloading CR3 drops the freed tables from the paging-structure caches (no leaf
    // mapping went: an empty table maps nothing).
    if (freed !== 0n && this.active) writeCr3(this.p4);
    return freed;
  }

  /** A zeroed table frame's physical address, or 0 when no frame is left. */
  private newTable(): u64 {
    const r = this.tableLimit === NO_LIMIT
      ? this.frames.allocate(1n)
      : this.frames.allocateIn(FrameRange.empty().withNumbers(0n, this.tableLimit >> CHUNK_SHIFT), 1n);
    const f = r.allocated;
    if (f === null) {
      if (r.error !== AllocError.OutOfMemory && r.error !== AllocError.RegionTableFull) panic(`Mapper: table frame request failed (${u32(r.error)})`);
      return 0n;
    }
    const phys: u64 = f.range().firstNumber() << CHUNK_SHIFT;
    const node = this.spareNodes;
    if (node === null) {
      this.tables = new TableFrame(f, this.tables);
    } else {
      this.spareNodes = node.next;
      node.frames = f;
      node.next = this.tables;
      this.tables = node;
    }
    this.tableCount++;
    this.table(phys).zero();
    return phys;
  }

  /** Gives the table frame at `phys` back to the frame allocator. */
  private freeTable(phys: u64): void {
    const num: u64 = phys >> CHUNK_SHIFT;
    let prev: TableFrame | null = null;
    let t = this.tables;
    while (t !== null) {
      if (t.frames !== null && t.frames.range().firstNumber() === num) {
        if (prev === null) this.tables = t.next;
        else prev.next = t.next;
        const frames = t.frames;
        t.frames = null;
        frames.release();
        t.next = this.spareNodes;
        this.spareNodes = t;
        this.tableCount--;
        return;
      }
      prev = t;
      t = t.next;
    }
    panic(`Mapper: table p${phys} is not one of this mapper's tables`);
  }

  /** Flushes `page`'s TLB entry when these tables are loaded. */
  private flush(page: Page): void {
    if (this.active) invlpg(page.start().value());
  }
}

/** Adds `n` to the present-entry count kept in the table entry at `slot` (nothing for the P4's NO_SLOT). */
function countUp(slot: u64, n: u64): void {
  if (slot !== NO_SLOT) store64(slot, load64(slot) + n * ENTRY_COUNT_ONE);
}

/** Takes `n` from the present-entry count kept in the table entry at `slot`. */
function countDown(slot: u64, n: u64): void {
  if (slot === NO_SLOT) return;
  const e = load64(slot);
  if (entryCount(e) < n) panic(`Mapper: table entry count ${entryCount(e)} below ${n}`);
  store64(slot, e - n * ENTRY_COUNT_ONE);
}

/** The index of `page` in its table of level `level` (4: P4 .. 1: P1). */
function indexAt(page: Page, level: u32): u32 {
  if (level === 4) return page.p4Index();
  if (level === 3) return page.p3Index();
  if (level === 2) return page.p2Index();
  return page.p1Index();
}

/** The level of the table whose entries map pages of `size` bytes (1: P1 for 4 KiB, 2: P2 for 2 MiB, 3: P3 for 1 GiB). */
function levelOf(size: u64): u32 {
  if (size === SIZE_1G) return LEVEL_P3;
  if (size === SIZE_2M) return LEVEL_P2;
  return LEVEL_P1;
}

/** The page numbered `num` (must be valid). */
function pageNumbered(num: u64): Page {
  const p = Page.fromNumber(num);
  if (p === null) return panic(`Mapper: page number ${num} is not canonical`);
  return p;
}

/** Index shift of a 2 MiB page number (for callers iterating 2 MiB blocks). */
export const HUGE_2M_SHIFT: u64 = SHIFT_2M;
