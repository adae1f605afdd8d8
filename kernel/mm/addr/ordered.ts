// Totally ordered value classes wrapping one u64: the common root of addresses and chunks,
// so their equality and ordering are written once.
import type { bool, i32, u64 } from "../../lib/int";

/** A value class of one u64 key, ordered by it (`Self` is the concrete class). */
export abstract class Ordered<Self extends Ordered<Self>> {
  private readonly k: u64;

  protected constructor(key: u64) {
    this.k = key;
  }

  /** The key: an address's value, a chunk's number. */
  protected key(): u64 {
    return this.k;
  }

  /** True when both have the same key. */
  equals(other: Self): bool {
    return this.k === other.key();
  }

  /** -1, 0 or 1 as this is below, equal to or above `other`. */
  compare(other: Self): i32 {
    if (this.k < other.key()) return -1;
    return this.k === other.key() ? 0 : 1;
  }

  /** True when this is below `other`. */
  lt(other: Self): bool {
    return this.k < other.key();
  }

  /** True when this is below or equal to `other`. */
  le(other: Self): bool {
    return this.k <= other.key();
  }
}
