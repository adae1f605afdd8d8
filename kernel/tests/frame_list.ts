// A singly linked list of owned frame allocations, for in-kernel tests that hold many.
import type { AllocatedFrames } from "../mm/alloc";
import type { Consumed } from "../lib/owned";

/** One held allocation and the rest of the list. */
export class FrameList {
  readonly frames: AllocatedFrames;
  next: FrameList | null; // mutable: a value class cannot hold itself

  constructor(frames: Consumed<AllocatedFrames>, next: FrameList | null) {
    this.frames = frames;
    this.next = next;
  }
}
