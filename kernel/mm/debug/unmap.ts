// Freed frames unmapped until reused (as Linux's DEBUG_PAGEALLOC), the second half of the
// freed-frame checks of test builds (pagealloc.ts has the first, poisoning): once
// `unmapFreedFrames` ran, a free frame is not present in the direct map, which test builds
// map with 4 KiB pages (memory_init.ts). The frame allocator's hook calls setDirectMapped:
// release clears the present bit of the frame's entry (and flushes the TLB), allocation
// sets it again before the frame is handed out. A use after free through the direct map
// then faults at the faulting TypeScript line, and `explainFault` tells the fault report
// (kernel/arch/x86_64/exceptions.ts) that the frame is free.
//
// An unmapped entry keeps its address and flags and still counts as in use in its table's
// count (entry.ts): the mapper never prunes that table, and mapping the frame again needs
// no table frame, so nothing is allocated inside the frame allocator.
import type { bool, u64 } from "../../lib/int";
import { invlpg, load64, readCr3, store64, writeCr3 } from "../../lib/intrinsics";
import { print, println } from "../../lib/console";
import { hex } from "../../lib/fmt";
import { Page, VirtualAddress } from "../addr";
import { ENTRY_ADDRESS_MASK, ENTRY_POISONED, ENTRY_PRESENT, ENTRY_SIZE, isPresent } from "../paging/entry";
import { LEVEL_P1, walk } from "../paging/walk";
import { checkPoisoned, type FramePoison, setDirectMapStep } from "./pagealloc";

const FRAME_SHIFT: u64 = 12n;
const FRAME_SIZE: u64 = 0x1000n;
/** Frames per P1 table (a power of two). */
const FRAMES_PER_TABLE: u64 = 512n;
/** Pages unmapped at once beyond which one CR3 reload flushes the TLB instead of an invlpg each (Linux's ceiling is 33). */
const INVLPG_CEILING: u64 = 32n;

/** Physical address of the P4 whose direct map loses free frames; 0 while unmapping is off. */
let tables: u64 = 0n;
/** Virtual address of physical 0 (the direct map). */
let base: u64 = 0n;
/** Frames at or above this number are not reached through the direct map and are left alone. */
let limit: u64 = 0n;
/** Direct-map entries made not present, and present again, so far. */
let unmapped: u64 = 0n;
let remapped: u64 = 0n;

/**
 * From now on frames released to the frame allocator leave the direct map at `directMap`
 * (physical 0's address, 4 KiB pages in the P4 at physical `p4`, frames below `limitFrame`)
 * until handed out again, and page faults there are explained. The caller unmaps the
 * frames free already (setDirectMapped) and installs explainFault in the fault report.
 */
export function unmapFreedFrames(p4: u64, directMap: u64, limitFrame: u64): void {
  tables = p4;
  base = directMap;
  limit = limitFrame;
  setDirectMapStep(setDirectMapped);
}

/** Stops unmapping freed frames and explaining faults (the caller maps the free ones back first). */
export function stopUnmapping(): void {
  setDirectMapStep(null);
  tables = 0n;
}

/** Direct-map entries unmapped and mapped again so far. */
export function unmappedCount(): u64 {
  return unmapped;
}

/** Direct-map entries mapped again so far. */
export function remappedCount(): u64 {
  return remapped;
}

/**
 * Makes the direct-map pages of frames `first..last` present or not present (below the
 * limit, where a 4 KiB entry of the direct map maps the frame; other frames are left).
 * With `poison`: unmapping marks the entries poisoned (the caller has just poisoned those
 * frames), and mapping back checks the poison of every frame whose entry is so marked;
 * mapping back always clears the mark. One walk per P1 table; flushes what it unmapped
 * from the TLB. Returns the entries changed. (Linear in frames: memory init unmaps every
 * free frame with it, 1.3 M of them at 5 GiB.)
 */
export function setDirectMapped(first: u64, last: u64, present: bool, poison: FramePoison | null): u64 {
  if (tables === 0n || first >= limit) return 0n;
  const end: u64 = last >= limit ? limit - 1n : last;
  let changed: u64 = 0n;
  let f: u64 = first;
  while (f <= end) {
    // The frames of one P1 table: one walk, then consecutive entries.
    const tableLast: u64 = f | (FRAMES_PER_TABLE - 1n);
    const runLast: u64 = tableLast < end ? tableLast : end;
    const w = walk(tables, base, directMapPage(f), LEVEL_P1);
    if (w.level === LEVEL_P1) {
      let slot: u64 = w.slot;
      let address: u64 = f << FRAME_SHIFT;
      for (let g: u64 = f; g <= runLast; g++) {
        const e: u64 = load64(slot);
        // Only the direct map's own entry of g (its address is g's): nothing else is touched.
        if (e !== 0n && (e & ENTRY_ADDRESS_MASK) === address && isPresent(e) !== present) {
          changed += 1n;
          if (present) {
            store64(slot, (e | ENTRY_PRESENT) & ~ENTRY_POISONED);
            if (poison !== null && (e & ENTRY_POISONED) !== 0n) checkPoisoned(poison, g);
          } else {
            store64(slot, poison !== null ? (e & ~ENTRY_PRESENT) | ENTRY_POISONED : e & ~ENTRY_PRESENT);
            if (changed <= INVLPG_CEILING) invlpg(base + address);
          }
        }
        slot += ENTRY_SIZE;
        address += FRAME_SIZE;
      }
    }
    f = runLast + 1n;
  }
  // Not present -> present needs no flush (the TLB holds no not-present entries).
  if (!present && changed > INVLPG_CEILING) writeCr3(readCr3());
  if (present) remapped += changed;
  else unmapped += changed;
  return changed;
}

/** The direct-map page of frame `f` (below the limit, so canonical). */
function directMapPage(f: u64): Page {
  return Page.containing(VirtualAddress.canonical(base + (f << FRAME_SHIFT)));
}

/**
 * The page-fault report's question (kernel/arch/x86_64/exceptions.ts): when `addr` lies in
 * the direct map on a frame unmapped here (free since it was released), prints what the
 * report says about it (a line of its own, or with `summary` the end of the panic line)
 * and returns true; else prints nothing and returns false.
 */
export function explainFault(addr: u64, summary: bool): bool {
  if (tables === 0n || addr < base || (addr - base) >> FRAME_SHIFT >= limit) return false;
  const f: u64 = (addr - base) >> FRAME_SHIFT;
  const w = walk(tables, base, directMapPage(f), LEVEL_P1);
  if (w.level !== LEVEL_P1 || w.entry === 0n || isPresent(w.entry) || (w.entry & ENTRY_ADDRESS_MASK) !== f << FRAME_SHIFT) return false;
  if (summary) print(` (use after free: frame p${hex(f << FRAME_SHIFT)} is free)`);
  else println(`  use after free: ${hex(addr)} is the direct map of frame p${hex(f << FRAME_SHIFT)}, which is free (released, and unmapped until it is handed out again)`);
  return true;
}
