// A singly linked list of owned frame allocations, for in-kernel tests that hold many.
import type { AllocatedFrames } from "../mm/alloc";
import type { Consumed } from "../lib/owned";

/** One held allocation and the rest of the list. */
export class FrameList {
  frames: AllocatedFrames | null;
  next: FrameList | null; // mutable: a value class cannot hold itself

  constructor(frames: Consumed<AllocatedFrames>, next: FrameList | null) {
    this.frames = frames;
    this.next = next;
  }

  /** Releases the held frames (taken out of the node first: it then holds null). */
  releaseFrames(): void {
    const frames = this.frames;
    this.frames = null;
    if (frames !== null) frames.release();
  }
}
