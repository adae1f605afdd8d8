// The boot stack's guard page: __boot_stack_guard, the page below the stack, is made
// not-present so that an overflow faults (and, as the fault cannot push its frame on the
// broken stack, becomes a double fault reported from its own IST stack).
//
// The early tables (boot/entry32.S) map with 2 MiB pages. This splits the one holding the
// guard into 512 4 KiB pages (a P1 table from boot/exceptions.S's .bss) that map the same
// frames with the same flags, except the guard page, which is left unmapped. Done here in
// TypeScript rather than in the 32-bit boot code: the walk is the mapper's own (walk.ts),
// an unexpected table layout panics with its file:line, and the boot assembly stays as it
// was. The walk reads the tables through the early
// identity map of the first 4 GiB, where they live. The P2 table is shared by the identity
// and higher-half maps, so the page is unmapped in both.
import type { bool, u32, u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import {
  bootStackBottom, bootStackGuard, bootStackTop, guardPageTableAddress, kernelVma, load64, readCr3, store64, writeCr3,
} from "../../lib/intrinsics";
import { CHUNK_SIZE, IDENTITY_LIMIT, Page, VirtualAddress } from "../../mm/addr";
import {
  ENTRIES_PER_TABLE, ENTRY_ADDRESS_MASK, ENTRY_HUGE, ENTRY_HUGE_2M_ADDRESS_MASK, ENTRY_PRESENT, ENTRY_USER, ENTRY_WRITABLE, isPresent, LEVEL_P1, LEVEL_P2, LEVEL_P3, type TableWalk, walk,
} from "../../mm/paging";

/** PAT bit of a 2 MiB entry (bit 7 in a 4 KiB entry). */
const HUGE_PAT: u64 = 1n << 12n;

/**
 * The walk of the early tables (CR3's, read through the identity map) to `virt`'s entry in
 * the table of `level`; panics unless the tables down to it exist below IDENTITY_LIMIT.
 */
function walkEarly(virt: u64, level: u32): TableWalk {
  const p4: u64 = readCr3() & ENTRY_ADDRESS_MASK;
  if (p4 >= IDENTITY_LIMIT) panic("stack guard: P4 table above 4 GiB: not reachable through the early identity map");
  const w = walk(p4, 0n, Page.containing(VirtualAddress.canonical(virt)), level);
  if (w.level !== level) {
    if (w.level > LEVEL_P3) panic("stack guard: no P3 table for the boot stack");
    if (w.level > LEVEL_P2) panic(isPresent(w.entry) ? "stack guard: the boot stack is in a 1 GiB page" : "stack guard: no P2 table for the boot stack");
    panic("stack guard: the boot stack is not mapped");
  }
  if (w.slot >= IDENTITY_LIMIT) panic("page table above 4 GiB: not reachable through the early identity map");
  return w;
}

/** Replaces the 2 MiB page of the P2 entry at `p2e` by the P1 table `table` mapping the same frames. */
function splitHugePage(p2e: u64, table: u64): void {
  const entry = load64(p2e);
  const base = entry & ENTRY_HUGE_2M_ADDRESS_MASK;
  const pat: u64 = (entry & HUGE_PAT) !== 0n ? ENTRY_HUGE : 0n;
  const flags = (entry & ~(ENTRY_HUGE_2M_ADDRESS_MASK | ENTRY_HUGE | HUGE_PAT)) | pat;
  for (let i: u64 = 0n; i < ENTRIES_PER_TABLE; i++) store64(table + i * 8n, (base + i * CHUNK_SIZE) | flags);
  const tablePhysical = table - kernelVma();
  // One store switches the mapping: before and after it the same frames are mapped, so the
  // code and stack inside this 2 MiB (this very function's) keep running.
  store64(p2e, tablePhysical | (entry & (ENTRY_PRESENT | ENTRY_WRITABLE | ENTRY_USER)));
}

/** Unmaps the boot stack's guard page (idempotent). */
export function guardBootStack(): void {
  const guard = bootStackGuard();
  const p2 = walkEarly(guard, LEVEL_P2);
  if ((p2.entry & ENTRY_PRESENT) === 0n) panic("stack guard: the boot stack is not mapped");
  if ((p2.entry & ENTRY_HUGE) !== 0n) splitHugePage(p2.slot, guardPageTableAddress());
  store64(walkEarly(guard, LEVEL_P1).slot, 0n);
  writeCr3(readCr3()); // flush the TLB: the 2 MiB translation and the guard's
}

/** True when `addr` lies in the boot stack's guard page. */
export function inBootStackGuard(addr: u64): bool {
  const guard = bootStackGuard();
  return addr >= guard && addr < guard + CHUNK_SIZE;
}

/** True when [addr, addr + 16) lies within the boot stack. */
export function inBootStack(addr: u64): bool {
  return addr >= bootStackBottom() && addr <= bootStackTop() - 16n;
}
