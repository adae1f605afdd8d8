// The physical twins: PhysicalAddress, Frame, FrameRange. Only what differs from the
// virtual twins is here (the 52-bit rule, print formats); the shared behaviour is in
// address.ts, chunk.ts and range.ts.
import type { u64 } from "../../lib/int";
import { hex } from "../../lib/fmt";
import { Address } from "./address";
import { CHUNK_SHIFT, Chunk, MAX_CHUNK_NUMBER } from "./chunk";
import { HugeChunk, type HugeRange, type HugeRangeResult, type HugeSize, type Size1GiB, type Size2MiB } from "./huge";
import { ChunkRange } from "./range";

/** The highest physical address x86_64 defines (bits 51..0): the one physical-address limit. */
export const PHYSICAL_MAX: u64 = 0x000f_ffff_ffff_ffffn;

/** A physical address. Invariant: bits 63..52 are zero; one segment, no holes. */
export class PhysicalAddress extends Address<PhysicalAddress> {
  /** `value` as an address, or null unless bits 63..52 are zero. */
  static checked(value: u64): PhysicalAddress | null {
    return value <= PHYSICAL_MAX ? new PhysicalAddress(value) : null;
  }

  /** `value` made valid: bits 63..52 cleared. */
  static canonical(value: u64): PhysicalAddress {
    return new PhysicalAddress(value & PHYSICAL_MAX);
  }

  protected override make(value: u64): PhysicalAddress | null {
    return PhysicalAddress.checked(value);
  }

  protected override segment(_value: u64): u64 {
    return 0n;
  }

  /** `p0x101000`. */
  override toString(): string {
    return `p${hex(this.value())}`;
  }
}

/** A 4 KiB frame of physical memory. Invariant: its start address is valid. */
export class Frame extends Chunk<PhysicalAddress, Frame> {
  /** The frame holding `addr`. */
  static containing(addr: PhysicalAddress): Frame {
    return new Frame(addr.value() >> CHUNK_SHIFT);
  }

  /** The frame numbered `num`, or null when its start address is not a physical address. */
  static fromNumber(num: u64): Frame | null {
    if (num > MAX_CHUNK_NUMBER) return null;
    const start = PhysicalAddress.checked(num << CHUNK_SHIFT);
    return start === null ? null : Frame.containing(start);
  }

  protected override address(value: u64): PhysicalAddress | null {
    return PhysicalAddress.checked(value);
  }

  protected override sibling(num: u64): Frame | null {
    return Frame.fromNumber(num);
  }

  /** `Frame(p0x101000)`. */
  override toString(): string {
    return `Frame(${this.start()})`;
  }
}

/** An inclusive range of frames; see ChunkRange. */
export class FrameRange extends ChunkRange<PhysicalAddress, Frame, FrameRange> {
  /** The empty range. */
  static empty(): FrameRange {
    return new FrameRange(0n, 0n);
  }

  /** Frames `first` to `last` inclusive (empty when `last` is below `first`). */
  static of(first: Frame, last: Frame): FrameRange {
    return FrameRange.empty().between(first, last);
  }

  protected override make(first: u64, count: u64): FrameRange {
    return new FrameRange(first, count);
  }

  protected override chunk(num: u64): Frame | null {
    return Frame.fromNumber(num);
  }
}

/** A huge frame of physical memory, 2 MiB or 1 GiB (`S`); see HugeChunk. Invariant: aligned to its size. */
export class HugeFrame<S extends HugeSize<S>> extends HugeChunk<PhysicalAddress, Frame, FrameRange, S, HugeFrame<S>> {
  /** The `size` frame starting at `first`; panics unless `first` is aligned to it (hugeFrame returns null instead). */
  constructor(size: S, first: Frame) {
    super(size, first);
  }

  protected override make(first: Frame): HugeFrame<S> {
    return new HugeFrame<S>(this.size(), first);
  }

  protected override emptyRange(): FrameRange {
    return FrameRange.empty();
  }

  /** `HugeFrame(2 MiB, p0x200000)`. */
  override toString(): string {
    return `HugeFrame(${this.size()}, ${this.start()})`;
  }
}

/** A 2 MiB frame. */
export type HugeFrame2M = HugeFrame<Size2MiB>;
/** A 1 GiB frame. */
export type HugeFrame1G = HugeFrame<Size1GiB>;
/** A range of huge frames of size `S`. */
export type HugeFrameRange<S extends HugeSize<S>> = HugeRange<PhysicalAddress, Frame, FrameRange, S, HugeFrame<S>>;

/** The `size` frame starting at `frame`, or null when `frame` is not aligned to `size`. */
export function hugeFrame<S extends HugeSize<S>>(size: S, frame: Frame): HugeFrame<S> | null {
  return size.startsAt(frame.number()) ? new HugeFrame<S>(size, frame) : null;
}

/** The `size` frame holding `addr`. */
export function hugeFrameContaining<S extends HugeSize<S>>(size: S, addr: PhysicalAddress): HugeFrame<S> {
  return new HugeFrame<S>(size, Frame.containing(PhysicalAddress.canonical(addr.value() & ~(size.bytes() - 1n))));
}

/** `frames` as a range of `size` frames, or which of its ends is not aligned to `size`. */
export function hugeFrameRange<S extends HugeSize<S>>(size: S, frames: FrameRange): HugeRangeResult<PhysicalAddress, S, HugeFrameRange<S>> {
  return new HugeFrame<S>(size, Frame.containing(PhysicalAddress.canonical(0n))).rangeOf(frames);
}
