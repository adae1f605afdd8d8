// The page-table walk: one function follows a page's entries from the P4 table down, as
// xv6's walk() serves walkaddr, mappages and uvmunmap. The mapper's translate, leaf lookup,
// map, unmap and remap, the debug W^X lookup (kernel/mm/debug/wx.ts) and the boot stack's
// guard (kernel/arch/x86_64/stack_guard.ts) all walk through it; making missing tables is
// the mapper's own step on top (Mapper.ensure). Reads only: no allocation, no checks beyond
// the entry bits, O(levels).
import { u64, type u32 } from "../../lib/int";
import { load64 } from "../../lib/intrinsics";
import type { Page } from "../addr";
import { ENTRY_SIZE, entryAddress, isHuge, isPresent } from "./entry";

/** Table levels: the level of a table is that of the entries it holds (1: P1 .. 4: P4). */
export const LEVEL_P1: u32 = 1;
export const LEVEL_P2: u32 = 2;
export const LEVEL_P3: u32 = 3;
export const LEVEL_P4: u32 = 4;
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
  return walkFrom(p4, LEVEL_P4, NO_SLOT, offset, page, stop);
}

/** `walk` from the table at physical `table` of level `level`, pointed to by the entry at `parent`. */
export function walkFrom(table: u64, level: u32, parent: u64, offset: u64, page: Page, stop: u32): TableWalk {
  let t: u64 = table;
  let l: u32 = level;
  let p: u64 = parent;
  for (;;) {
    // A table is 4 KiB aligned and an index times 8 is below 4096: `|` adds without a carry.
    const slot: u64 = (t | (u64(page.tableIndex(l)) * ENTRY_SIZE)) + offset;
    const e = load64(slot);
    if (l <= stop || !isPresent(e) || isHuge(e)) return new TableWalk(l, slot, p, e);
    p = slot;
    t = entryAddress(e);
    l--;
  }
}
