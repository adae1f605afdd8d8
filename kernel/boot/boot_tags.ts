// The smaller multiboot2 tags: modules (3), basic meminfo (4), framebuffer (8), ACPI RSDP
// copies (14 old, 15 new), load base address (21). Each reader takes the tag's address
// (found by the one tag walk in boot_info.ts) and checks the tag is big enough for the
// fields it reads; a malformed tag panics naming the tag and its address.
import { u32, u64, type bool, type u8 } from "../lib/int";
import { load8, load32 } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { loadU64, requireTagSize } from "./multiboot2";
import { PhysRegion } from "./memory_map";

/** A boot module: its tag (for the name string at offset 16) and its bytes. */
export class BootModule {
  readonly tag: u64;
  readonly start: u64;
  /** End address, exclusive (GRUB: start + size). */
  readonly end: u64;

  constructor(tag: u64, start: u64, end: u64) {
    this.tag = tag;
    this.start = start;
    this.end = end;
  }

  /** The module's bytes, or null for an empty module. */
  region(): PhysRegion | null {
    return this.end === this.start ? null : new PhysRegion(this.start, this.end - 1n);
  }
}

/** The module tag at `tag`; panics when it is short or its end lies below its start. */
export function readModuleTag(tag: u64): BootModule {
  requireTagSize(tag, 17n, "module");
  const start: u64 = u64(load32(tag + 8n));
  const end: u64 = u64(load32(tag + 12n));
  if (end < start) panic(`module tag at ${hex(tag)}: end ${hex(end)} is below start ${hex(start)}`);
  return new BootModule(tag, start, end);
}

/** Basic memory information: KiB of lower (below 640 KiB) and upper (from 1 MiB) memory. */
export class BasicMeminfo {
  readonly lowerKiB: u64;
  readonly upperKiB: u64;

  constructor(lowerKiB: u64, upperKiB: u64) {
    this.lowerKiB = lowerKiB;
    this.upperKiB = upperKiB;
  }
}

/** The basic meminfo tag at `tag`, or null when `tag` is 0 (no such tag). */
export function readBasicMeminfoTag(tag: u64): BasicMeminfo | null {
  if (tag === 0n) return null;
  requireTagSize(tag, 16n, "basic meminfo");
  return new BasicMeminfo(u64(load32(tag + 8n)), u64(load32(tag + 12n)));
}

/** The framebuffer GRUB set up: address, pitch, size, bits per pixel and type (0 indexed, 1 RGB, 2 EGA text). */
export class Framebuffer {
  readonly address: u64;
  readonly pitch: u32;
  readonly width: u32;
  readonly height: u32;
  readonly bpp: u8;
  readonly type: u8;

  constructor(address: u64, pitch: u32, width: u32, height: u32, bpp: u8, type: u8) {
    this.address = address;
    this.pitch = pitch;
    this.width = width;
    this.height = height;
    this.bpp = bpp;
    this.type = type;
  }
}

/** The framebuffer tag at `tag`, or null when `tag` is 0. */
export function readFramebufferTag(tag: u64): Framebuffer | null {
  if (tag === 0n) return null;
  requireTagSize(tag, 30n, "framebuffer");
  return new Framebuffer(loadU64(tag + 8n), load32(tag + 16n), load32(tag + 20n), load32(tag + 24n), load8(tag + 28n), load8(tag + 29n));
}

/** GRUB's copy of the ACPI RSDP: the revision and the root table addresses. */
export class AcpiRsdp {
  /** 0 for ACPI 1.0 (tag 14), 2 or more for ACPI 2.0+ (tag 15). */
  readonly revision: u8;
  readonly rsdt: u64;
  /** The XSDT's address; 0 for revision 0. */
  readonly xsdt: u64;

  constructor(revision: u8, rsdt: u64, xsdt: u64) {
    this.revision = revision;
    this.rsdt = rsdt;
    this.xsdt = xsdt;
  }
}

/** Bytes of the RSDP structure: ACPI 1.0, and 2.0+ with its extension. */
const RSDP_V1_SIZE: u64 = 20n;
const RSDP_V2_SIZE: u64 = 36n;

/**
 * The RSDP from the new (15) tag `newTag` if not 0, else the old (14) `oldTag`, else null.
 * Panics when the copy is short, lacks the "RSD PTR " signature, or fails its checksum.
 */
export function readAcpiRsdpTags(newTag: u64, oldTag: u64): AcpiRsdp | null {
  if (newTag !== 0n) {
    requireTagSize(newTag, 8n + RSDP_V2_SIZE, "ACPI new RSDP");
    checkRsdp(newTag, RSDP_V2_SIZE);
    return new AcpiRsdp(load8(newTag + 8n + 15n), u64(load32(newTag + 8n + 16n)), loadU64(newTag + 8n + 24n));
  }
  if (oldTag === 0n) return null;
  requireTagSize(oldTag, 8n + RSDP_V1_SIZE, "ACPI old RSDP");
  checkRsdp(oldTag, RSDP_V1_SIZE);
  return new AcpiRsdp(load8(oldTag + 8n + 15n), u64(load32(oldTag + 8n + 16n)), 0n);
}

/** "RSD PTR " as a little-endian u64. */
const RSDP_SIGNATURE: u64 = 0x2052_5450_2044_5352n;

/** Panics unless the RSDP copy in `tag` has its signature and its bytes sum to 0 mod 256. */
function checkRsdp(tag: u64, length: u64): void {
  const at: u64 = tag + 8n;
  if (loadU64(at) !== RSDP_SIGNATURE) panic(`ACPI RSDP tag at ${hex(tag)} lacks the "RSD PTR " signature`);
  if (!checksumZero(at, RSDP_V1_SIZE)) panic(`ACPI RSDP tag at ${hex(tag)}: bad checksum over the first 20 bytes`);
  if (length > RSDP_V1_SIZE && !checksumZero(at, length)) panic(`ACPI RSDP tag at ${hex(tag)}: bad extended checksum over ${length} bytes`);
}

/** True when the `length` bytes at `at` sum to 0 modulo 256 (the checksum rule of every ACPI structure). */
export function checksumZero(at: u64, length: u64): bool {
  let sum: u32 = 0;
  for (let i: u64 = 0n; i < length; i++) sum = (sum + u32(load8(at + i))) & 0xff;
  return sum === 0;
}

/** The physical address GRUB loaded the image at (tag 21 at `tag`), or 0 when `tag` is 0. */
export function readLoadBaseTag(tag: u64): u64 {
  if (tag === 0n) return 0n;
  requireTagSize(tag, 12n, "load base address");
  return u64(load32(tag + 8n));
}
