// MappedPages: pages mapped to frames, owning both (Mapper.map makes them). Gives typed,
// bounds-checked access to the memory: every read and write names an offset from the first
// page and is refused with a panic when it leaves the mapping, and writes are refused on a
// read-only mapping. release() unmaps and gives the pages and frames back.
import type { u8, u16, u32, u64 } from "../../lib/int";
import { load16, load32, load64, load8, store16, store32, store64, store8 } from "../../lib/intrinsics";
import { Owned, type Consumed } from "../../lib/owned";
import { panic } from "../../lib/panic";
import { type AllocatedFrames, type AllocatedPages, Halves } from "../alloc";
import type { Mapper } from "./mapper";
import type { PageFlags } from "./flags";
import type { FrameRange, Page, PageRange, VirtualAddress } from "../addr";

/** Mapped memory with a single owner. Invariant: while alive, page i maps frame i with `flags`. */
export class MappedPages extends Owned {
  private readonly mapper: Mapper;
  private readonly pages: AllocatedPages;
  private readonly frames: AllocatedFrames;
  private flags: PageFlags;

  /** Only Mapper.map makes these, after mapping `pages` to `frames`. */
  constructor(mapper: Mapper, pages: Consumed<AllocatedPages>, frames: Consumed<AllocatedFrames>, flags: PageFlags) {
    super();
    this.mapper = mapper;
    this.pages = pages;
    this.frames = frames;
    this.flags = flags;
  }

  /** The first address. */
  start(): VirtualAddress {
    return this.pages.start().start();
  }

  /** The mapped pages. */
  pageRange(): PageRange {
    return this.pages.range();
  }

  /** The frames behind them. */
  frameRange(): FrameRange {
    return this.frames.range();
  }

  /** Bytes mapped. */
  sizeInBytes(): u64 {
    return this.pages.sizeInBytes();
  }

  /** The current flags. */
  pageFlags(): PageFlags {
    return this.flags;
  }

  /** Changes the flags of every page (panics if refused, e.g. writable and executable). */
  remap(flags: PageFlags): void {
    const s = this.mapper.remapRange(this.pages.range(), flags);
    if (!s.isOk()) panic(`MappedPages.remap: ${this.pages} to ${flags} refused (error ${s.error})`);
    this.flags = flags;
  }

  read8(offset: u64): u8 {
    return load8(this.at(offset, 1n, "read8"));
  }

  read16(offset: u64): u16 {
    return load16(this.at(offset, 2n, "read16"));
  }

  read32(offset: u64): u32 {
    return load32(this.at(offset, 4n, "read32"));
  }

  read64(offset: u64): u64 {
    return load64(this.at(offset, 8n, "read64"));
  }

  write8(offset: u64, value: u8): void {
    store8(this.writable(offset, 1n, "write8"), value);
  }

  write16(offset: u64, value: u16): void {
    store16(this.writable(offset, 2n, "write16"), value);
  }

  write32(offset: u64, value: u32): void {
    store32(this.writable(offset, 4n, "write32"), value);
  }

  write64(offset: u64, value: u64): void {
    store64(this.writable(offset, 8n, "write64"), value);
  }

  /** Fills `bytes` bytes from `offset` with zero. */
  zero(offset: u64, bytes: u64): void {
    this.writable(offset, bytes, "zero");
    let i: u64 = 0n;
    const base = this.start().value() + offset;
    while (i + 8n <= bytes) {
      store64(base + i, 0n);
      i += 8n;
    }
    while (i < bytes) {
      store8(base + i, 0);
      i += 1n;
    }
  }

  /** The virtual address of `offset` after checking that `size` bytes there are mapped here. */
  addressOf(offset: u64, size: u64): u64 {
    return this.at(offset, size, "addressOf");
  }

  /** Unmaps the pages and gives the pages and frames back, consuming the mapping. */
  release(this: Consumed<MappedPages>): void {
    const s = this.mapper.unmapRange(this.pages.range());
    if (!s.isOk()) panic(`MappedPages.release: unmapping ${this.pages} failed (error ${s.error})`);
    this.pages.release();
    this.frames.release();
  }

  /**
   * Splits into the pages before `at` and the pages from `at` on, each with its frames and
   * flags, consuming this mapping (Theseus's MappedPages::split); nothing is remapped.
   * Refused unless both halves are non-empty: then `first` is this mapping back, unchanged,
   * and `second` is null.
   */
  split(this: Consumed<MappedPages>, at: Page): Halves<MappedPages> {
    const pages = this.pages.range();
    if (!pages.containsChunk(at) || at.equals(this.pages.start())) {
      return new Halves<MappedPages>(new MappedPages(this.mapper, this.pages, this.frames, this.flags), null);
    }
    // Page i maps frame i: the frames split at the same offset.
    const frameAt = this.frames.range().iterAt(at.number() - pages.firstNumber());
    const p = this.pages.split(at);
    const f = this.frames.split(frameAt);
    const pHigh = p.second;
    const fHigh = f.second;
    if (pHigh === null || fHigh === null) return panic(`MappedPages.split: ${pages} at ${at} refused after the checks`);
    return new Halves<MappedPages>(new MappedPages(this.mapper, p.first, f.first, this.flags), new MappedPages(this.mapper, pHigh, fHigh, this.flags));
  }

  /** `MappedPages(v0x…..=v0x… -> p0x…..=p0x… RW-)`. */
  override toString(): string {
    return `MappedPages(${this.pages.range()} -> ${this.frames.range()} ${this.flags})`;
  }

  /** Checked address of `size` bytes at `offset`. */
  private at(offset: u64, size: u64, what: string): u64 {
    const total = this.pages.sizeInBytes();
    if (offset > total || size > total - offset) {
      return panic(`MappedPages.${what}: ${size} bytes at offset ${offset} leave the mapping of ${total} bytes at ${this.pages.start().start()}`);
    }
    return this.pages.start().start().value() + offset;
  }

  /** Checked address for a write: in bounds and a writable mapping. */
  private writable(offset: u64, size: u64, what: string): u64 {
    const a = this.at(offset, size, what);
    if (!this.flags.isWritable()) return panic(`MappedPages.${what}: write to the read-only mapping ${this.pages.range()} at offset ${offset}`);
    return a;
  }
}
