// The page-table walk: one function follows a page's entries from the P4 table down, as
// xv6's walk() serves walkaddr, mappages and uvmunmap. The mapper's translate, leaf lookup,
// map, unmap and remap, the debug W^X lookup (kernel/mm/debug/wx.ts) and the boot stack's
// guard (kernel/arch/x86_64/stack_guard.ts) all walk through it; making missing tables is
// the mapper's own step on top (Mapper.ensure). Reads only: no allocation, no checks beyond
// the entry bits, O(levels).
import { u64, wrappingAdd, wrappingSub, type u32 } from "../../lib/int";
import { load64 } from "../../lib/intrinsics";
import type { Page } from "../addr";
import { ENTRIES_PER_TABLE, ENTRY_ADDRESS_MASK, ENTRY_HUGE, ENTRY_PRESENT, ENTRY_SIZE, entryAddress } from "./entry";

/** Table levels: the level of a table is that of the entries it holds (1: P1 .. 4: P4). */
export const LEVEL_P1: u32 = 1;
export const LEVEL_P2: u32 = 2;
export const LEVEL_P3: u32 = 3;
export const LEVEL_P4: u32 = 4;
/** The byte offsets of entries in a table: 0 .. 511 times 8. */
const ENTRY_OFFSET_MASK: u64 = (ENTRIES_PER_TABLE - 1n) * ENTRY_SIZE;
/** `TableWalk.parent` of the P4 table, which no entry points to. */
export const NO_SLOT: u64 = 0n;

/** Where a walk stopped: a level, the entry there and where it is reached. A value class. */
export class TableWalk {
  /** The level of the table holding `slot` (4: P4 .. 1: P1). */
  readonly level: u32;
  /** Where the entry for the page in that table is reached (physical + offset). */
  readonly slot: u64;
  /** Where the entry pointing to that table is reached (it counts the table's present entries); NO_SLOT for the P4. */
  readonly parent: u64;
  /** The entry at `slot`. */
  readonly entry: u64;

  constructor(level: u32, slot: u64, parent: u64, entry: u64) {
    this.level = level;
    this.slot = slot;
    this.parent = parent;
    this.entry = entry;
  }
}

/**
 * Follows `page`'s entries from the P4 table at physical `p4`, reading each table at
 * physical + `offset`, down to the table of level `stop`; stops higher at an entry that is
 * absent or maps a huge page.
 */
export function walk(p4: u64, offset: u64, page: Page, stop: u32): TableWalk {
  const va: u64 = page.startValue();
  let table: u64 = p4 & ENTRY_ADDRESS_MASK;
  let level: u32 = LEVEL_P4;
  let parent: u64 = NO_SLOT;
  for (;;) {
    // The entry's byte offset in its table is the index (address bits 12 + 9 (level - 1)
    // up) times 8: the address shifted by 9 level, masked to 0xff8 (the `& 63n` only tells
    // gcc that the shift, at most 36, is in range). A table is 4 KiB aligned: `|` adds it
    // without a carry. Adding the offset cannot wrap: the mapper makes every table below its
    // table-frame limit, the reach of the mapping at `offset` (0 or the direct map, which
    // ends below 2^64), so the sum is an address of that mapping (the check cost about 11
    // instructions per map and unmap).
    const slot: u64 = wrappingAdd(table | ((va >> ((u64(level) * 9n) & 63n)) & ENTRY_OFFSET_MASK), offset);
    const e = load64(slot);
    if (level <= stop || (e & (ENTRY_PRESENT | ENTRY_HUGE)) !== ENTRY_PRESENT) return new TableWalk(level, slot, parent, e);
    parent = slot;
    table = entryAddress(e);
    level = wrappingSub(level, 1); // above `stop`, which is at least 1
  }
}
