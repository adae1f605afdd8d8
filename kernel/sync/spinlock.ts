// A ticket spinlock: fair (CPUs get the lock in the order they asked), two cells and one
// `lock xadd` per acquisition. A CPU takes a ticket with fetchAdd on `nextTicket` and spins
// (pause) until `nowServing` reaches it; release hands the lock to the next ticket with a
// release store. Tickets are modular by design (they are compared for equality only, and
// fewer than 2^64 CPUs wait), so both counters wrap, by name (wrappingFetchAdd, wrappingAdd). The guard returned by acquire() releases at scope end:
//
//   using g = lock.acquire();
//
// Interrupts are off on the holding CPU from acquire to release (the previous RFLAGS.IF is
// restored): Keel takes interrupts in kernel code (the test kernel's watchdog timer,
// kernel/arch/x86_64/interrupts.ts), and a handler that spun on a lock its own CPU holds
// would never return, nor may the watchdog abandon a test (longjmp) in a critical section.
//
// Misuse is a named panic: acquiring a lock the same CPU already holds (a certain
// deadlock), releasing a lock the calling CPU does not hold, and `assertHeld` outside it.
import { type bool, type u32, type u64, wrappingAdd } from "../lib/int";
import { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "../lib/atomic";
import { disableInterrupts, restoreInterrupts, spinHint } from "../lib/intrinsics";
import { spinPoll } from "../lib/spin";
import { Owned, type Consumed } from "../lib/owned";
import { panic, panicStop } from "../lib/panic";
import { println } from "../lib/console";
import { callSite, type CallSite } from "../lib/callsite";
import { currentCpu } from "../arch/x86_64/cpu_local";

/** No CPU holds the lock (`holder` is the holding CPU's index + 1). */
const NO_HOLDER: u32 = 0;

/** A fair spinlock; `acquire()` returns the guard that releases it. */
export class SpinLock {
  /** The next ticket to hand out. */
  private readonly nextTicket: AtomicU64;
  /** The ticket whose holder may enter. */
  private readonly nowServing: AtomicU64;
  /** Index + 1 of the CPU holding the lock, NO_HOLDER when free (written only by the holder). */
  private readonly holder: AtomicU32;
  /** Acquisitions that had to wait for another CPU (written by the holder; the uncontended path does not count). */
  contentions: u64;

  constructor(readonly name: string) {
    this.nextTicket = new AtomicU64(0n);
    this.nowServing = new AtomicU64(0n);
    this.holder = new AtomicU32(NO_HOLDER);
    this.contentions = 0n;
  }

  /** Waits for the lock with interrupts off; the guard releases it (and restores interrupts) at scope end. */
  acquire(at: CallSite = callSite()): SpinGuard {
    const me: u32 = currentCpu() + 1;
    if (this.holder.load(LoadOrder.Relaxed) === me) reacquired(this.name, me - 1, at);
    const interrupts = disableInterrupts();
    const ticket = this.nextTicket.wrappingFetchAdd(1n, RmwOrder.Relaxed);
    if (this.nowServing.load(LoadOrder.Acquire) !== ticket) this.waitTurn(ticket);
    this.holder.store(me, StoreOrder.Relaxed);
    return new SpinGuard(this, interrupts);
  }

  /** Spins until `ticket` is served (the contended path, out of the fast one). */
  private waitTurn(ticket: u64): void {
    while (this.nowServing.load(LoadOrder.Acquire) !== ticket) {
      spinHint();
      spinPoll(); // serves TLB shootdowns meanwhile (lib/spin.ts)
    }
    this.contentions += 1n;
  }

  /** True when the calling CPU holds the lock. */
  heldByMe(): bool {
    return this.holder.load(LoadOrder.Relaxed) === currentCpu() + 1;
  }

  /** Panics unless the calling CPU holds the lock: the entry check of code the lock protects. */
  assertHeld(): void {
    if (!this.heldByMe()) panic(`spinlock "${this.name}" is not held by CPU ${currentCpu()}, which needs it here`);
  }

  /** Releases the lock (only SpinGuard calls this) and restores the interrupt flag saved at acquire. */
  releaseHeld(interrupts: bool): void {
    if (!this.heldByMe()) panic(`spinlock "${this.name}" released by CPU ${currentCpu()}, which does not hold it`);
    this.holder.store(NO_HOLDER, StoreOrder.Relaxed);
    // Only the holder writes nowServing: a plain read and a release store hand over.
    this.nowServing.store(wrappingAdd(this.nowServing.load(LoadOrder.Relaxed), 1n), StoreOrder.Release);
    restoreInterrupts(interrupts);
  }
}

/** The re-acquisition panic, reported at the second acquire (the caller's line: that is the bug); a call of its own keeps the formatting out of acquire's fast path. */
export function reacquired(name: string, cpu: u32, at: CallSite): never {
  println(`panic at ${at}: spinlock "${name}" acquired again by CPU ${cpu}, which holds it (deadlock)`);
  return panicStop();
}

/** Holds a SpinLock until released (by `using`, at scope end). */
export class SpinGuard extends Owned {
  private readonly lock: SpinLock;
  /** RFLAGS.IF before acquire. */
  private readonly interrupts: bool;

  constructor(lock: SpinLock, interrupts: bool) {
    super();
    this.lock = lock;
    this.interrupts = interrupts;
  }

  /** Releases the lock. */
  release(this: Consumed<SpinGuard>): void {
    this.lock.releaseHeld(this.interrupts);
  }
}
