// What must hold for every boot information the parser accepts (the fuzz target's oracle,
// also run by the Node tests on the seed corpus). Checked against the raw map entries, not
// the sanitised map, so the sweep is not its own judge:
//   - the sanitised map and the free regions are sorted and disjoint, below 2^52;
//   - every free frame lies in available RAM (covered by raw available entries) and in no
//     raw non-available entry and no reserved region;
//   - a frame allocator fed as memory init feeds it counts every free frame once (no frame
//     free twice) and hands out no frame outside the free regions.
// A broken invariant prints what broke and exits with FUZZ_INVARIANT (status 127, verdict.ts).
import { u32, u64, type bool } from "../../kernel/lib/int";
import { invariantBroken } from "./verdict";
import { PHYSICAL_MAX, PhysRegion } from "../../kernel/boot/memory_map";
import type { BootMemory } from "../../kernel/boot/regions";
import { ChunkAllocator } from "../../kernel/mm/alloc";
import { FrameRange, type Frame, type PhysicalAddress } from "../../kernel/mm/addr";

/** True when raw available entries cover every byte of `r`. */
function coveredByAvailable(mem: BootMemory, r: PhysRegion): bool {
  const map = mem.info.memoryMap();
  let x: u64 = r.first;
  while (true) {
    let reach: u64 = 0n;
    let found: bool = false;
    for (const e of map) {
      const er = e.region();
      if (er === null || !e.isAvailable() || !er.contains(x)) continue;
      if (!found || er.last > reach) reach = er.last;
      found = true;
    }
    if (!found) return false;
    if (reach >= r.last) return true;
    x = reach + 1n;
  }
}

/** Panics (FUZZ_INVARIANT) unless every invariant above holds for `mem`. */
export function checkBootInvariants(mem: BootMemory): void {
  const n: u64 = mem.sanitisedCount();
  for (let i: u64 = 0n; i < n; i++) {
    const r = mem.sanitised(i).region;
    if (r.last > PHYSICAL_MAX) invariantBroken("a sanitised entry ends at or above 2^52", i);
    if (i > 0n && r.first <= mem.sanitised(i - 1n).region.last) invariantBroken("sanitised entries overlap or are unsorted", i);
  }
  const map = mem.info.memoryMap();
  const free: u64 = mem.freeRegionCount();
  let frames: u64 = 0n;
  for (let i: u64 = 0n; i < free; i++) {
    const fr = mem.freeRegion(i);
    if (fr.lastNumber() >= 0x100_0000_0000n) invariantBroken("a free region reaches 2^52", i);
    const r = new PhysRegion(fr.firstNumber() << 12n, ((fr.lastNumber() + 1n) << 12n) - 1n);
    if (i > 0n && fr.firstNumber() <= mem.freeRegion(i - 1n).lastNumber()) invariantBroken("free regions overlap or are unsorted", i);
    if (!coveredByAvailable(mem, r)) invariantBroken("a free region is not all available RAM", i);
    for (const e of map) {
      const er = e.region();
      if (er !== null && !e.isAvailable() && er.overlaps(r)) invariantBroken("a free region overlaps a non-available map entry", i);
    }
    for (let k: u64 = 0n; k < mem.reservedCount(); k++) if (mem.reserved(k).region.overlaps(r)) invariantBroken("a free region overlaps a reserved region", i);
    frames += fr.sizeInChunks();
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
