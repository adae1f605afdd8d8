// One page table in memory: 512 u64 entries in a 4 KiB frame, reached at the frame's
// physical address plus an offset (the direct map once the kernel runs on its own tables,
// 0 through the boot stub's identity map while they are being built).
import { u64, wrappingAdd, type bool, type u32 } from "../../lib/int";
import { load64, store64 } from "../../lib/intrinsics";
import { panic } from "../../lib/panic";
import { zeroBytes } from "../../lib/zero";
import { ENTRIES_PER_TABLE, ENTRY_PRESENT, ENTRY_SIZE } from "./entry";

/** A page table: its frame's physical address and where the kernel sees that frame. A value class. */
export class PageTable {
  /** Physical address of the table (4 KiB aligned). */
  readonly phys: u64;
  /** Virtual address = physical + this. */
  readonly offset: u64;

  constructor(phys: u64, offset: u64) {
    if ((phys & 0xfffn) !== 0n) panic(`PageTable: table address ${phys} is not 4 KiB aligned`);
    this.phys = phys;
    this.offset = offset;
  }

  /** The virtual address of entry `index` (0..511). */
  entryAddress(index: u32): u64 {
    const i: u64 = u64(index);
    if (i >= ENTRIES_PER_TABLE) panic(`PageTable: entry index ${index} out of 512`);
    return this.phys + this.offset + i * ENTRY_SIZE;
  }

  /** Entry `index`. */
  get(index: u32): u64 {
    return load64(this.entryAddress(index));
  }

  /** Sets entry `index`. */
  set(index: u32, entry: u64): void {
    store64(this.entryAddress(index), entry);
  }

  /** Clears all 512 entries (lib/zero.ts: eight per step, nine instructions per eight entries). */
  zero(): void {
    zeroBytes(this.phys + this.offset, ENTRIES_PER_TABLE * ENTRY_SIZE);
  }

  /**
   * Clears every entry but those of `from`..+`count` (within the table), which the caller
   * writes next (zeroBytes works in 16-byte steps: an entry at either end of them may be
   * cleared too).
   */
  zeroAround(from: u32, count: u64): void {
    if (u64(from) + count > ENTRIES_PER_TABLE) panic(`PageTable.zeroAround: entries ${from}..+${count} leave the table`);
    const base: u64 = this.phys + this.offset;
    const keepStart: u64 = (u64(from) * ENTRY_SIZE + 15n) & ~15n;
    const keepEnd: u64 = ((u64(from) + count) * ENTRY_SIZE) & ~15n;
    if (keepEnd <= keepStart) {
      this.zero();
      return;
    }
    zeroBytes(base, keepStart);
    zeroBytes(base + keepEnd, ENTRIES_PER_TABLE * ENTRY_SIZE - keepEnd);
  }
}

/**
 * Stores `n` (at most 512) entries at `slot` onwards: `entry`, then each `step` above the one
 * before (a run of frames into an empty table). The caller has checked that the run stays in
 * one table and below the physical limit, so the slot and the entry advance by wrapping adds;
 * eight stores a step make it about two and a half instructions an entry (three with four a
 * step, five in a plain loop): a 1 TiB direct map is 1,024 entries.
 */
export function fillRun(slot: u64, entry: u64, step: u64, n: u64): void {
  if (n > ENTRIES_PER_TABLE) panic(`fillRun: ${n} entries do not fit in one table`);
  const step2: u64 = wrappingAdd(step, step);
  const step3: u64 = wrappingAdd(step2, step);
  const step4: u64 = wrappingAdd(step2, step2);
  const step5: u64 = wrappingAdd(step4, step);
  const step6: u64 = wrappingAdd(step4, step2);
  const step7: u64 = wrappingAdd(step4, step3);
  const step8: u64 = wrappingAdd(step4, step4);
  const eights: u64 = slot + (n & ~7n) * ENTRY_SIZE;
  let s: u64 = slot;
  let e: u64 = entry;
  while (s < eights) {
    store64(s, e);
    store64(wrappingAdd(s, 8n), wrappingAdd(e, step));
    store64(wrappingAdd(s, 16n), wrappingAdd(e, step2));
    store64(wrappingAdd(s, 24n), wrappingAdd(e, step3));
    store64(wrappingAdd(s, 32n), wrappingAdd(e, step4));
    store64(wrappingAdd(s, 40n), wrappingAdd(e, step5));
    store64(wrappingAdd(s, 48n), wrappingAdd(e, step6));
    store64(wrappingAdd(s, 56n), wrappingAdd(e, step7));
    s = wrappingAdd(s, 64n);
    e = wrappingAdd(e, step8);
  }
  const end: u64 = wrappingAdd(slot, n * ENTRY_SIZE);
  while (s < end) {
    store64(s, e);
    s = wrappingAdd(s, ENTRY_SIZE);
    e = wrappingAdd(e, step);
  }
}

/**
 * True when any of the `n` (at most 512) entries at `slot` onwards is present: the check
 * before a run goes into a table that already maps something (the kernel image's sections
 * share tables), eight entries ORed a step, so that an all-absent run is a fillRun.
 */
export function anyPresent(slot: u64, n: u64): bool {
  if (n > ENTRIES_PER_TABLE) panic(`anyPresent: ${n} entries do not fit in one table`);
  const eights: u64 = slot + (n & ~7n) * ENTRY_SIZE;
  const end: u64 = slot + n * ENTRY_SIZE;
  let bits: u64 = 0n;
  let s: u64 = slot;
  while (s < eights) {
    bits |= load64(s) | load64(wrappingAdd(s, 8n)) | load64(wrappingAdd(s, 16n)) | load64(wrappingAdd(s, 24n))
      | load64(wrappingAdd(s, 32n)) | load64(wrappingAdd(s, 40n)) | load64(wrappingAdd(s, 48n)) | load64(wrappingAdd(s, 56n));
    s = wrappingAdd(s, 64n);
  }
  while (s < end) {
    bits |= load64(s);
    s = wrappingAdd(s, ENTRY_SIZE);
  }
  return (bits & ENTRY_PRESENT) !== 0n;
}
