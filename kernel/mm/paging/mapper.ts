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
// Every lookup goes through the one walk of walk.ts; `ensure` adds the making of missing
// tables on top. Tables are trusted to lie within reach: the mapper makes them below its
// table-frame limit, so the walk checks nothing per level.
//
// Lookups (translate, translateMapping, leafEntry, flagsOf) take no lock, as Linux walks the
// kernel's tables: every entry is written by one 8-byte store, so a walk sees each entry old
// or new, and a walk of a mapping the caller owns is stable (its tables are not empty, so no
// prune frees them); for an address another CPU is changing it is a snapshot. The tables
// are read through the direct map, always mapped (the debug checks that unmap freed frames
// from it run on one CPU). The lock cost 134 of translate's 168 instructions.
// Every CPU shares the kernel's tables: every change holds the mapper's spinlock, and
// removing or changing a mapping of loaded tables flushes the page's TLB entry (invlpg) and,
// before the lock is released, the other CPUs' (remote_flush.ts: one shootdown per call,
// not per page). A new mapping needs no remote flush: no CPU caches a not-present entry. A map that fails
// half way unmaps what it mapped and gives the pages and frames back to their allocators.
// No mapping is both writable and executable.
import { u32, u64, wrappingAdd, type bool } from "../../lib/int";
import { invlpg, load64, store64, writeCr3 } from "../../lib/intrinsics";
import { panic } from "../../lib/panic";
import type { Consumed } from "../../lib/owned";
import { type AllocatedFrames, type AllocatedPages, AllocError, type FrameAllocator } from "../alloc";
import { CHUNK_SHIFT, CHUNK_SIZE, Frame, FrameRange, HUGE_1G, HUGE_2M, Page, type PageRange, PHYSICAL_MAX, PhysicalAddress, U64_MAX, VirtualAddress } from "../addr";
import { MappedPages } from "./mapped_pages";
import {
  ENTRIES_PER_TABLE, ENTRY_ADDRESS_MASK, ENTRY_COUNT_ONE, ENTRY_HUGE, ENTRY_SIZE, TABLE_ENTRY_FLAGS, entryAddress, entryCount, entryFrame, isHuge, isPresent,
} from "./entry";
import { PageFlags } from "./flags";
import { anyPresent, fillRun, PageTable } from "./table";
import { LEVEL_P1, LEVEL_P2, LEVEL_P3, NO_SLOT, type TableWalk, walk } from "./walk";
import { FLUSH_ALL_PAGES, flushOtherCpus } from "./remote_flush";
import { RANK_MAPPER, SpinLock, type SpinGuard } from "../../sync";

/** Why a mapper operation failed: one kind per cause. */
export const enum MapError {
  /** The operation succeeded. */
  None = 0,
  /** A page of the request is already mapped (MapStatus.existing says to which frame). */
  AlreadyMapped = 1,
  /** No frame for a page table, even after giving the empty ones back. */
  OutOfFrames = 2,
  /** A huge page maps the region where a table is needed or a 4 KiB page is expected. */
  HugePageInTheWay = 3,
  /** The pages and frames differ in number. */
  SizeMismatch = 4,
  /** The flags ask for a writable and executable mapping (never allowed). */
  WritableAndExecutable = 5,
  /** The page is not mapped. */
  NotMapped = 6,
  /** An address of a huge mapping is not aligned to the page size. */
  Misaligned = 7,
  /** A huge page is asked where a lower table still maps pages. */
  TableInTheWay = 8,
  /** A page size other than 4 KiB, 2 MiB and 1 GiB. */
  UnsupportedSize = 9,
  /** The run of pages leaves the canonical half its first page lies in. */
  OutOfRange = 10,
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
    case MapError.TableInTheWay: return "page table in the way";
    case MapError.UnsupportedSize: return "unsupported page size";
    case MapError.OutOfRange: return "out of range";
    default: return "unknown map error";
  }
}

/** How a mapper operation ended: the error kind, and with AlreadyMapped the frame mapped there. A value class. */
export class MapStatus {
  readonly error: MapError;
  /** With AlreadyMapped: the frame mapped at the page (the first of a huge page's); else null. */
  readonly existing: Frame | null;

  constructor(error: MapError, existing: Frame | null) {
    this.error = error;
    this.existing = existing;
  }

  /** True when the operation succeeded. */
  isOk(): bool {
    return this.error === MapError.None;
  }
}

/** Where a virtual address is mapped (Mapper.translateMapping). A value class. */
export class Translation {
  /** The physical address. */
  readonly address: PhysicalAddress;
  /** Bytes of the page that maps it: 4 KiB, 2 MiB or 1 GiB. */
  readonly pageSize: u64;
  /** The mapping's flags. */
  readonly flags: PageFlags;

  constructor(address: PhysicalAddress, pageSize: u64, flags: PageFlags) {
    this.address = address;
    this.pageSize = pageSize;
    this.flags = flags;
  }
}

/** The result of `map`: the mapping, or null and the reason (the pages and frames were given back). */
export class MapResult {
  readonly mapped: MappedPages | null;
  readonly error: MapError;
  /** With AlreadyMapped: the frame mapped at the first page found mapped; else null. */
  readonly existing: Frame | null;

  constructor(mapped: MappedPages | null, status: MapStatus) {
    this.mapped = mapped;
    this.error = status.error;
    this.existing = status.existing;
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

const NO_LIMIT: u64 = 0xffff_ffff_ffff_ffffn;

/** An address space's page tables. */
export class Mapper {
  private readonly p4: u64;
  private physOffset: u64;
  private tableLimit: u64;
  private readonly frames: FrameAllocator;
  private tables: TableFrame | null;
  private spareNodes: TableFrame | null = null;
  /** Nodes in spareNodes. */
  private spareCount: u64 = 0n;
  private tableCount: u64 = 0n;
  private active: bool = false;
  /** Held by every operation: the tables (and this object) are shared by all CPUs. */
  private readonly lock: SpinLock;

  /** A mapper with an empty P4 table from `frames`; panics when no frame is left. See `create`. */
  constructor(frames: FrameAllocator, physOffset: u64, tableLimit: u64) {
    this.frames = frames;
    this.physOffset = physOffset;
    this.tableLimit = tableLimit;
    this.tables = null;
    this.lock = SpinLock.ranked("mapper", RANK_MAPPER);
    const p4 = this.newTable(0, 0n);
    if (p4 === null) panic("Mapper: no frame for the P4 table");
    this.p4 = p4.startValue();
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
   * data in use stay mapped, and that every table frame and every free frame below the
   * limit are mapped at `newOffset` in this P4.
   */
  activate(newOffset: u64, newTableLimit: u64): void {
    if (newTableLimit === 0n) panic("Mapper.activate: a table-frame limit of 0 leaves no frame for tables");
    using g = this.lock.acquire();
    writeCr3(this.p4);
    this.active = true;
    this.physOffset = newOffset;
    this.tableLimit = newTableLimit;
  }

  /** Maps `pages` to `frames` with `flags`, consuming both; on failure both are given back. */
  map(pages: Consumed<AllocatedPages>, frames: Consumed<AllocatedFrames>, flags: PageFlags): MapResult {
    const status = this.mapRange(pages.range(), frames.range(), flags);
    if (!status.isOk()) {
      pages.release();
      frames.release();
      return new MapResult(null, status);
    }
    return new MapResult(new MappedPages(this, pages, frames, flags), status);
  }

  /**
   * Maps `pages` to `frames` (the same number) without owning them (the kernel image;
   * callers hold the frames some other way). All or nothing.
   */
  mapRange(pages: PageRange, frames: FrameRange, flags: PageFlags): MapStatus {
    if (pages.sizeInChunks() !== frames.sizeInChunks()) return failed(MapError.SizeMismatch);
    if (flags.isWritable() && flags.isExecutable()) return failed(MapError.WritableAndExecutable);
    const first = pages.start();
    const frame = frames.start();
    if (first === null || frame === null) return ok();
    if (pages.sizeInChunks() === 1n) return this.mapPage(first, frame, flags); // the common case
    using g = this.lockWithSpares(tableNodesForRun(first.startValue(), pages.sizeInChunks(), CHUNK_SIZE));
    return this.mapContiguousLocked(first.start(), frame.start(), pages.sizeInChunks(), CHUNK_SIZE, flags);
  }

  /** Unmaps every page of `pages`; stops at the first that is not mapped. */
  unmapRange(pages: PageRange): MapStatus {
    const first = pages.start();
    if (first === null) return ok();
    if (pages.sizeInChunks() === 1n) return this.unmapPage(first); // the common case: no iteration
    using g = this.lock.acquire();
    let done: u64 = 0n;
    let error = MapError.None;
    for (const page of pages) {
      error = this.unmapPageLocked(page).error;
      if (error !== MapError.None) break;
      done++;
    }
    this.flushOthers(first, done);
    return failed(error); // unmapping fails only with kinds that carry no frame
  }

  /** The other CPUs' TLB entries of `done` pages from `first` go (lock held). */
  private flushOthers(first: Page, done: u64): void {
    if (this.active && done !== 0n) flushOtherCpus(first.startValue(), done);
  }

  /** Changes the flags of the mapped 4 KiB pages `pages`; stops at the first that is not mapped. */
  remapRange(pages: PageRange, flags: PageFlags): MapStatus {
    if (flags.isWritable() && flags.isExecutable()) return failed(MapError.WritableAndExecutable);
    const first = pages.start();
    if (first === null) return ok();
    using g = this.lock.acquire();
    let done: u64 = 0n;
    let error = MapError.None;
    for (const page of pages) {
      error = this.remapPageLocked(page, flags).error;
      if (error !== MapError.None) break;
      done++;
    }
    this.flushOthers(first, done);
    return failed(error); // remapping fails only with kinds that carry no frame
  }

  /** Maps one 4 KiB page to `frame`. */
  mapPage(page: Page, frame: Frame, flags: PageFlags): MapStatus {
    using g = this.lockWithSpares(tableNodesForRun(page.startValue(), 1n, CHUNK_SIZE));
    return this.mapPageLocked(page, frame, flags);
  }

  /**
   * The body of `mapPage`, the lock held (inlined into the wrappers that take it).
   * @inline
   */
  private mapPageLocked(page: Page, frame: Frame, flags: PageFlags): MapStatus {
    if (flags.isWritable() && flags.isExecutable()) return failed(MapError.WritableAndExecutable);
    const w = this.ensure(page, LEVEL_P1, 0n);
    if (w.level !== LEVEL_P1) return failed(stopError(w, MapError.OutOfFrames));
    if (isPresent(w.entry)) return alreadyMapped(w.entry, LEVEL_P1);
    // No invlpg: the entry was not present, and no TLB caches a translation through a
    // not-present entry (Intel SDM 4.10.2.3), so no CPU has one to drop.
    store64(w.slot, frame.startValue() | flags.entryBits());
    countUp(w.parent, 1n);
    return ok();
  }

  /** Maps the 2 MiB page at `virt` to the 2 MiB of frames at `phys` (both 2 MiB aligned). */
  mapHuge2M(virt: VirtualAddress, phys: PhysicalAddress, flags: PageFlags): MapStatus {
    return this.mapContiguous(virt, phys, 1n, HUGE_2M, flags);
  }

  /**
   * Maps `count` pages of `size` bytes (4 KiB, 2 MiB or 1 GiB) from `virt` to physical
   * `phys` (both aligned to `size`), filling each P1 (P2, P3) table in one pass: one walk per
   * 512 pages, never one per page. All or nothing: on an error nothing stays mapped.
   */
  mapContiguous(virt: VirtualAddress, phys: PhysicalAddress, count: u64, size: u64, flags: PageFlags): MapStatus {
    using g = this.lockWithSpares(tableNodesForRun(virt.value(), count, size));
    return this.mapContiguousLocked(virt, phys, count, size, flags);
  }

  private mapContiguousLocked(virt: VirtualAddress, phys: PhysicalAddress, count: u64, size: u64, flags: PageFlags): MapStatus {
    if (flags.isWritable() && flags.isExecutable()) return failed(MapError.WritableAndExecutable);
    if (size !== CHUNK_SIZE && size !== HUGE_2M && size !== HUGE_1G) return failed(MapError.UnsupportedSize);
    if ((virt.value() & (size - 1n)) !== 0n || (phys.value() & (size - 1n)) !== 0n) return failed(MapError.Misaligned);
    if (count === 0n) return ok();
    if (count - 1n > (U64_MAX - virt.value()) / size) return failed(MapError.OutOfRange);
    if (count - 1n > (PHYSICAL_MAX - phys.value()) / size) return failed(MapError.OutOfRange);
    const level: u32 = levelOf(size);
    const mask: u64 = ENTRY_ADDRESS_MASK & ~(size - 1n);
    const bits: u64 = level === LEVEL_P1 ? flags.entryBits() : flags.entryBits() | ENTRY_HUGE;
    let done: u64 = 0n;
    let tableFreed: bool = false;
    while (done < count) {
      const v = VirtualAddress.checked(virt.value() + done * size);
      if (v === null) return this.undoRun(virt, done, size, failed(MapError.OutOfRange));
      const page = Page.containing(v);
      const room: u64 = ENTRIES_PER_TABLE - u64(page.tableIndex(level));
      const n: u64 = count - done < room ? count - done : room;
      const w = this.ensure(page, level, n);
      if (w.level !== level) return this.undoRun(virt, done, size, failed(stopError(w, MapError.OutOfFrames)));
      // The run stays inside this table (n <= room) and below PHYSICAL_MAX (checked above),
      // so the slot and the entry advance by unchecked adds.
      let slot: u64 = w.slot;
      let entry: u64 = ((phys.value() + done * size) & mask) | bits;
      if ((w.parent !== NO_SLOT && entryCount(load64(w.parent)) === 0n) || !anyPresent(slot, n)) {
        // The table is empty (the entry pointing to it counts no present entry: a new
        // table's case), or the run's own entries are all absent: nothing there to check
        // or to give back, so the run is a plain fill.
        fillRun(slot, entry, size, n);
        countUp(w.parent, n);
        done += n;
        continue;
      }
      for (let i: u64 = 0n; i < n; i++) {
        const old = load64(slot);
        if (isPresent(old)) {
          if (level !== LEVEL_P1 && !isHuge(old) && entryCount(old) === 0n) {
            // An empty table kept by unmap: give it back and map the huge page over it
            // (the invlpg below also drops it from the paging-structure caches).
            store64(slot, 0n);
            this.freeTable(entryFrame(old));
            tableFreed = true;
          } else {
            countUp(w.parent, i);
            const s = level === LEVEL_P1 || isHuge(old) ? alreadyMapped(old, level) : failed(MapError.TableInTheWay);
            if (tableFreed && this.active) flushOtherCpus(0n, FLUSH_ALL_PAGES);
            return this.undoRun(virt, done + i, size, s);
          }
        }
        store64(slot, entry);
        slot = wrappingAdd(slot, ENTRY_SIZE);
        entry = wrappingAdd(entry, size);
      }
      countUp(w.parent, n);
      done += n;
    }
    // Every entry written was absent, which no TLB caches, unless an empty table was freed
    // above: then the invlpgs drop it from this CPU's paging-structure caches, and another
    // CPU's may still hold it too.
    if (tableFreed && this.active) {
      for (let i: u64 = 0n; i < count; i++) invlpg(virt.value() + i * size);
      flushOtherCpus(0n, FLUSH_ALL_PAGES);
    }
    return ok();
  }

  /** Clears the first `mapped` entries a failed mapContiguous wrote (their tables stay, for `prune`); returns `status`. */
  private undoRun(virt: VirtualAddress, mapped: u64, size: u64, status: MapStatus): MapStatus {
    const level: u32 = levelOf(size);
    for (let i: u64 = 0n; i < mapped; i++) {
      const page = Page.containing(VirtualAddress.canonical(virt.value() + i * size));
      const w = this.walkTo(page, level);
      if (w.level === level && isPresent(w.entry)) {
        store64(w.slot, 0n);
        countDown(w.parent, 1n);
      }
      this.flush(page);
    }
    return status;
  }

  /** Removes the 4 KiB mapping of `page`; its P1 table stays, even when empty (see `prune`). */
  unmapPage(page: Page): MapStatus {
    using g = this.lock.acquire();
    const s = this.unmapPageLocked(page);
    if (s.isOk() && this.active) flushOtherCpus(page.startValue(), 1n);
    return s;
  }

  /**
   * The body of `unmapPage`, the lock held (inlined into the wrappers that take it).
   * @inline
   */
  private unmapPageLocked(page: Page): MapStatus {
    const w = this.walkTo(page, LEVEL_P1);
    if (w.level !== LEVEL_P1) return failed(stopError(w, MapError.NotMapped));
    if (!isPresent(w.entry)) return failed(MapError.NotMapped);
    return this.clearLeaf(w, page);
  }

  /**
   * Removes the huge mapping of `size` bytes (2 MiB or 1 GiB) starting at `page`, keeping the
   * parent table's count right; the typed form is unmapHugePage (huge.ts). A huge page of
   * the other size there is HugePageInTheWay, a table of smaller pages TableInTheWay.
   */
  unmapHuge(page: Page, size: u64): MapStatus {
    if (size !== HUGE_2M && size !== HUGE_1G) return failed(MapError.UnsupportedSize);
    if ((page.startValue() & (size - 1n)) !== 0n) return failed(MapError.Misaligned);
    using g = this.lock.acquire();
    const level: u32 = levelOf(size);
    const w = this.walkTo(page, level);
    if (w.level !== level) return failed(stopError(w, MapError.NotMapped));
    if (!isPresent(w.entry)) return failed(MapError.NotMapped);
    if (!isHuge(w.entry)) return failed(MapError.TableInTheWay);
    const s = this.clearLeaf(w, page);
    if (this.active) flushOtherCpus(page.startValue(), size >> CHUNK_SHIFT);
    return s;
  }

  /** Clears the present leaf entry the walk `w` of `page` found (the parent's count, the TLB). */
  private clearLeaf(w: TableWalk, page: Page): MapStatus {
    store64(w.slot, 0n);
    countDown(w.parent, 1n);
    this.flush(page);
    return ok();
  }

  /** Changes the flags of the mapped 4 KiB page `page`. */
  remapPage(page: Page, flags: PageFlags): MapStatus {
    using g = this.lock.acquire();
    const s = this.remapPageLocked(page, flags);
    if (s.isOk() && this.active) flushOtherCpus(page.startValue(), 1n);
    return s;
  }

  private remapPageLocked(page: Page, flags: PageFlags): MapStatus {
    if (flags.isWritable() && flags.isExecutable()) return failed(MapError.WritableAndExecutable);
    const w = this.walkTo(page, LEVEL_P1);
    if (w.level !== LEVEL_P1) return failed(stopError(w, MapError.NotMapped));
    if (!isPresent(w.entry)) return failed(MapError.NotMapped);
    store64(w.slot, (w.entry & ENTRY_ADDRESS_MASK) | flags.entryBits());
    this.flush(page);
    return ok();
  }

  /** The physical address `addr` maps to (4 KiB, 2 MiB or 1 GiB pages), or null. */
  translate(addr: VirtualAddress): PhysicalAddress | null {
    const w = this.walkTo(Page.containing(addr), LEVEL_P1);
    if (!isPresent(w.entry)) return null;
    const within: u64 = offsetMask(w.level);
    return PhysicalAddress.canonical((w.entry & ENTRY_ADDRESS_MASK & ~within) | (addr.value() & within));
  }

  /** What maps `addr`: the physical address, the size of the page (4 KiB, 2 MiB or 1 GiB) and its flags; null when nothing does. */
  translateMapping(addr: VirtualAddress): Translation | null {
    const w = this.walkTo(Page.containing(addr), LEVEL_P1);
    if (!isPresent(w.entry)) return null;
    const within: u64 = offsetMask(w.level);
    return new Translation(PhysicalAddress.canonical((w.entry & ENTRY_ADDRESS_MASK & ~within) | (addr.value() & within)), within + 1n, PageFlags.fromEntry(w.entry));
  }

  /**
   * The leaf entry mapping `addr` (a P1 entry, or a huge P2/P3 entry), 0 when nothing maps
   * it. For checks of permissions.
   */
  leafEntry(addr: VirtualAddress): u64 {
    const w = this.walkTo(Page.containing(addr), LEVEL_P1);
    return isPresent(w.entry) ? w.entry : 0n;
  }

  /** The flags `addr` is mapped with, or null when unmapped. */
  flagsOf(addr: VirtualAddress): PageFlags | null {
    const e = this.leafEntry(addr);
    return isPresent(e) ? PageFlags.fromEntry(e) : null;
  }

  /**
   * Gives every empty P1 and P2 table back to the frame allocator (P3 tables stay) and
   * returns how many went back. Unmapping keeps empty tables for the next map; this runs
   * when asked (leak checks, before counting) and when a table frame request fails.
   */
  prune(): u64 {
    using g = this.lock.acquire();
    return this.pruneLocked();
  }

  private pruneLocked(): u64 {
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
          this.freeTable(entryFrame(e2));
          freed++;
        }
        if (entryCount(p3.get(i3)) !== 0n) continue;
        p3.set(i3, 0n);
        countDown(p4.entryAddress(i4), 1n);
        this.freeTable(entryFrame(e3));
        freed++;
      }
    }
    // Reloading CR3 drops the freed tables from the paging-structure caches (no leaf
    // mapping went: an empty table maps nothing).
    if (freed !== 0n && this.active) {
      writeCr3(this.p4);
      flushOtherCpus(0n, FLUSH_ALL_PAGES);
    }
    return freed;
  }

  /** The table at physical `phys`, as the mapper reaches it. */
  private table(phys: u64): PageTable {
    return new PageTable(phys, this.physOffset);
  }

  /** The walk of `page` through these tables down to `level`. */
  private walkTo(page: Page, level: u32): TableWalk {
    return walk(this.p4, this.physOffset, page, level);
  }

  /**
   * The walk of `page` down to `level`, making missing tables; it stops higher only at a
   * huge page or when no table frame is left even after a prune. `run`: the entries from
   * `page`'s on that the caller writes at once into the table of `level` (0: none).
   * @inline
   */
  private ensure(page: Page, level: u32, run: u64): TableWalk {
    const w = this.walkTo(page, level);
    // The common case, every table present, is this one walk; making tables is out of line.
    if (w.level === level || isPresent(w.entry)) return w;
    return this.makeTables(page, level, w, run);
  }

  /**
   * ensure's slow path: makes the tables missing below `w` (a walk of `page` that stopped at an absent entry).
   * @cold
   */
  private makeTables(page: Page, level: u32, first: TableWalk, run: u64): TableWalk {
    let w = first;
    let pruned: bool = false;
    while (w.level > level && !isPresent(w.entry)) {
      // The table of `level` itself gets the caller's run at once: its entries need no zeroing.
      const fresh = this.newTable(page.tableIndex(level), w.level === level + 1 ? run : 0n);
      if (fresh === null) {
        if (pruned || this.pruneLocked() === 0n) return w;
        // Memory pressure: the empty tables went back, perhaps some on this path: walk again.
        pruned = true;
        w = this.walkTo(page, level);
        continue;
      }
      store64(w.slot, fresh.startValue() | TABLE_ENTRY_FLAGS);
      if (w.parent !== NO_SLOT) countUp(w.parent, 1n); // the P4 has no entry that counts its entries
      w = this.walkTo(page, level); // from the top again: rare, as tables stay once made
    }
    return w;
  }

  /**
   * Takes the lock with at least `need` spare list nodes ready for new tables: a node is an
   * object (`new` takes the heap's lock, which ranks before the mapper's: kernel/sync/lock_order.ts),
   * so it is made only with the mapper's lock not held.
   * @inline
   */
  private lockWithSpares(need: u64): SpinGuard {
    const g = this.lock.acquire();
    if (this.spareCount >= need) return g;
    return this.lockAfterAddingSpares(g, need);
  }

  /**
   * lockWithSpares' slow path: with `held` released, adds spare nodes until `need` are
   * ready when the lock is taken again.
   * @cold
   */
  private lockAfterAddingSpares(held: Consumed<SpinGuard>, need: u64): SpinGuard {
    held.release();
    for (;;) {
      this.addSpare(new TableFrame(null, null));
      const g = this.lock.acquire();
      if (this.spareCount >= need) return g;
      g.release();
    }
  }

  /** Adds `node` to the spare nodes. */
  private addSpare(node: TableFrame): void {
    using g = this.lock.acquire();
    node.next = this.spareNodes;
    this.spareNodes = node;
    this.spareCount++;
  }

  /**
   * A zeroed table frame below the table-frame limit, or null when no frame is left. The
   * entries `runFrom`..+`run` are the caller's to fill at once: in tables not yet loaded they
   * are left unzeroed (nothing reads them before; a loaded table could be walked
   * speculatively by the CPU meanwhile, so it is zeroed whole).
   */
  private newTable(runFrom: u32, run: u64): Frame | null {
    const r = this.tableLimit === NO_LIMIT
      ? this.frames.allocate(1n)
      : this.frames.allocateIn(FrameRange.empty().withNumbers(0n, this.tableLimit >> CHUNK_SHIFT), 1n);
    const f = r.allocated;
    if (f === null) {
      if (r.error !== AllocError.OutOfMemory && r.error !== AllocError.RegionTableFull) panic(`Mapper: table frame request failed (${u32(r.error)})`);
      return null;
    }
    const frame = f.start();
    const node = this.spareNodes;
    // No spare only for the P4, made in the constructor: every map reserves its nodes (lockWithSpares).
    if (node === null) {
      this.tables = new TableFrame(f, this.tables);
    } else {
      this.spareNodes = node.next;
      this.spareCount--;
      node.frames = f;
      node.next = this.tables;
      this.tables = node;
    }
    this.tableCount++;
    if (run === 0n || this.active) this.table(frame.startValue()).zero();
    else this.table(frame.startValue()).zeroAround(runFrom, run);
    return frame;
  }

  /** Gives the table `frame` back to the frame allocator. */
  private freeTable(frame: Frame): void {
    let prev: TableFrame | null = null;
    let t = this.tables;
    while (t !== null) {
      if (t.frames !== null && t.frames.range().firstNumber() === frame.number()) {
        if (prev === null) this.tables = t.next;
        else prev.next = t.next;
        const frames = t.frames;
        t.frames = null;
        frames.release();
        t.next = this.spareNodes;
        this.spareNodes = t;
        this.spareCount++;
        this.tableCount--;
        return;
      }
      prev = t;
      t = t.next;
    }
    panic(`Mapper: table ${frame} is not one of this mapper's tables`);
  }

  /** Flushes `page`'s TLB entry when these tables are loaded. */
  private flush(page: Page): void {
    if (this.active) invlpg(page.startValue());
  }
}

/**
 * Table nodes a run of `count` pages of `size` bytes from `first` may need: the P3, P2 and
 * P1 tables holding its entries, down to the level of its pages (a 1 GiB run needs P3s
 * only), counted from its addresses, so a run within one table asks for one node a level
 * (boot's image sections and direct map made twice the nodes they used). 0 when the run is
 * invalid (mapContiguousLocked then fails before making a table).
 */
function tableNodesForRun(first: u64, count: u64, size: u64): u64 {
  if (count === 1n) return 3n; // the common case, without the divisions below: one table a level at most
  if (count === 0n || (size !== CHUNK_SIZE && size !== HUGE_2M && size !== HUGE_1G)) return 0n;
  if (count - 1n > (U64_MAX - first) / size) return 0n;
  const last: u64 = first + (count - 1n) * size;
  // A P1 table maps 2 MiB, a P2 1 GiB, a P3 512 GiB.
  let n: u64 = tablesTouched(first, last, HUGE_1G * ENTRIES_PER_TABLE);
  if (size !== HUGE_1G) n += tablesTouched(first, last, HUGE_1G);
  if (size === CHUNK_SIZE) n += tablesTouched(first, last, HUGE_2M);
  return n;
}

/** The tables mapping `span` bytes each that bytes `first..=last` touch. */
function tablesTouched(first: u64, last: u64, span: u64): u64 {
  return last / span - first / span + 1n;
}

/** Success (made at each use: two constant stores, no global to copy). */
function ok(): MapStatus {
  return new MapStatus(MapError.None, null);
}

/** A failure of kind `error` (not AlreadyMapped; MapError.None is success). */
function failed(error: MapError): MapStatus {
  return new MapStatus(error, null);
}

/** AlreadyMapped, with the frame the present leaf `entry` of level `level` maps. */
function alreadyMapped(entry: u64, level: u32): MapStatus {
  return new MapStatus(MapError.AlreadyMapped, entryFrame(entry & ~offsetMask(level)));
}

/** Why a walk stopped above the level asked for: a huge page, or else `absent` (a missing table). */
function stopError(w: TableWalk, absent: MapError): MapError {
  return isPresent(w.entry) ? MapError.HugePageInTheWay : absent;
}

// The counts live in the entry pointing to a table, so a table below the P4 has one: every
// caller passes the parent slot of a leaf (level 3 at most) or of a table below the P4;
// only makeTables meets the P4's NO_SLOT, and tests for it.

/** Adds `n` to the present-entry count kept in the table entry at `slot` (not NO_SLOT). */
function countUp(slot: u64, n: u64): void {
  store64(slot, load64(slot) + n * ENTRY_COUNT_ONE);
}

/** Takes `n` from the present-entry count kept in the table entry at `slot` (not NO_SLOT). */
function countDown(slot: u64, n: u64): void {
  const e = load64(slot);
  if (entryCount(e) < n) panic(`Mapper: table entry count ${entryCount(e)} below ${n}`);
  store64(slot, e - n * ENTRY_COUNT_ONE);
}

/** The bits of an address within a page mapped by an entry of `level` (1: 4 KiB, 2: 2 MiB, 3: 1 GiB). */
function offsetMask(level: u32): u64 {
  if (level === LEVEL_P1) return CHUNK_SIZE - 1n;
  if (level === LEVEL_P2) return HUGE_2M - 1n;
  return HUGE_1G - 1n;
}

/** The level of the table whose entries map pages of `size` bytes (1: P1 for 4 KiB, 2: P2 for 2 MiB, 3: P3 for 1 GiB). */
function levelOf(size: u64): u32 {
  if (size === HUGE_1G) return LEVEL_P3;
  if (size === HUGE_2M) return LEVEL_P2;
  return LEVEL_P1;
}
