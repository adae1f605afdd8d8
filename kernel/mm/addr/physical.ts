// The physical twins: PhysicalAddress, Frame, FrameRange. Only what differs from the
// virtual twins is here (the 52-bit rule, print formats); the shared behaviour is in
// address.ts, chunk.ts and range.ts.
import type { u64 } from "../../lib/int";
import { hex } from "../../lib/fmt";
import { Address } from "./address";
import { CHUNK_SHIFT, Chunk, MAX_CHUNK_NUMBER } from "./chunk";
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
