// The MADT ("APIC", ACPI 6.5 section 5.2.12): the local APIC's address, then a list of
// variable-length entries: processor local APICs (type 0), I/O APICs (1), a 64-bit local
// APIC address override (5), processor local x2APICs (9), and others the kernel skips.
// Every entry is checked before it is read (at least its type's size, wholly inside the
// table); the processors are collected in the table's order (the firmware lists the boot
// CPU first).
import { u32, u64, type bool, type u8 } from "../lib/int";
import { load8, load32 } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { U32Array } from "../lib/fixed_array";
import { loadU64 } from "../boot/multiboot2";
import type { Sdt } from "./sdt";

/** Offsets in the MADT: the 32-bit local APIC address, the flags, the first entry. */
const MADT_LOCAL_APIC: u64 = 36n;
const MADT_ENTRIES: u64 = 44n;

/** Entry types the kernel reads. */
export const ENTRY_LOCAL_APIC: u8 = 0;
export const ENTRY_IO_APIC: u8 = 1;
export const ENTRY_LOCAL_APIC_OVERRIDE: u8 = 5;
export const ENTRY_LOCAL_X2APIC: u8 = 9;

/** Processor flags (local APIC and x2APIC entries). */
export const CPU_ENABLED: u32 = 1;
export const CPU_ONLINE_CAPABLE: u32 = 2;

/** The smallest valid length of an entry of `type` (2, its header, for types the kernel skips). */
function minimumLength(type: u8): u64 {
  if (type === ENTRY_LOCAL_APIC) return 8n;
  if (type === ENTRY_IO_APIC) return 12n;
  if (type === ENTRY_LOCAL_APIC_OVERRIDE) return 12n;
  if (type === ENTRY_LOCAL_X2APIC) return 16n;
  return 2n;
}

/** True for the entry types that describe a processor. */
function isProcessor(type: u8): bool {
  return type === ENTRY_LOCAL_APIC || type === ENTRY_LOCAL_X2APIC;
}

/** The processors and interrupt controllers a MADT lists. */
export class Madt {
  /** Physical address of the table. */
  readonly phys: u64;
  /** Physical address of every CPU's local APIC (the override's when there is one). */
  readonly localApic: u64;
  /** True when a type 5 entry overrode the 32-bit address. */
  readonly overridden: bool;
  /** APIC ids and flags (CPU_ENABLED, CPU_ONLINE_CAPABLE) of the processors, in the table's order. */
  readonly apicIds: U32Array;
  readonly flags: U32Array;
  readonly ioApics: u32;

  constructor(phys: u64, localApic: u64, overridden: bool, apicIds: U32Array, flags: U32Array, ioApics: u32) {
    this.phys = phys;
    this.localApic = localApic;
    this.overridden = overridden;
    this.apicIds = apicIds;
    this.flags = flags;
    this.ioApics = ioApics;
  }

  /** Number of processors listed, enabled or not. */
  cpuCount(): u32 {
    return this.apicIds.length();
  }

  /** True when processor `i` is enabled (the firmware started it: it can be brought up). */
  enabled(i: u32): bool {
    return (this.flags.get(i) & CPU_ENABLED) !== 0;
  }

  /** Number of processors listed as not enabled. */
  disabledCount(): u32 {
    let n: u32 = 0;
    for (let i: u32 = 0; i < this.cpuCount(); i++) if (!this.enabled(i)) n++;
    return n;
  }
}

/**
 * Steps from the entry at `offset` of `madt` to the next one, checking the entry at
 * `offset` first: its header inside the table, its length at least its type's size and
 * not past the table's end. Returns the next entry's offset.
 */
function nextEntry(madt: Sdt, offset: u64): u64 {
  if (madt.length - offset < 2n) panic(`ACPI: MADT at p${hex(madt.phys)}: entry at offset ${offset} has no room for its 2-byte header (table length ${madt.length})`);
  const type: u8 = load8(madt.at + offset);
  const length: u64 = u64(load8(madt.at + offset + 1n));
  const minimum: u64 = minimumLength(type);
  if (length < minimum) panic(`ACPI: MADT at p${hex(madt.phys)}: entry of type ${type} at offset ${offset} has length ${length}, less than its ${minimum} bytes`);
  if (length > madt.length - offset) panic(`ACPI: MADT at p${hex(madt.phys)}: entry of type ${type} at offset ${offset} (length ${length}) runs past the table's end (length ${madt.length})`);
  return offset + length;
}

/** Parses the checked MADT `madt`: every entry checked, the processors collected. */
export function parseMadt(madt: Sdt): Madt {
  if (madt.length < MADT_ENTRIES) panic(`ACPI: MADT at p${hex(madt.phys)} has length ${madt.length}, less than the ${MADT_ENTRIES} bytes before its entries`);
  let cpus: u32 = 0;
  let ioApics: u32 = 0;
  let localApic: u64 = u64(load32(madt.at + MADT_LOCAL_APIC));
  let overridden: bool = false;
  for (let offset: u64 = MADT_ENTRIES; offset < madt.length; ) {
    const next: u64 = nextEntry(madt, offset);
    const type: u8 = load8(madt.at + offset);
    if (isProcessor(type)) cpus++;
    if (type === ENTRY_IO_APIC) ioApics++;
    if (type === ENTRY_LOCAL_APIC_OVERRIDE && !overridden) {
      localApic = loadU64(madt.at + offset + 4n);
      overridden = true;
    }
    offset = next;
  }
  const apicIds = new U32Array(cpus, 0);
  const flags = new U32Array(cpus, 0);
  let k: u32 = 0;
  for (let offset: u64 = MADT_ENTRIES; offset < madt.length; offset = nextEntry(madt, offset)) {
    const at: u64 = madt.at + offset;
    const type: u8 = load8(at);
    if (type === ENTRY_LOCAL_APIC) {
      apicIds.set(k, u32(load8(at + 3n)));
      flags.set(k, load32(at + 4n));
      k++;
    } else if (type === ENTRY_LOCAL_X2APIC) {
      apicIds.set(k, load32(at + 4n));
      flags.set(k, load32(at + 8n));
      k++;
    }
  }
  return new Madt(madt.phys, localApic, overridden, apicIds, flags, ioApics);
}
