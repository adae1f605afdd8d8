// The virtual twins: VirtualAddress, Page, PageRange. Only what differs from the
// physical twins is here (the canonical rule, page-table indices, print formats); the
// shared behaviour is in address.ts, chunk.ts and range.ts.
import type { bool, u32 } from "../../lib/int";
import { truncU32, u64, wrappingSub } from "../../lib/int";
import { hex } from "../../lib/fmt";
import { Address } from "./address";
import { CHUNK_SHIFT, Chunk, MAX_CHUNK_NUMBER } from "./chunk";
import { ChunkRange } from "./range";

/** Bit 47: copied into bits 63..48 of a canonical address. */
const SIGN_BIT: u64 = 0x0000_8000_0000_0000n;
/** Bits 47..0: what a canonical address carries. */
const LOW_BITS: u64 = 0x0000_ffff_ffff_ffffn;
/** Bits 63..48: all set in the higher half. */
const HIGH_BITS: u64 = 0xffff_0000_0000_0000n;
/** Bits 63..47 of a canonical higher-half address, shifted down: seventeen ones. */
const HIGHER_HALF_TOP: u64 = 0x1_ffffn;
/** Entries per page table: each index has 9 bits. */
const INDEX_MASK: u64 = 0x1ffn;
/** Table indices are below this. */
const INDEX_LIMIT: u32 = 512;

/**
 * A canonical x86_64 virtual address. Invariant: bits 63..47 are all equal. Segments are
 * the lower half (0..=0x7fff_ffff_ffff) and the higher half (0xffff_8000_0000_0000..).
 */
export class VirtualAddress extends Address<VirtualAddress> {
  /** `value` as an address, or null unless bits 63..47 are all equal. */
  static checked(value: u64): VirtualAddress | null {
    const top: u64 = value >> 47n;
    return top === 0n || top === HIGHER_HALF_TOP ? new VirtualAddress(value) : null;
  }

  /** `value` made canonical: bit 47 copied into bits 63..48. */
  static canonical(value: u64): VirtualAddress {
    return new VirtualAddress((value & SIGN_BIT) === 0n ? value & LOW_BITS : value | HIGH_BITS);
  }

  protected override make(value: u64): VirtualAddress | null {
    return VirtualAddress.checked(value);
  }

  protected override segment(value: u64): u64 {
    return value >> 63n;
  }

  /** `v0x5000`. */
  override toString(): string {
    return `v${hex(this.value())}`;
  }
}

/** A 4 KiB page of virtual memory. Invariant: its start address is canonical. */
export class Page extends Chunk<VirtualAddress, Page> {
  /** The page holding `addr`. */
  static containing(addr: VirtualAddress): Page {
    return new Page(addr.value() >> CHUNK_SHIFT);
  }

  /** The page numbered `num`, or null when its start address is not canonical. */
  static fromNumber(num: u64): Page | null {
    if (num > MAX_CHUNK_NUMBER) return null;
    const start = VirtualAddress.checked(num << CHUNK_SHIFT);
    return start === null ? null : Page.containing(start);
  }

  /**
   * The page with these table indices (P4, P3, P2, P1), or null unless each is below 512.
   * P4 indices from 256 on give the higher half (bit 47 copied into bits 63..48).
   */
  static fromIndices(p4: u32, p3: u32, p2: u32, p1: u32): Page | null {
    if (p4 >= INDEX_LIMIT || p3 >= INDEX_LIMIT || p2 >= INDEX_LIMIT || p1 >= INDEX_LIMIT) return null;
    return Page.containing(VirtualAddress.canonical((u64(p4) << 39n) | (u64(p3) << 30n) | (u64(p2) << 21n) | (u64(p1) << 12n)));
  }

  protected override address(value: u64): VirtualAddress | null {
    return VirtualAddress.checked(value);
  }

  protected override sibling(num: u64): Page | null {
    return Page.fromNumber(num);
  }

  /**
   * Index into the table of `level` (4: P4, 3: P3, 2: P2, 1: P1; no other): address bits
   * 20..12 shifted up 9 per level. Written without checks (the shift of levels 1..4 is 0..27;
   * the mask only tells gcc it is below 64): it sits in every page-table walk.
   */
  tableIndex(level: u32): u32 {
    return truncU32((this.number() >> (wrappingSub(u64(level) * 9n, 9n) & 63n)) & INDEX_MASK);
  }

  /** Index into the P4 (PML4) table: address bits 47..39. */
  p4Index(): u32 {
    return truncU32((this.number() >> 27n) & INDEX_MASK);
  }

  /** Index into the P3 table: address bits 38..30. */
  p3Index(): u32 {
    return truncU32((this.number() >> 18n) & INDEX_MASK);
  }

  /** Index into the P2 table: address bits 29..21. */
  p2Index(): u32 {
    return truncU32((this.number() >> 9n) & INDEX_MASK);
  }

  /** Index into the P1 table: address bits 20..12. */
  p1Index(): u32 {
    return truncU32(this.number() & INDEX_MASK);
  }

  /** `Page(v0x5000)`. */
  override toString(): string {
    return `Page(${this.start()})`;
  }
}

/** An inclusive range of pages; see ChunkRange. Never crosses the non-canonical hole. */
export class PageRange extends ChunkRange<VirtualAddress, Page, PageRange> {
  /** The empty range. */
  static empty(): PageRange {
    return new PageRange(0n, 0n);
  }

  /** Pages `first` to `last` inclusive (empty when `last` is below `first`). */
  static of(first: Page, last: Page): PageRange {
    return PageRange.empty().between(first, last);
  }

  protected override make(first: u64, count: u64): PageRange {
    return new PageRange(first, count);
  }

  protected override chunk(num: u64): Page | null {
    return Page.fromNumber(num);
  }
}

/** True when `value` is a canonical virtual address (bits 63..47 all equal). */
export function isCanonicalVirtual(value: u64): bool {
  return VirtualAddress.checked(value) !== null;
}
