// Ranges: the shared half of PageRange and FrameRange, runs of contiguous chunks that are
// inclusive at both ends. Stored as (first chunk number, count), so the empty range is
// explicit (count 0) and nothing overflows at the top of the address space. The twins
// supply the range and chunk constructors.
import type { bool, u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import { rangeIterator } from "../../lib/iter";
import type { Address } from "./address";
import { CHUNK_SHIFT, CHUNK_SIZE, MAX_CHUNK_NUMBER, type Chunk } from "./chunk";

/**
 * An inclusive range of chunks `C` of address space `A` (`Self` is the concrete twin).
 * A value class of two u64. Invariant: either empty (count 0, first 0), or every chunk
 * from `first` to `first + count - 1` is a valid `C`, all in one segment.
 */
export abstract class ChunkRange<A extends Address<A>, C extends Chunk<A, C>, Self extends ChunkRange<A, C, Self>> {
  private readonly first: u64;
  private readonly count: u64;

  /** Wraps numbers the caller has checked; only the twins call it. */
  protected constructor(first: u64, count: u64) {
    this.first = first;
    this.count = count;
  }

  /** The twin's range constructor, unchecked (`withNumbers` checks). */
  protected abstract make(first: u64, count: u64): Self;

  /** The twin's checked chunk constructor (Page.fromNumber, …). */
  protected abstract chunk(num: u64): C | null;

  /** The range of `first` to `last` inclusive; empty when `last` is below `first`. */
  between(first: C, last: C): Self {
    if (last.lt(first)) return this.make(0n, 0n);
    if (!first.start().sameSegment(last.start())) panic(`ChunkRange: ${first} and ${last} lie on both sides of an address hole`);
    return this.make(first.number(), last.number() - first.number() + 1n);
  }

  /** The range of `count` chunks from chunk number `first`; panics if any is invalid. */
  withNumbers(first: u64, count: u64): Self {
    if (count === 0n) return this.make(0n, 0n);
    if (count === 1n) return this.single(first);
    if (first > MAX_CHUNK_NUMBER || count - 1n > MAX_CHUNK_NUMBER - first) panic(`ChunkRange.withNumbers: ${count} chunks from ${first} pass the top`);
    const start = this.chunk(first);
    const end = this.chunk(first + (count - 1n));
    if (start === null || end === null) return panic(`ChunkRange.withNumbers: ${count} chunks from ${first} include an invalid chunk`);
    return this.between(start, end);
  }

  /** The range of the one chunk numbered `num`; panics if it is invalid. (The allocators' common case: no segment to compare.) */
  single(num: u64): Self {
    if (this.chunk(num) === null) return panic(`ChunkRange.single: chunk ${num} is invalid`);
    return this.make(num, 1n);
  }

  /** The chunks holding the `bytes` bytes from `start`, or null when they leave the segment. */
  covering(start: A, bytes: u64): Self | null {
    if (bytes === 0n) return this.make(0n, 0n);
    const last = start.add(bytes - 1n);
    if (last === null) return null;
    const first: u64 = start.value() >> CHUNK_SHIFT;
    return this.make(first, (last.value() >> CHUNK_SHIFT) - first + 1n);
  }

  /** True when the range holds no chunk. */
  isEmpty(): bool {
    return this.count === 0n;
  }

  /** The first chunk, or null when empty. */
  start(): C | null {
    return this.count === 0n ? null : this.chunkAt(this.first);
  }

  /** The last chunk (inclusive), or null when empty. */
  end(): C | null {
    return this.count === 0n ? null : this.chunkAt(this.last());
  }

  /** The number of the first chunk (0 when empty). */
  firstNumber(): u64 {
    return this.first;
  }

  /** The number of the last chunk (inclusive); panics when empty. */
  lastNumber(): u64 {
    if (this.count === 0n) panic("ChunkRange.lastNumber: the range is empty");
    return this.last();
  }

  /** Number of chunks. */
  sizeInChunks(): u64 {
    return this.count;
  }

  /** Number of bytes: chunks * 4096. */
  sizeInBytes(): u64 {
    return this.count * CHUNK_SIZE;
  }

  /** True when `addr` lies in one of the chunks. */
  contains(addr: A): bool {
    return this.holds(addr.value() >> CHUNK_SHIFT);
  }

  /** True when `chunk` is one of the chunks. */
  containsChunk(chunk: C): bool {
    return this.holds(chunk.number());
  }

  /** True when every chunk of `other` is in this range (always for an empty `other`). */
  containsRange(other: Self): bool {
    if (other.isEmpty()) return true;
    return this.holds(other.firstNumber()) && this.holds(other.lastNumber());
  }

  /** The chunks in both ranges, or null when they share none. */
  overlap(other: Self): Self | null {
    if (this.count === 0n || other.isEmpty()) return null;
    const lo: u64 = this.first > other.firstNumber() ? this.first : other.firstNumber();
    const hi: u64 = this.last() < other.lastNumber() ? this.last() : other.lastNumber();
    return lo > hi ? null : this.make(lo, hi - lo + 1n);
  }

  /** True when both hold the same chunks. */
  equals(other: Self): bool {
    return this.count === other.sizeInChunks() && this.first === other.firstNumber();
  }

  /** Iteration length for `for…of`. */
  iterLength(): u64 {
    return this.count;
  }

  /** The i-th chunk, for `for…of` (0 <= i < iterLength()). */
  iterAt(i: u64): C {
    if (i >= this.count) panic(`ChunkRange.iterAt: index ${i} out of ${this.count}`);
    return this.chunkAt(this.first + i);
  }

  /** Node iteration (keelc ignores it and lowers for…of to a counted loop). */
  [Symbol.iterator](): Iterator<C> {
    return rangeIterator<C>(this);
  }

  /** `v0x5000..=v0x7fff`: first to last address; `empty` for the empty range. */
  toString(): string {
    if (this.count === 0n) return "empty";
    return `${this.chunkAt(this.first).start()}..=${this.chunkAt(this.last()).lastAddress()}`;
  }

  /** True when chunk number `num` is in the range. */
  private holds(num: u64): bool {
    return this.count !== 0n && num >= this.first && num <= this.last();
  }

  /** The last chunk number (count > 0). */
  private last(): u64 {
    return this.first + (this.count - 1n);
  }

  /** The chunk numbered `num`, which the invariant says is valid. */
  private chunkAt(num: u64): C {
    const c = this.chunk(num);
    if (c === null) return panic(`ChunkRange: chunk number ${num} is invalid`);
    return c;
  }
}
