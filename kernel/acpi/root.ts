// The root table the RSDP points to: the XSDT (64-bit entries) when the RSDP is ACPI 2.0+
// and gives one, else the RSDT (32-bit entries). Its entries are the physical addresses of
// the other tables; each listed table is checked (length, checksum) when it is looked up.
import { u64, type bool, type u32 } from "../lib/int";
import { load32 } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { loadU64 } from "../boot/multiboot2";
import type { AcpiRsdp } from "../boot/boot_tags";
import { readSdt, readSdtSigned, Sdt, SDT_HEADER_SIZE, SIGNATURE_RSDT, SIGNATURE_XSDT } from "./sdt";
import type { PhysicalWindow } from "./window";

/** The checked RSDT or XSDT. */
export class RootTable {
  readonly table: Sdt;
  /** True for the XSDT (8-byte entries), false for the RSDT (4-byte entries). */
  readonly extended: bool;
  /** Number of table addresses it lists. */
  readonly count: u64;

  constructor(table: Sdt, extended: bool, count: u64) {
    this.table = table;
    this.extended = extended;
    this.count = count;
  }

  /** Physical address of listed table `i` (0 <= i < count). */
  entry(i: u64): u64 {
    if (i >= this.count) panic(`ACPI root table: entry ${i} requested, it lists ${this.count}`);
    const at: u64 = this.table.at + SDT_HEADER_SIZE;
    return this.extended ? loadU64(at + i * 8n) : u64(load32(at + i * 4n));
  }

  /** The first listed table with `signature`, checked, or null when none has it. Every table read on the way is checked. */
  find(window: PhysicalWindow, signature: u32): Sdt | null {
    for (let i: u64 = 0n; i < this.count; i++) {
      const t = readSdt(window, this.entry(i), listedName(this.extended));
      if (t.signature === signature) return t;
    }
    return null;
  }
}

/** The root table of `rsdp`, checked: signature, length, checksum, a whole number of entries. */
export function readRootTable(rsdp: AcpiRsdp, window: PhysicalWindow): RootTable {
  const extended: bool = rsdp.revision >= 2 && rsdp.xsdt !== 0n;
  if (!extended && rsdp.rsdt === 0n) panic(`ACPI: the RSDP (revision ${rsdp.revision}) gives no RSDT and no XSDT`);
  const table = extended
    ? readSdtSigned(window, rsdp.xsdt, SIGNATURE_XSDT, "XSDT")
    : readSdtSigned(window, rsdp.rsdt, SIGNATURE_RSDT, "RSDT");
  const entrySize: u64 = extended ? 8n : 4n;
  const body: u64 = table.length - SDT_HEADER_SIZE;
  if (body % entrySize !== 0n) {
    panic(`ACPI: ${rootName(extended)} at p${hex(table.phys)} has length ${table.length}: its ${body} bytes of entries are not a whole number of ${entrySize}-byte addresses`);
  }
  return new RootTable(table, extended, body / entrySize);
}

/** "XSDT" or "RSDT". */
export function rootName(extended: bool): string {
  if (extended) return "XSDT";
  return "RSDT";
}

/** How a panic names a table the root lists. */
function listedName(extended: bool): string {
  if (extended) return "table listed in the XSDT";
  return "table listed in the RSDT";
}
