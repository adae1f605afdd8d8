// Every busy wait of the kernel goes through spinPause: the `pause` hint, then whatever a
// waiting CPU owes the others. With several CPUs that is the TLB shootdowns posted to it
// (kernel/smp/shootdown.ts registers them): a CPU spinning with interrupts off (for a
// spinlock, the console's line, a barrier) would otherwise never acknowledge a shootdown
// whose initiator holds the lock it waits for, and both would wait forever.
import { spinHint } from "./intrinsics";

function nothing(): void {}

/** What a spinning CPU does on each turn besides `pause` (set once, by the SMP start-up). */
let onSpin: () => void = nothing;

/** Makes `poll` run on every turn of every busy wait (the SMP start-up, before a second CPU runs). */
export function setSpinPoll(poll: () => void): void {
  onSpin = poll;
}

/** One turn of a busy wait: `pause`, then the registered poll. */
export function spinPause(): void {
  spinHint();
  onSpin();
}

/** The registered poll alone, for a wait that issues its own `pause` (the spinlock's: its pause stays inline in acquire). */
export function spinPoll(): void {
  onSpin();
}
