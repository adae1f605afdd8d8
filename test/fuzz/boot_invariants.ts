// What must hold for every boot information the parser accepts (the fuzz target's oracle,
// also run by the Node tests on the seed corpus). Checked against the raw map entries, not
// the sanitised map, so the sweep is not its own judge:
//   - the sanitised map and the free regions are sorted and disjoint, below 2^52;
//   - every free frame lies in available RAM (covered by raw available entries) and in no
//     raw non-available entry and no reserved region;
//   (O(n log n) in map entries and regions: the raw entries are read once, the free regions
//   binary-searched; a quadratic oracle cost most of each execution on a large map)
//   - a frame allocator fed as memory init feeds it counts every free frame once (no frame
//     free twice) and hands out no frame outside the free regions.
// A broken invariant prints what broke and exits with FUZZ_INVARIANT (status 127, verdict.ts).
import { u32, u64, type bool } from "../../kernel/lib/int";
import { U64Array } from "../../kernel/lib/fixed_array";
import { invariantBroken } from "./verdict";
import { PHYSICAL_MAX, PhysRegion } from "../../kernel/boot/memory_map";
import type { BootMemory } from "../../kernel/boot/regions";
import { ChunkAllocator } from "../../kernel/mm/alloc";
import { FrameRange, type Frame, type PhysicalAddress } from "../../kernel/mm/addr";

/**
 * The union of the raw available entries, as sorted disjoint intervals (touching ones
 * joined): read from the map once and sorted by the oracle's own merge sort, not the
 * sweep's heap sort, so the judge shares no code with what it judges.
 */
class AvailableRam {
  readonly firsts: U64Array;
  readonly lasts: U64Array;
  count: u32 = 0;

  constructor(mem: BootMemory) {
    const map = mem.info.memoryMap();
    const n: u32 = u32(map.count);
    let firsts = new U64Array(n, 0n);
    let lasts = new U64Array(n, 0n);
    let k: u32 = 0;
    for (const e of map) {
      const er = e.region();
      if (er === null || !e.isAvailable()) continue;
      firsts.set(k, er.first);
      lasts.set(k, er.last);
      k += 1;
    }
    // Bottom-up merge sort by first, between the two pairs of arrays.
    let spareFirsts = new U64Array(n, 0n);
    let spareLasts = new U64Array(n, 0n);
    for (let width: u64 = 1n; width < u64(k); width *= 2n) {
      for (let lo: u64 = 0n; lo < u64(k); lo += 2n * width) {
        const mid: u32 = u32(lo + width < u64(k) ? lo + width : u64(k));
        const hi: u32 = u32(lo + 2n * width < u64(k) ? lo + 2n * width : u64(k));
        let i: u32 = u32(lo);
        let j: u32 = mid;
        for (let out: u32 = u32(lo); out < hi; out++) {
          const fromLeft: bool = j >= hi || (i < mid && firsts.get(i) <= firsts.get(j));
          const from: u32 = fromLeft ? i : j;
          spareFirsts.set(out, firsts.get(from));
          spareLasts.set(out, lasts.get(from));
          if (fromLeft) i += 1;
          else j += 1;
        }
      }
      const f = firsts;
      firsts = spareFirsts;
      spareFirsts = f;
      const l = lasts;
      lasts = spareLasts;
      spareLasts = l;
    }
    // Join overlapping and touching intervals in place.
    for (let i: u32 = 0; i < k; i++) {
      if (i > 0 && firsts.get(i) < firsts.get(i - 1)) invariantBroken("the oracle's merge sort left entries unsorted", u64(i));
      if (this.count > 0 && firsts.get(i) <= lasts.get(this.count - 1) + 1n) {
        if (lasts.get(i) > lasts.get(this.count - 1)) lasts.set(this.count - 1, lasts.get(i));
        continue;
      }
      firsts.set(this.count, firsts.get(i));
      lasts.set(this.count, lasts.get(i));
      this.count += 1;
    }
    this.firsts = firsts;
    this.lasts = lasts;
  }

  /** Index of the first interval that ends at or after `x` (count when none does). */
  firstEndingAtOrAfter(x: u64): u32 {
    let lo: u32 = 0;
    let hi: u32 = this.count;
    while (lo < hi) {
      const mid: u32 = lo + ((hi - lo) >> 1); // not `/`: under vitest a u32 is a plain number
      if (this.lasts.get(mid) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** True when the intervals cover every byte of `r`. */
  covers(r: PhysRegion): bool {
    const i: u32 = this.firstEndingAtOrAfter(r.first);
    return i < this.count && this.firsts.get(i) <= r.first && this.lasts.get(i) >= r.last;
  }
}

/** Index of the first free region whose last frame is at or after frame `frame` (count when none is). */
function firstFreeEndingAtOrAfter(mem: BootMemory, frame: u64): u64 {
  let lo: u64 = 0n;
  let hi: u64 = mem.freeRegionCount();
  while (lo < hi) {
    const mid: u64 = lo + (hi - lo) / 2n;
    if (mem.freeRegion(mid).lastNumber() < frame) lo = mid + 1n;
    else hi = mid;
  }
  return lo;
}

/** The first free region that shares a frame with `r` (free regions sorted and disjoint), or count when none does. */
function freeRegionOverlapping(mem: BootMemory, r: PhysRegion): u64 {
  const i: u64 = firstFreeEndingAtOrAfter(mem, r.first >> 12n);
  if (i < mem.freeRegionCount() && mem.freeRegion(i).firstNumber() <= r.last >> 12n) return i;
  return mem.freeRegionCount();
}

/** Panics (FUZZ_INVARIANT) unless every invariant above holds for `mem`. */
export function checkBootInvariants(mem: BootMemory): void {
  const n: u64 = mem.sanitisedCount();
  for (let i: u64 = 0n; i < n; i++) {
    const r = mem.sanitised(i).region;
    if (r.last > PHYSICAL_MAX) invariantBroken("a sanitised entry ends at or above 2^52", i);
    if (i > 0n && r.first <= mem.sanitised(i - 1n).region.last) invariantBroken("sanitised entries overlap or are unsorted", i);
  }
  const free: u64 = mem.freeRegionCount();
  const ram = new AvailableRam(mem);
  let frames: u64 = 0n;
  for (let i: u64 = 0n; i < free; i++) {
    const fr = mem.freeRegion(i);
    if (fr.lastNumber() >= 0x100_0000_0000n) invariantBroken("a free region reaches 2^52", i);
    const r = new PhysRegion(fr.firstNumber() << 12n, ((fr.lastNumber() + 1n) << 12n) - 1n);
    if (i > 0n && fr.firstNumber() <= mem.freeRegion(i - 1n).lastNumber()) invariantBroken("free regions overlap or are unsorted", i);
    if (!ram.covers(r)) invariantBroken("a free region is not all available RAM", i);
    frames += fr.sizeInChunks();
  }
  // The free regions are sorted and disjoint now: each entry or reserved region is looked up in them.
  const map = mem.info.memoryMap();
  for (const e of map) {
    const er = e.region();
    if (er === null || e.isAvailable()) continue;
    const hit: u64 = freeRegionOverlapping(mem, er);
    if (hit < free) invariantBroken("a free region overlaps a non-available map entry", hit);
  }
  for (let k: u64 = 0n; k < mem.reservedCount(); k++) {
    const hit: u64 = freeRegionOverlapping(mem, mem.reserved(k).region);
    if (hit < free) invariantBroken("a free region overlaps a reserved region", hit);
  }
  if (frames !== mem.freeFrameCount()) invariantBroken("the free frame count differs from the free regions", frames);
  // Feed an allocator as memory init does: each free frame counted once, none handed out twice.
  const a = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>("fuzz frames", FrameRange.empty(), 4);
  a.reserveEarly(u32(free + mem.blockedCount() + 4n));
  for (let i: u64 = 0n; i < mem.blockedCount(); i++) {
    const b = mem.blocked(i);
    a.addReserved(FrameRange.empty().withNumbers(b.first >> 12n, (b.last >> 12n) - (b.first >> 12n) + 1n));
  }
  for (let i: u64 = 0n; i < free; i++) a.addFree(mem.freeRegion(i));
  if (a.freeChunks() !== frames) invariantBroken("the allocator holds another number of free frames than the boot memory", a.freeChunks());
  if (free > 0n) {
    const got = a.allocate(1n).allocated;
    if (got === null) invariantBroken("no frame allocated although frames are free", free);
    else {
      const f: u64 = got.range().firstNumber();
      let inFree: bool = false;
      for (let i: u64 = 0n; i < free; i++) if (mem.freeRegion(i).firstNumber() <= f && f <= mem.freeRegion(i).lastNumber()) inFree = true;
      if (!inFree) invariantBroken("the allocator handed out a frame outside the free regions", 0n);
      got.release();
    }
  }
}
