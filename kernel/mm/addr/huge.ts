// Huge pages and frames: 2 MiB and 1 GiB units of an address space, as types (the x86_64
// crate's Page<Size2MiB> / PhysFrame<Size1GiB>, Theseus's huge-page ranges). Both
// dimensions are type arguments of one generic class, so nothing is written twice:
// - the size is a type argument, Size2MiB or Size1GiB: value classes without fields, so
//   a huge page costs what its first 4 KiB page costs (one u64) and the size is known at
//   compile time (keelc monomorphizes per size);
// - the address space is the 4 KiB chunk type a huge chunk is made of: HugePage<S> is a
//   HugeChunk of Pages, HugeFrame<S> one of Frames; one generic class serves both.
// Alignment is checked at construction: a HugeChunk's first chunk is a multiple of its
// size, and so every one of its 4 KiB chunks is valid in the same segment (both halves of
// the virtual space and the physical space begin and end at 1 GiB boundaries).
import type { bool, u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import { rangeIterator } from "../../lib/iter";
import type { Address } from "./address";
import { CHUNK_SHIFT, CHUNK_SIZE, MAX_CHUNK_NUMBER, type Chunk } from "./chunk";
import { Frame, type FrameRange, PhysicalAddress } from "./physical";
import type { ChunkRange } from "./range";
import { Page, type PageRange, VirtualAddress } from "./virtual";

/** Bytes in 1 GiB, where sizes start printing in GiB. */
const GIB: u64 = 0x4000_0000n;

/** A huge page size (the x86_64 crate's PageSize). A value class without fields: it costs nothing. */
export abstract class HugeSize<Self extends HugeSize<Self>> {
  /** log2 of the 4 KiB chunks in one huge chunk: 9 (2 MiB) or 18 (1 GiB). */
  abstract chunkShift(): u64;

  /** 4 KiB chunks in one huge chunk. */
  chunks(): u64 {
    return 1n << this.chunkShift();
  }

  /** Bytes in one huge chunk. */
  bytes(): u64 {
    return CHUNK_SIZE << this.chunkShift();
  }

  /** True when 4 KiB chunk number `num` starts a huge chunk of this size. */
  startsAt(num: u64): bool {
    return (num & (this.chunks() - 1n)) === 0n;
  }

  /** `2 MiB`, `1 GiB`. */
  toString(): string {
    if (this.bytes() >= GIB) return `${this.bytes() >> 30n} GiB`;
    return `${this.bytes() >> 20n} MiB`;
  }
}

/** 2 MiB (2^9 chunks): a P2 entry maps one. */
export class Size2MiB extends HugeSize<Size2MiB> {
  override chunkShift(): u64 {
    return 9n;
  }

  /** A member of its own, so TypeScript (which compares classes by shape) tells the sizes apart. */
  private is2MiB(): void {}
}

/** 1 GiB (2^18 chunks): a P3 entry maps one, when CPUID reports 1 GiB pages. */
export class Size1GiB extends HugeSize<Size1GiB> {
  override chunkShift(): u64 {
    return 18n;
  }

  private is1GiB(): void {}
}

/** A huge page of virtual memory, 2 MiB or 1 GiB (`S`). */
export type HugePage<S extends HugeSize<S>> = HugeChunk<VirtualAddress, Page, PageRange, S>;
/** A huge frame of physical memory, 2 MiB or 1 GiB (`S`). */
export type HugeFrame<S extends HugeSize<S>> = HugeChunk<PhysicalAddress, Frame, FrameRange, S>;
/** Ranges of them. */
export type HugePageRange<S extends HugeSize<S>> = HugeRange<VirtualAddress, Page, PageRange, S>;
export type HugeFrameRange<S extends HugeSize<S>> = HugeRange<PhysicalAddress, Frame, FrameRange, S>;
/** The sizes spelled out. */
export type HugePage2M = HugePage<Size2MiB>;
export type HugePage1G = HugePage<Size1GiB>;
export type HugeFrame2M = HugeFrame<Size2MiB>;
export type HugeFrame1G = HugeFrame<Size1GiB>;

/** The first `size` page (v0x0), to make others with: hugePages(SIZE_2MIB).at(page), .containing(page), .rangeOf(pages). */
export function hugePages<S extends HugeSize<S>>(size: S): HugePage<S> {
  return new HugeChunk<VirtualAddress, Page, PageRange, S>(size, Page.containing(VirtualAddress.canonical(0n)));
}

/** The first `size` frame (p0x0), to make others with, as hugePages. */
export function hugeFrames<S extends HugeSize<S>>(size: S): HugeFrame<S> {
  return new HugeChunk<PhysicalAddress, Frame, FrameRange, S>(size, Frame.containing(PhysicalAddress.canonical(0n)));
}

/** The 2 MiB size, to pass where a size is asked for: hugePages(SIZE_2MIB).at(page). */
export const SIZE_2MIB: Size2MiB = new Size2MiB();
/** The 1 GiB size. */
export const SIZE_1GIB: Size1GiB = new Size1GiB();

/**
 * A huge chunk of size `S` of address space `A`, made of the 4 KiB chunks `C` (ranges `R`):
 * HugePage<S> or HugeFrame<S>. A value class costing one u64. Invariant: the first chunk's
 * number is a multiple of the size's chunk count.
 *
 * Made with `at`, `containing` and `rangeOf` on any huge chunk of the same space and size,
 * e.g. the first one, hugePages(SIZE_2MIB) (as PageRange.empty() makes page ranges), or
 * with the constructor, which panics on a misaligned chunk.
 */
export class HugeChunk<A extends Address<A>, C extends Chunk<A, C>, R extends ChunkRange<A, C, R>, S extends HugeSize<S>> {
  private readonly first: C;
  private readonly sz: S;

  /** The huge chunk of `size` starting at `first`; panics unless `first` is aligned to it (`at` returns null instead). */
  constructor(size: S, first: C) {
    if (!size.startsAt(first.number())) panic(`${first} is not ${size} aligned`);
    this.first = first;
    this.sz = size;
  }

  /** The huge chunk of this size at `first` (aligned). */
  private make(first: C): HugeChunk<A, C, R, S> {
    return new HugeChunk<A, C, R, S>(this.sz, first);
  }

  /** The size. */
  size(): S {
    return this.sz;
  }

  /** The first 4 KiB chunk. */
  firstChunk(): C {
    return this.first;
  }

  /** The first address. */
  start(): A {
    return this.first.start();
  }

  /** The value of the first address. */
  startValue(): u64 {
    return this.first.startValue();
  }

  /** The last address (inclusive). */
  lastAddress(): A {
    const last = this.first.add(this.sz.chunks() - 1n);
    if (last === null) return panic(`HugeChunk: ${this} leaves its segment`);
    return last.lastAddress();
  }

  /** Bytes: the size's. */
  sizeInBytes(): u64 {
    return this.sz.bytes();
  }

  /** True when `addr` lies in it. */
  contains(addr: A): bool {
    return addr.value() >> CHUNK_SHIFT >> this.sz.chunkShift() === this.first.number() >> this.sz.chunkShift();
  }

  /** The huge chunk of this size and space starting at `first`, or null when `first` is not aligned to the size. */
  at(first: C): HugeChunk<A, C, R, S> | null {
    return this.sz.startsAt(first.number()) ? this.make(first) : null;
  }

  /** The huge chunk of this size and space holding the 4 KiB chunk `chunk` (aligning down stays in its segment). */
  containing(chunk: C): HugeChunk<A, C, R, S> {
    const first = chunk.sub(chunk.number() & (this.sz.chunks() - 1n));
    if (first === null) return panic(`HugeChunk: aligning ${chunk} down to ${this.sz} leaves its segment`);
    return this.make(first);
  }

  /** The huge chunk `count` above, or null when that leaves the segment. */
  add(count: u64): HugeChunk<A, C, R, S> | null {
    if (count > MAX_CHUNK_NUMBER >> this.sz.chunkShift()) return null;
    const c = this.first.add(count << this.sz.chunkShift());
    return c === null ? null : this.make(c);
  }

  /** The next huge chunk, or null at the end of the segment. */
  next(): HugeChunk<A, C, R, S> | null {
    return this.add(1n);
  }

  /** True when both start at the same chunk (the size is in the type). */
  equals(other: HugeChunk<A, C, R, S>): bool {
    return this.first.equals(other.firstChunk());
  }

  /**
   * `range` (4 KiB chunks) as a range of huge chunks of this size, or which of its ends is
   * not aligned to the size (the start must be a multiple of it, the end just below one).
   */
  rangeOf(range: R): HugeRangeResult<A, S, HugeRange<A, C, R, S>> {
    const first = range.start();
    const last = range.end();
    if (first === null || last === null) return this.rangeResult(new HugeRange<A, C, R, S>(this.make(this.first), 0n), HugeRangeError.None, this.start());
    const h = this.at(first);
    if (h === null) return this.rangeResult(null, HugeRangeError.StartMisaligned, first.start());
    // The last chunk's number + 1 cannot overflow: chunk numbers end at MAX_CHUNK_NUMBER.
    if (!this.sz.startsAt(last.number() + 1n)) return this.rangeResult(null, HugeRangeError.EndMisaligned, last.lastAddress());
    return this.rangeResult(new HugeRange<A, C, R, S>(h, range.sizeInChunks() >> this.sz.chunkShift()), HugeRangeError.None, first.start());
  }

  /** `2 MiB Page(v0x200000)`. */
  toString(): string {
    return `${this.sz} ${this.first}`;
  }

  /** A result of rangeOf. */
  private rangeResult(range: HugeRange<A, C, R, S> | null, error: HugeRangeError, at: A): HugeRangeResult<A, S, HugeRange<A, C, R, S>> {
    return new HugeRangeResult<A, S, HugeRange<A, C, R, S>>(range, error, at, this.sz);
  }
}

/**
 * An inclusive range of huge chunks (Theseus's huge-page ranges): the first and a count.
 * A value class. Invariant: every huge chunk from the first to first + count - 1 is valid,
 * in one segment; an empty range (count 0) holds none.
 */
export class HugeRange<A extends Address<A>, C extends Chunk<A, C>, R extends ChunkRange<A, C, R>, S extends HugeSize<S>> {
  private readonly first: HugeChunk<A, C, R, S>;
  private readonly count: u64;

  /** `count` huge chunks from `first`; panics when they leave the segment. */
  constructor(first: HugeChunk<A, C, R, S>, count: u64) {
    if (count !== 0n && first.add(count - 1n) === null) panic(`HugeRange: ${count} chunks of ${first.size()} from ${first.start()} leave the address space`);
    this.first = first;
    this.count = count;
  }

  /** True when the range holds no huge chunk. */
  isEmpty(): bool {
    return this.count === 0n;
  }

  /** The first huge chunk, or null when empty. */
  start(): HugeChunk<A, C, R, S> | null {
    return this.count === 0n ? null : this.first;
  }

  /** The last huge chunk, or null when empty. */
  end(): HugeChunk<A, C, R, S> | null {
    return this.count === 0n ? null : this.iterAt(this.count - 1n);
  }

  /** The number of huge chunks. */
  sizeInHugeChunks(): u64 {
    return this.count;
  }

  /** The number of 4 KiB chunks covered. */
  sizeInChunks(): u64 {
    return this.count << this.first.size().chunkShift();
  }

  /** Bytes covered. */
  sizeInBytes(): u64 {
    return this.count * this.first.sizeInBytes();
  }

  /** Iteration length for `for…of`. */
  iterLength(): u64 {
    return this.count;
  }

  /** The i-th huge chunk, for `for…of` (0 <= i < iterLength()). */
  iterAt(i: u64): HugeChunk<A, C, R, S> {
    if (i >= this.count) panic(`HugeRange.iterAt: index ${i} out of ${this.count}`);
    const h = this.first.add(i);
    if (h === null) return panic(`HugeRange.iterAt: chunk ${i} is invalid`);
    return h;
  }

  /** Node iteration (keelc ignores it and lowers for…of to a counted loop). */
  [Symbol.iterator](): Iterator<HugeChunk<A, C, R, S>> {
    return rangeIterator<HugeChunk<A, C, R, S>>(this);
  }

  /** `v0x200000..=v0x5fffff (2 × 2 MiB)`; `empty` for the empty range. */
  toString(): string {
    if (this.count === 0n) return "empty";
    return `${this.first.start()}..=${this.iterAt(this.count - 1n).lastAddress()} (${this.count} × ${this.first.size()})`;
  }
}

/** Why a range of 4 KiB chunks is not a range of huge chunks. */
export const enum HugeRangeError {
  /** It is one. */
  None = 0,
  /** Its first address is not a multiple of the size. */
  StartMisaligned = 1,
  /** Its last address is not one below a multiple of the size. */
  EndMisaligned = 2,
}

/** The result of HugeChunk.rangeOf: the huge range, or null and which end is not aligned to which size. A value class. */
export class HugeRangeResult<A extends Address<A>, S extends HugeSize<S>, T> {
  readonly range: T | null;
  readonly error: HugeRangeError;
  /** With StartMisaligned the first address, with EndMisaligned the last (inclusive). */
  readonly at: A;
  /** The size asked for. */
  readonly size: S;

  constructor(range: T | null, error: HugeRangeError, at: A, size: S) {
    this.range = range;
    this.error = error;
    this.at = at;
    this.size = size;
  }

  /** True when the conversion succeeded. */
  isOk(): bool {
    return this.error === HugeRangeError.None;
  }

  /** `the start v0x201000 is not 2 MiB aligned`, `the end v0x3fefff is not 2 MiB aligned (…)`. */
  toString(): string {
    if (this.error === HugeRangeError.StartMisaligned) return `the start ${this.at} is not ${this.size} aligned`;
    if (this.error === HugeRangeError.EndMisaligned) return `the end ${this.at} is not ${this.size} aligned (the last byte must be one below a multiple of ${this.size})`;
    return `${this.size} aligned`;
  }
}
