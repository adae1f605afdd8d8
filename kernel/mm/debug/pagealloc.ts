// Freed-frame checks of test builds (as Linux's DEBUG_PAGEALLOC), the frame allocator's
// debug hook:
//
// - Poisoning: a frame the frame allocator takes back is filled with POISON through the
//   direct map, and when it is handed out again every word must still be POISON, else
//   something wrote to it after it was freed (through some other mapping) and the
//   allocation panics naming the frame and the word.
// - Unmapping (unmap.ts, when switched on): a free frame is not present in the direct map;
//   release unmaps it after poisoning, allocation maps it again before the check. The
//   hook reaches it through a function value, so that the allocator (which programs
//   without CPU state also run, keelc's hosted machine) never links the TLB intrinsics.
//
// Which frames are poisoned: while unmapping is on (the kernel's test builds), the
// unmapped direct-map entry of each freed frame says so (ENTRY_POISONED, a bit the CPU
// ignores), so every frame of every release is poisoned and checked. Without unmapping
// (programs with no direct map of their own, as keelc's hosted fuzz targets), Keel keeps
// no per-frame metadata (one entry per region), and the poisoned frames are remembered in
// a FIFO quarantine of QUARANTINE ranges, each at most POISON_MAX_FRAMES long (the first
// frames of a larger release): writes after free into frames that left the quarantine, or
// beyond the first POISON_MAX_FRAMES of a large release, go unseen there.
import { u32, u64, type bool } from "../../lib/int";
import { load64, store64 } from "../../lib/intrinsics";
import { U64Array } from "../../lib/fixed_array";
import { hex } from "../../lib/fmt";
import { panic } from "../../lib/panic";

/** Linux's POISON_FREE byte (0x6b), in every byte of a word. */
export const POISON: u64 = 0x6b6b_6b6b_6b6b_6b6bn;
/** Ranges remembered as poisoned. */
const QUARANTINE: u32 = 64;
/** Frames poisoned per release at most. */
const POISON_MAX_FRAMES: u64 = 64n;
const FRAME_SHIFT: u64 = 12n;
const WORDS_PER_FRAME: u64 = 512n;
const EMPTY: u64 = 0xffff_ffff_ffff_ffffn;

/**
 * The frame allocator's debug hook: poisons released frames, checks them when reused. Its
 * operations are top-level functions (framesReleased, framesAllocated) rather than methods:
 * keelc emits a class's methods only where the class is constructed, and the allocator
 * calls them in programs that never construct one.
 */
export class FramePoison {
  /** Virtual address of physical 0 (the direct map). */
  readonly base: u64;
  /** Frames at or above this number are not reachable through `base` and are left alone. */
  readonly limit: u64;
  readonly firsts: U64Array = new U64Array(QUARANTINE, EMPTY);
  readonly lasts: U64Array = new U64Array(QUARANTINE, EMPTY);
  nextSlot: u32 = 0;
  /** Frames poisoned and frames checked so far. */
  poisoned: u64 = 0n;
  checked: u64 = 0n;
  /** False once poisoning stopped (unmapping may go on). */
  poisoning: bool = true;

  constructor(base: u64, limitFrame: u64) {
    this.base = base;
    this.limit = limitFrame;
  }
}

/**
 * The unmapping step (unmap.ts's setDirectMapped) while it is on: makes the direct-map
 * pages of frames `first..last` present or not. A module variable, not a field: there is
 * one frame allocator, and a function value keeps unmap.ts out of the allocator's imports.
 */
let directMapStep: ((first: u64, last: u64, present: bool, poison: FramePoison | null) => u64) | null = null;

/** Switches the unmapping step on (`step`) or off (null); see directMapStep. */
export function setDirectMapStep(step: ((first: u64, last: u64, present: bool, poison: FramePoison | null) => u64) | null): void {
  directMapStep = step;
}

/** Stops poisoning and checking freed frames (unmapping may go on). */
export function stopPoisoning(p: FramePoison): void {
  p.poisoning = false;
  for (let s: u32 = 0; s < QUARANTINE; s++) {
    p.firsts.set(s, EMPTY);
    p.lasts.set(s, EMPTY);
  }
}

/**
 * Frames `first..last` (numbers) were freed: poisoned, then unmapped with their entries
 * marked poisoned (every frame), or without unmapping, the first ones put in the quarantine.
 */
export function framesReleased(p: FramePoison, first: u64, last: u64): void {
  const step = directMapStep;
  if (step === null) {
    if (p.poisoning) quarantine(p, first, last);
    return;
  }
  if (p.poisoning) poisonFrames(p, first, last);
  step(first, last, false, p.poisoning ? p : null);
}

/** Fills frames `first..last` below the limit with POISON through the direct map; returns how many. */
function poisonFrames(p: FramePoison, first: u64, last: u64): u64 {
  if (first >= p.limit) return 0n;
  const end: u64 = last >= p.limit ? p.limit - 1n : last;
  for (let f: u64 = first; f <= end; f++) {
    const at: u64 = p.base + (f << FRAME_SHIFT);
    for (let w: u64 = 0n; w < WORDS_PER_FRAME; w++) store64(at + w * 8n, POISON);
  }
  p.poisoned += end - first + 1n;
  return end - first + 1n;
}

/** Poisons the first POISON_MAX_FRAMES frames of `first..last` and puts them in the quarantine. */
function quarantine(p: FramePoison, first: u64, last: u64): void {
  const n: u64 = poisonFrames(p, first, last - first >= POISON_MAX_FRAMES ? first + (POISON_MAX_FRAMES - 1n) : last);
  if (n === 0n) return;
  p.firsts.set(p.nextSlot, first);
  p.lasts.set(p.nextSlot, first + (n - 1n));
  p.nextSlot = (p.nextSlot + 1) % QUARANTINE;
}

/**
 * Frames `first..last` are handed out: mapped again, and the poisoned ones among them (as
 * their entries say, or the quarantine without unmapping) must be intact.
 */
export function framesAllocated(p: FramePoison, first: u64, last: u64): void {
  const step = directMapStep;
  if (step !== null) {
    step(first, last, true, p.poisoning ? p : null);
    return;
  }
  if (!p.poisoning) return;
  for (let s: u32 = 0; s < QUARANTINE; s++) {
    const qf: u64 = p.firsts.get(s);
    const ql: u64 = p.lasts.get(s);
    if (qf === EMPTY || ql < first || qf > last) continue;
    const lo: u64 = qf > first ? qf : first;
    const hi: u64 = ql < last ? ql : last;
    for (let f: u64 = lo; f <= hi; f++) checkPoisoned(p, f);
    // What is not handed out stays poisoned and remembered (at most two pieces: keep the lower).
    if (qf < first) p.lasts.set(s, first - 1n);
    else if (ql > last) p.firsts.set(s, last + 1n);
    else {
      p.firsts.set(s, EMPTY);
      p.lasts.set(s, EMPTY);
    }
  }
}

/** Panics unless every word of frame `f` holds POISON. */
export function checkPoisoned(p: FramePoison, f: u64): void {
  const at: u64 = p.base + (f << FRAME_SHIFT);
  for (let w: u64 = 0n; w < WORDS_PER_FRAME; w++) {
    const v: u64 = load64(at + w * 8n);
    if (v !== POISON) panic(`use after free: frame p${hex(f << FRAME_SHIFT)} was written after it was freed (word at +${hex(w * 8n)} holds ${hex(v)}, not the poison ${hex(POISON)})`);
  }
  p.checked += 1n;
}
