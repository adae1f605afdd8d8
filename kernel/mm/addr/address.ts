// Addresses: the shared half of VirtualAddress and PhysicalAddress. The twins (in
// virtual.ts and physical.ts) supply only what differs: which values are valid, how a
// value is made valid, which contiguous segment a value lies in, and the print prefix.
import type { bool, u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import { Ordered } from "./ordered";

/** The largest u64. */
export const U64_MAX: u64 = 0xffff_ffff_ffff_ffffn;

/** True when `x` is a power of two (and so not zero). */
export function isPowerOfTwo(x: u64): bool {
  return x !== 0n && (x & (x - 1n)) === 0n;
}

/**
 * A memory address of one address space (`Self` is the concrete twin). A value class: it
 * costs exactly one u64. Invariant: the value is valid for its space (the twin's rule).
 * Arithmetic never leaves the segment of valid addresses it starts in: it returns null
 * instead of wrapping, overflowing or jumping over a hole of invalid addresses.
 */
export abstract class Address<Self extends Address<Self>> extends Ordered<Self> {
  /** Wraps a value the caller has checked; only the twins call it. */
  protected constructor(value: u64) {
    super(value);
  }

  /** The twin's checked constructor: `value` as an address, or null when invalid. */
  protected abstract make(value: u64): Self | null;

  /** Which contiguous segment of valid addresses `value` (a valid one) lies in. */
  protected abstract segment(value: u64): u64;

  /** The address as an integer. */
  value(): u64 {
    return this.key();
  }

  /** True when every address between this one and `other` is valid (no hole between). */
  sameSegment(other: Self): bool {
    return this.segment(this.value()) === this.segment(other.value());
  }

  /** This address plus `bytes`, or null when that leaves the segment or overflows. */
  add(bytes: u64): Self | null {
    if (bytes > U64_MAX - this.value()) return null;
    return this.inSegment(this.value() + bytes);
  }

  /** This address minus `bytes`, or null when that leaves the segment or goes below 0. */
  sub(bytes: u64): Self | null {
    if (bytes > this.value()) return null;
    return this.inSegment(this.value() - bytes);
  }

  /**
   * The bytes from `other` up to this address, or null when a hole of invalid addresses lies
   * between them (no count of bytes crosses the non-canonical hole, as no arithmetic does);
   * panics if `other` is above this one.
   */
  distanceFrom(other: Self): u64 | null {
    if (other.value() > this.value()) panic(`Address.distanceFrom: ${other} is above ${this}`);
    if (!this.sameSegment(other)) return null;
    return this.value() - other.value();
  }

  /** True when the address is a multiple of `align` (a power of two, else panic). */
  isAligned(align: u64): bool {
    checkAlignment(align, "Address.isAligned");
    return this.value() % align === 0n;
  }

  /** The highest multiple of `align` (a power of two) not above this, or null off-segment. */
  alignDown(align: u64): Self | null {
    checkAlignment(align, "Address.alignDown");
    return this.inSegment(this.value() - (this.value() % align));
  }

  /** The lowest multiple of `align` (a power of two) not below this, or null off-segment. */
  alignUp(align: u64): Self | null {
    checkAlignment(align, "Address.alignUp");
    const rest: u64 = this.value() % align;
    if (rest === 0n) return this.inSegment(this.value());
    return this.add(align - rest);
  }

  /** `value` as an address of this space in this address's segment, or null. */
  private inSegment(value: u64): Self | null {
    const a = this.make(value);
    if (a === null || !this.sameSegment(a)) return null;
    return a;
  }
}

/** Panics unless `align` is a power of two; `what` names the caller. */
function checkAlignment(align: u64, what: string): void {
  if (!isPowerOfTwo(align)) panic(`${what}: alignment ${align} is not a power of two`);
}
