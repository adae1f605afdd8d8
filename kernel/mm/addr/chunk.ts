// Chunks: the shared half of Page and Frame, 4 KiB units of an address space identified
// by their number (start address / 4096). The twins supply the address constructor, the
// chunk constructor and the print format.
import type { bool, u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import type { Address } from "./address";
import { Ordered } from "./ordered";

/** log2 of the chunk size. */
export const CHUNK_SHIFT: u64 = 12n;
/** Bytes in a page or frame (4 KiB). */
export const CHUNK_SIZE: u64 = 4096n;
/** Chunk numbers never exceed this (the number of the chunk at 0xFFFF_FFFF_FFFF_F000). */
export const MAX_CHUNK_NUMBER: u64 = 0xf_ffff_ffff_ffffn;

/**
 * A 4 KiB chunk of the address space of `A` (`Self` is the concrete twin). A value class
 * costing one u64. Invariant: the chunk's start address is a valid `A`, so every byte of
 * the chunk is a valid `A` in the same segment.
 */
export abstract class Chunk<A extends Address<A>, Self extends Chunk<A, Self>> extends Ordered<Self> {
  /** Wraps a number the caller has checked; only the twins call it. */
  protected constructor(num: u64) {
    super(num);
  }

  /** The twin's checked address constructor (VirtualAddress.checked, …). */
  protected abstract address(value: u64): A | null;

  /** The twin's checked chunk constructor (Page.fromNumber, …). */
  protected abstract sibling(num: u64): Self | null;

  /** The chunk number: start address / 4096. */
  number(): u64 {
    return this.key();
  }

  /** The first address of the chunk (inclusive). */
  start(): A {
    return this.mustAddress(this.number() << CHUNK_SHIFT);
  }

  /**
   * The value of the first address, unchecked: the invariant says it is valid. (The mask
   * is that invariant spelled out, so gcc sees that the shift cannot overflow.)
   */
  startValue(): u64 {
    return (this.number() & MAX_CHUNK_NUMBER) << CHUNK_SHIFT;
  }

  /** The address just past the chunk (exclusive), or null past the end of the segment. */
  end(): A | null {
    return this.lastAddress().add(1n);
  }

  /** The last address of the chunk (inclusive): always valid. */
  lastAddress(): A {
    return this.mustAddress((this.number() << CHUNK_SHIFT) + (CHUNK_SIZE - 1n));
  }

  /** True when `addr` lies in this chunk. */
  contains(addr: A): bool {
    return addr.value() >> CHUNK_SHIFT === this.number();
  }

  /** The next chunk, or null at the end of the segment (top of the address space). */
  next(): Self | null {
    return this.add(1n);
  }

  /** The previous chunk, or null at the start of the segment. */
  prev(): Self | null {
    return this.sub(1n);
  }

  /** The chunk `count` chunks above, or null when that leaves the segment. */
  add(count: u64): Self | null {
    if (count > MAX_CHUNK_NUMBER) return null;
    const a = this.start().add(count << CHUNK_SHIFT);
    return a === null ? null : this.sibling(a.value() >> CHUNK_SHIFT);
  }

  /** The chunk `count` chunks below, or null when that leaves the segment. */
  sub(count: u64): Self | null {
    if (count > MAX_CHUNK_NUMBER) return null;
    const a = this.start().sub(count << CHUNK_SHIFT);
    return a === null ? null : this.sibling(a.value() >> CHUNK_SHIFT);
  }

  /** The address `value`, which the invariant says is valid. */
  private mustAddress(value: u64): A {
    const a = this.address(value);
    if (a === null) return panic(`Chunk: address ${value} of chunk ${this.number()} is invalid`);
    return a;
  }
}
