// System description tables (ACPI 6.5, section 5.2.6): every table after the RSDP starts
// with a 36-byte header (signature, length, revision, checksum, OEM ids). A table is read
// only after its length is checked (at least the header, at most SDT_MAX_LENGTH, wholly
// inside the physical window) and its bytes sum to 0 mod 256.
import { u64, type u32 } from "../lib/int";
import { load32 } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { checksumZero } from "../boot/boot_tags";
import type { PhysicalWindow } from "./window";

/** Bytes of the header every system description table starts with. */
export const SDT_HEADER_SIZE: u64 = 36n;
/** Largest table accepted: a MADT of 1,000 CPUs is 8 KiB; a length beyond this is garbage. */
export const SDT_MAX_LENGTH: u64 = 0x10_0000n;

/** Table signatures as little-endian u32s: "RSDT", "XSDT", "APIC" (the MADT). */
export const SIGNATURE_RSDT: u32 = 0x5444_5352;
export const SIGNATURE_XSDT: u32 = 0x5444_5358;
export const SIGNATURE_MADT: u32 = 0x4349_5041;

/** A checked table: where it is (physical, and virtual through the window), its length and signature. */
export class Sdt {
  readonly phys: u64;
  /** Virtual address of its first byte. */
  readonly at: u64;
  readonly length: u64;
  readonly signature: u32;

  constructor(phys: u64, at: u64, length: u64, signature: u32) {
    this.phys = phys;
    this.at = at;
    this.length = length;
    this.signature = signature;
  }
}

/** The table at physical `phys` (`what` names it in a panic), its length and checksum checked. */
export function readSdt(window: PhysicalWindow, phys: u64, what: string): Sdt {
  const head: u64 = window.reach(phys, SDT_HEADER_SIZE, what);
  const length: u64 = u64(load32(head + 4n));
  if (length < SDT_HEADER_SIZE) panic(`ACPI: ${what} at p${hex(phys)} has length ${length}, less than its 36-byte header`);
  if (length > SDT_MAX_LENGTH) panic(`ACPI: ${what} at p${hex(phys)} has length ${length}, more than the ${SDT_MAX_LENGTH} bytes any table needs`);
  const at: u64 = window.reach(phys, length, what);
  if (!checksumZero(at, length)) panic(`ACPI: ${what} at p${hex(phys)}: bad checksum over its ${length} bytes`);
  return new Sdt(phys, at, length, load32(at));
}

/** `readSdt`, then panics unless the signature is `signature`. */
export function readSdtSigned(window: PhysicalWindow, phys: u64, signature: u32, what: string): Sdt {
  const t = readSdt(window, phys, what);
  if (t.signature !== signature) panic(`ACPI: ${what} at p${hex(phys)} has signature ${hex(t.signature)}, expected ${hex(signature)} (little-endian ASCII)`);
  return t;
}
