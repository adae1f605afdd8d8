// Page-table entries of x86_64 4-level paging (Intel SDM vol. 3A, 4.5; AMD APM vol. 2,
// 5.3): one u64 per entry, 512 entries per 4 KiB table. Each bit the kernel uses is a named
// constant here; entries are handled as plain u64 (a table is raw memory).
import type { bool, u64 } from "../../lib/int";
import { Frame, PhysicalAddress } from "../addr";

/** Bit 0: the entry maps something (a table or a page); all other bits are ignored when clear. */
export const ENTRY_PRESENT: u64 = 1n << 0n;
/** Bit 1: writes allowed (with CR0.WP also for the kernel). In a table entry: for everything below. */
export const ENTRY_WRITABLE: u64 = 1n << 1n;
/** Bit 2: user mode (CPL 3) may access. The kernel never sets it yet. */
export const ENTRY_USER: u64 = 1n << 2n;
/** Bit 3: page-level write-through (PWT): a cache-mode bit. */
export const ENTRY_WRITE_THROUGH: u64 = 1n << 3n;
/** Bit 4: page-level cache disable (PCD): uncached, for device memory. */
export const ENTRY_CACHE_DISABLE: u64 = 1n << 4n;
/** Bit 5: set by the CPU on any access. */
export const ENTRY_ACCESSED: u64 = 1n << 5n;
/** Bit 6: set by the CPU on a write (leaf entries only). */
export const ENTRY_DIRTY: u64 = 1n << 6n;
/** Bit 7 in a P3 or P2 entry: maps a 1 GiB or 2 MiB page instead of pointing to a table (PS). */
export const ENTRY_HUGE: u64 = 1n << 7n;
/** Bit 8: global (kept in the TLB across CR3 writes when CR4.PGE is set; leaf entries only). */
export const ENTRY_GLOBAL: u64 = 1n << 8n;
/**
 * Bit 9 of a 4 KiB leaf: ignored by the CPU, present or not (SDM vol. 3A, table 4-20),
 * so free for software. Test builds' freed-frame checks (mm/debug) set it in the unmapped
 * direct-map entry of a frame they poisoned: the one per-frame record Keel keeps.
 */
export const ENTRY_POISONED: u64 = 1n << 9n;
/** Bit 63: no-execute (needs EFER.NXE, which entry32.S sets; else a reserved-bit fault). */
export const ENTRY_NO_EXECUTE: u64 = 1n << 63n;
/** Bits 51..12: the physical address of the table or 4 KiB page. */
export const ENTRY_ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000n;
/** Bits 51..21: the physical address of a 2 MiB page (bit 12 is its PAT bit). */
export const ENTRY_HUGE_2M_ADDRESS_MASK: u64 = 0x000f_ffff_ffe0_0000n;
/** Bits 51..30: the physical address of a 1 GiB page. */
export const ENTRY_HUGE_1G_ADDRESS_MASK: u64 = 0x000f_ffff_c000_0000n;
/** The flag bits a leaf mapping may carry (what PageFlags holds). */
export const ENTRY_FLAG_BITS: u64 = ENTRY_PRESENT | ENTRY_WRITABLE | ENTRY_USER | ENTRY_WRITE_THROUGH | ENTRY_CACHE_DISABLE | ENTRY_GLOBAL | ENTRY_NO_EXECUTE;
/** What an entry pointing to a lower table carries: present and writable (the leaf decides). */
export const TABLE_ENTRY_FLAGS: u64 = ENTRY_PRESENT | ENTRY_WRITABLE;

/**
 * Bits 61..52 of an entry that points to a table: ignored by the CPU (SDM vol. 3A, tables
 * 4-15..4-17), so Keel keeps there the number of present entries in that table (0..512):
 * emptiness is one load, never a scan of 512 entries. Leaf entries never carry it.
 */
export const ENTRY_COUNT_MASK: u64 = 0x3ffn << 52n;
/** One present entry in the lower table, as added to the entry pointing to it. */
export const ENTRY_COUNT_ONE: u64 = 1n << 52n;

/** Entries per table. */
export const ENTRIES_PER_TABLE: u64 = 512n;
/** Bytes per entry. */
export const ENTRY_SIZE: u64 = 8n;

/** True when the present bit is set. */
export function isPresent(entry: u64): bool {
  return (entry & ENTRY_PRESENT) !== 0n;
}

/** True when a P3/P2 entry maps a huge page. */
export function isHuge(entry: u64): bool {
  return (entry & ENTRY_HUGE) !== 0n;
}

/** The physical address a table entry or a 4 KiB leaf points to. */
export function entryAddress(entry: u64): u64 {
  return entry & ENTRY_ADDRESS_MASK;
}

/** The frame a table entry or a 4 KiB leaf points to (the first frame of a huge page's, by its mask). */
export function entryFrame(entry: u64): Frame {
  return Frame.containing(PhysicalAddress.canonical(entry & ENTRY_ADDRESS_MASK));
}

/** The number of present entries in the table a table entry points to (bits 61..52). */
export function entryCount(entry: u64): u64 {
  return (entry & ENTRY_COUNT_MASK) >> 52n;
}
