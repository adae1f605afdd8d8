// What the console holds: the frames, pages and mappings it allocated, each an owned value
// in a slot of its own (moved in when made, taken out when freed or mapped), named by a
// kind letter and the slot: f0, p3, m1.
import type { u8, u32 } from "../lib/int";
import { take } from "../lib/owned";
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

/** Releases everything the console still holds (at quit: nothing leaks). */
export function releaseAll(h: Handles): void {
  for (let i: u32 = 0; i < SLOTS; i++) {
    const m = take(h.mapped, i);
    if (m !== null) m.release();
    const f = take(h.frames, i);
    if (f !== null) f.release();
    const p = take(h.pages, i);
    if (p !== null) p.release();
  }
}
