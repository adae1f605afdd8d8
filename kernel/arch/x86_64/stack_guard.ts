// The boot stack's guard page: __boot_stack_guard, the page below the stack, is made
// not-present so that an overflow faults (and, as the fault cannot push its frame on the
// broken stack, becomes a double fault reported from its own IST stack).
//
// The early tables (boot/entry32.S) map with 2 MiB pages. This splits the one holding the
// guard into 512 4 KiB pages (a P1 table from boot/exceptions.S's .bss) that map the same
// frames with the same flags, except the guard page, which is left unmapped. Done here in
// TypeScript rather than in the 32-bit boot code: the walk is checked (an unexpected table
// layout panics with its file:line), it is the page-table code the mapper will subsume,
// and the boot assembly stays as it was. The walk reads the tables through the early
// identity map of the first 4 GiB, where they live. The P2 table is shared by the identity
// and higher-half maps, so the page is unmapped in both.
import type { bool, u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import {
  bootStackBottom, bootStackGuard, bootStackTop, guardPageTableAddress, kernelVma, load64, readCr3, store64, writeCr3,
} from "../../lib/intrinsics";
import { IDENTITY_LIMIT } from "../../mm/addr";

const PAGE_SIZE: u64 = 0x1000n;
const ENTRIES: u64 = 512n;
const PRESENT: u64 = 1n << 0n;
const WRITABLE: u64 = 1n << 1n;
const USER: u64 = 1n << 2n;
const HUGE: u64 = 1n << 7n;
/** PAT bit of a 2 MiB entry (bit 7 in a 4 KiB entry). */
const HUGE_PAT: u64 = 1n << 12n;
const ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000n;
const HUGE_ADDRESS_MASK: u64 = 0x000f_ffff_ffe0_0000n;

/** Address of the entry for `virt` in the table at physical `table` (read through the identity map). */
function entryAddress(table: u64, virt: u64, shift: u64): u64 {
  if (table >= IDENTITY_LIMIT) panic("page table above 4 GiB: not reachable through the early identity map");
  return table + ((virt >> shift) & (ENTRIES - 1n)) * 8n;
}

/** The P2 entry's address for `virt`; panics unless P4 and P3 map it with tables. */
function p2EntryAddress(virt: u64): u64 {
  const p4e = load64(entryAddress(readCr3() & ADDRESS_MASK, virt, 39n));
  if ((p4e & PRESENT) === 0n) panic("stack guard: no P3 table for the boot stack");
  const p3e = load64(entryAddress(p4e & ADDRESS_MASK, virt, 30n));
  if ((p3e & PRESENT) === 0n) panic("stack guard: no P2 table for the boot stack");
  if ((p3e & HUGE) !== 0n) panic("stack guard: the boot stack is in a 1 GiB page");
  return entryAddress(p3e & ADDRESS_MASK, virt, 21n);
}

/** Replaces the 2 MiB page of the P2 entry at `p2e` by the P1 table `table` mapping the same frames. */
function splitHugePage(p2e: u64, table: u64): void {
  const entry = load64(p2e);
  const base = entry & HUGE_ADDRESS_MASK;
  const pat: u64 = (entry & HUGE_PAT) !== 0n ? HUGE : 0n;
  const flags = (entry & ~(HUGE_ADDRESS_MASK | HUGE | HUGE_PAT)) | pat;
  for (let i: u64 = 0n; i < ENTRIES; i++) store64(table + i * 8n, (base + i * PAGE_SIZE) | flags);
  const tablePhysical = table - kernelVma();
  // One store switches the mapping: before and after it the same frames are mapped, so the
  // code and stack inside this 2 MiB (this very function's) keep running.
  store64(p2e, tablePhysical | (entry & (PRESENT | WRITABLE | USER)));
}

/** Unmaps the boot stack's guard page (idempotent). */
export function guardBootStack(): void {
  const guard = bootStackGuard();
  const p2e = p2EntryAddress(guard);
  const entry = load64(p2e);
  if ((entry & PRESENT) === 0n) panic("stack guard: the boot stack is not mapped");
  if ((entry & HUGE) !== 0n) splitHugePage(p2e, guardPageTableAddress());
  const p1 = load64(p2e) & ADDRESS_MASK;
  store64(entryAddress(p1, guard, 12n), 0n);
  writeCr3(readCr3()); // flush the TLB: the 2 MiB translation and the guard's
}

/** True when `addr` lies in the boot stack's guard page. */
export function inBootStackGuard(addr: u64): bool {
  const guard = bootStackGuard();
  return addr >= guard && addr < guard + PAGE_SIZE;
}

/** True when [addr, addr + 16) lies within the boot stack. */
export function inBootStack(addr: u64): bool {
  return addr >= bootStackBottom() && addr <= bootStackTop() - 16n;
}
