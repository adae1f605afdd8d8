// The W^X scan (as Linux's CONFIG_DEBUG_WX): walks every present entry of an address
// space's page tables and finds any mapping that is both writable and executable. A
// mapping's permissions are those of its whole path: writable only if every level allows
// writes, executable only if no level sets NX. Tables are read at physical + `offset`.
import type { bool, u64 } from "../../lib/int";
import { load64 } from "../../lib/intrinsics";
import { hex } from "../../lib/fmt";
import { panic } from "../../lib/panic";
import { Page, VirtualAddress } from "../addr";
import { ENTRY_ADDRESS_MASK, ENTRY_NO_EXECUTE, ENTRY_WRITABLE, ENTRIES_PER_TABLE, ENTRY_SIZE, isHuge, isPresent } from "../paging/entry";
import { LEVEL_P1, walk } from "../paging/walk";

/** What a scan found: the number of leaf mappings seen and the first W+X one. */
export class WxScan {
  readonly leaves: u64;
  readonly tables: u64;
  /** Virtual address of the first writable and executable mapping; NO_ADDRESS when none. */
  readonly offender: u64;
  readonly offenderSize: u64;

  constructor(leaves: u64, tables: u64, offender: u64, offenderSize: u64) {
    this.leaves = leaves;
    this.tables = tables;
    this.offender = offender;
    this.offenderSize = offenderSize;
  }
}

/** No offending address (a lower-half address the kernel never maps: the top of user space). */
export const NO_ADDRESS: u64 = 0x7fff_ffff_f000n;

const LEVEL_SHIFT: u64 = 9n;
const P1_SHIFT: u64 = 12n;

/** The canonical virtual address of P4 index i4 and the lower bits `rest`. */
function canonical(i4: u64, rest: u64): u64 {
  const v: u64 = (i4 << 39n) | rest;
  return i4 >= 256n ? v | 0xffff_0000_0000_0000n : v;
}

/** Accumulates a scan over one table level. */
class Scanner {
  leaves: u64 = 0n;
  tables: u64 = 0n;
  offender: u64 = NO_ADDRESS;
  offenderSize: u64 = 0n;
  readonly offset: u64;

  constructor(offset: u64) {
    this.offset = offset;
  }

  /** Scans the table at `phys` of `level` (4..1) for the addresses from `base`, inheriting W/X from above. */
  table(phys: u64, level: u64, base: u64, i4: u64, writable: bool, executable: bool): void {
    this.tables += 1n;
    const shift: u64 = P1_SHIFT + (level - 1n) * LEVEL_SHIFT;
    for (let i: u64 = 0n; i < ENTRIES_PER_TABLE; i++) {
      const e: u64 = load64(this.offset + phys + i * ENTRY_SIZE);
      if (!isPresent(e)) continue;
      const w: bool = writable && (e & ENTRY_WRITABLE) !== 0n;
      const x: bool = executable && (e & ENTRY_NO_EXECUTE) === 0n;
      const leaf: bool = level === 1n || (level !== 4n && isHuge(e));
      if (leaf) this.leaves += 1n;
      // The address is worked out only where it is needed (a test build's 4 KiB direct map has 1.3 M leaves at 5 GiB).
      if (leaf && !(w && x && this.offender === NO_ADDRESS)) continue;
      const top: u64 = level === 4n ? i : i4;
      const rest: u64 = level === 4n ? 0n : base | (i << shift);
      if (leaf) {
        this.offender = canonical(top, rest);
        this.offenderSize = 1n << shift;
        continue;
      }
      this.table(e & ENTRY_ADDRESS_MASK, level - 1n, rest, top, w, x);
    }
  }
}

/** Scans the page tables whose P4 lies at physical `p4`, reading tables at physical + `offset`. */
export function scanWritableExecutable(p4: u64, offset: u64): WxScan {
  const s = new Scanner(offset);
  s.table(p4, 4n, 0n, 0n, true, true);
  return new WxScan(s.leaves, s.tables, s.offender, s.offenderSize);
}

/** Panics naming the first writable and executable mapping of the tables at `p4`; returns the scan otherwise. */
export function checkNoWritableExecutable(p4: u64, offset: u64): WxScan {
  const scan = scanWritableExecutable(p4, offset);
  if (scan.offender !== NO_ADDRESS) panic(`W+X mapping at v${hex(scan.offender)} (${scan.offenderSize / 1024n} KiB): writable and executable (debug W^X scan)`);
  return scan;
}

/** Physical address of the leaf entry mapping `va` (a 4 KiB page) in the tables at `p4`, or 0 when there is none. */
export function leafEntrySlot(p4: u64, offset: u64, va: u64): u64 {
  const w = walk(p4, offset, Page.containing(VirtualAddress.canonical(va)), LEVEL_P1);
  return w.level === LEVEL_P1 && isPresent(w.entry) ? w.slot - offset : 0n;
}
