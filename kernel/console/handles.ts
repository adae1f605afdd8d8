// What the console holds: the frames, pages and mappings it allocated, each an owned value
// in a slot of its own (moved in when made, taken out when freed or mapped), named by a
// kind letter and the slot: f0, p3, m1.
import type { bool, u8, u32 } from "../lib/int";
import { println } from "../lib/console";
import { take, type Consumed, type Owned } from "../lib/owned";
import type { AllocatedFrames, AllocatedPages } from "../mm/alloc";
import type { MappedPages } from "../mm/paging";

/** Slots per kind. */
export const SLOTS: u32 = 16;
/** Kind letters of handle names. */
export const KIND_FRAMES: u8 = 0x66; // 'f'
export const KIND_PAGES: u8 = 0x70; // 'p'
export const KIND_MAPPED: u8 = 0x6d; // 'm'

/** The console's owned allocations. */
export class Handles {
  readonly frames: (AllocatedFrames | null)[] = new Array<AllocatedFrames | null>(SLOTS).fill(null);
  readonly pages: (AllocatedPages | null)[] = new Array<AllocatedPages | null>(SLOTS).fill(null);
  readonly mapped: (MappedPages | null)[] = new Array<MappedPages | null>(SLOTS).fill(null);
}

/** The first empty slot of `slots`, or SLOTS when all are taken. */
export function freeSlot<T>(slots: (T | null)[]): u32 {
  for (let i: u32 = 0; i < slots.length; i++) if (slots[i] === null) return i;
  return SLOTS;
}

/** Releases what `slots[slot]` holds; false when it is empty. */
export function releaseSlot<T extends Owned>(slots: (T | null)[], slot: u32): bool {
  const x = take(slots, slot);
  if (x === null) return false;
  x.release();
  return true;
}

/** Puts the mapping `m` in slot `slot` and prints it: `m3: v0x…..=v0x… -> p0x…..=p0x… (RW-)`. */
export function keepMapping(h: Handles, slot: u32, m: Consumed<MappedPages>): void {
  println(`m${slot}: ${m.pageRange()} -> ${m.frameRange()} (${m.pageFlags()})`);
  h.mapped[slot] = m;
}

/** Releases everything the console still holds (at quit: nothing leaks); mappings first. */
export function releaseAll(h: Handles): void {
  for (let i: u32 = 0; i < SLOTS; i++) {
    releaseSlot(h.mapped, i);
    releaseSlot(h.frames, i);
    releaseSlot(h.pages, i);
  }
}
