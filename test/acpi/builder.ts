// Hand-made ACPI tables for the Node tests: a system description table is a signature and a
// body; `bytes()` writes the 36-byte header (length and checksum computed, each overridable
// to build malformed tables). The MADT builder appends entries as the firmware lays them out.
import { Bytes, storeBytes } from "../boot/builder";

/** Sets byte `at` so that bytes [from, to) of `data` sum to 0 mod 256. */
export function fixChecksum(data: number[], at: number, from = 0, to = data.length): void {
  data[at] = 0;
  const sum = data.slice(from, to).reduce((a, b) => a + b, 0);
  data[at] = (256 - (sum % 256)) % 256;
}

/** A system description table with `signature` and `body`. */
export class TableBuilder {
  /** Overrides the length field (default: the real length). */
  length: number | null = null;
  /** Adds this to the checksum byte (0: a correct checksum). */
  checksumError = 0;

  constructor(readonly signature: string, readonly body: Bytes = new Bytes()) {}

  /** The table's bytes, header first. */
  bytes(): number[] {
    const total = 36 + this.body.data.length;
    const h = new Bytes();
    for (const c of this.signature) h.u8(c.charCodeAt(0));
    h.u32(this.length ?? total).u8(1).u8(0);
    for (const c of "KEELTS") h.u8(c.charCodeAt(0));
    for (const c of "KEELTEST") h.u8(c.charCodeAt(0));
    h.u32(1).u32(0).u32(1);
    const data = [...h.data, ...this.body.data];
    fixChecksum(data, 9);
    data[9] = (data[9]! + this.checksumError) & 0xff;
    return data;
  }

  /** Writes the table at physical `addr` of the simulated machine; returns `addr`. */
  store(addr: bigint): bigint {
    storeBytes(addr, this.bytes());
    return addr;
  }
}

/** A root table (RSDT with 4-byte, XSDT with 8-byte entries) listing `tables`. */
export function rootTable(extended: boolean, tables: bigint[]): TableBuilder {
  const body = new Bytes();
  for (const t of tables) {
    if (extended) body.u64(t);
    else body.u32(t);
  }
  return new TableBuilder(extended ? "XSDT" : "RSDT", body);
}

/** A MADT: local APIC address and flags, then entries appended by the methods. */
export class MadtBuilder {
  readonly entries = new Bytes();

  constructor(readonly localApic = 0xfee0_0000) {}

  /** A processor local APIC entry (type 0). */
  cpu(apicId: number, flags = 1, uid = apicId): this {
    this.entries.u8(0).u8(8).u8(uid).u8(apicId).u32(flags);
    return this;
  }

  /** A processor local x2APIC entry (type 9). */
  x2apic(apicId: number, flags = 1, uid = apicId): this {
    this.entries.u8(9).u8(16).u16(0).u32(apicId).u32(flags).u32(uid);
    return this;
  }

  /** An I/O APIC entry (type 1). */
  ioApic(id: number, address = 0xfec0_0000, gsiBase = 0): this {
    this.entries.u8(1).u8(12).u8(id).u8(0).u32(address).u32(gsiBase);
    return this;
  }

  /** A 64-bit local APIC address override (type 5). */
  override(address: bigint): this {
    this.entries.u8(5).u8(12).u16(0).u64(address);
    return this;
  }

  /** Raw bytes (a malformed or unknown entry). */
  raw(bytes: number[]): this {
    for (const b of bytes) this.entries.u8(b);
    return this;
  }

  /** The MADT as a table. */
  table(): TableBuilder {
    const body = new Bytes().u32(this.localApic).u32(1);
    body.data.push(...this.entries.data);
    return new TableBuilder("APIC", body);
  }
}

/** RSDP copies as GRUB's tags hold them: ACPI 1.0 (20 bytes) and 2.0+ (36 bytes), checksums right. */
export function rsdpBytes(revision: number, rsdt: bigint, xsdt: bigint): number[] {
  const b = new Bytes().u64(0x2052_5450_2044_5352n).u8(0);
  for (const c of "KEELTS") b.u8(c.charCodeAt(0));
  b.u8(revision).u32(rsdt);
  if (revision >= 2) b.u32(36).u64(xsdt).u8(0).pad(3);
  const data = b.data;
  fixChecksum(data, 8, 0, 20);
  if (revision >= 2) fixChecksum(data, 32, 0, 36);
  return data;
}
