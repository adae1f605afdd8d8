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
// deadlock), releasing a lock the calling CPU does not hold, `assertHeld` outside it, and
// taking a ranked lock while holding one of the same or a higher rank (lock_order.ts: the
// order every CPU follows, so that no two CPUs can wait for each other).
//
// Each CPU counts the locks it holds (`locksHeldByMe`): code that may enter the heap (a
// `new`) asks it before doing so under a lock it cannot see (kernel/mm/alloc, magazines).
import { type bool, type u32, type u64, wrappingAdd } from "../lib/int";
import { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "../lib/atomic";
import { cpuLockState, disableInterrupts, restoreInterrupts, setCpuLockState, spinHint } from "../lib/intrinsics";
import { spinPoll } from "../lib/spin";
import { Owned, type Consumed } from "../lib/owned";
import { panic, panicStop } from "../lib/panic";
import { println } from "../lib/console";
import { callSite, type CallSite } from "../lib/callsite";
import { currentCpu } from "../arch/x86_64/cpu_local";
import { lockOrderViolated, UNRANKED } from "./lock_order";

/** No CPU holds the lock (`holder` is the holding CPU's index). */
const NO_HOLDER: u32 = 0xffff_ffff;

// Each CPU's lock state is one u32 in its CPU-local area (cpuLockState: one `mov %gs:12`),
// written only by that CPU: the count of locks it holds (ranked or not) above bit 8, the
// highest rank among them (UNRANKED: none ranked) in the low byte. One word, so acquire and
// release each read and write it once.
/** The state's rank byte (ranks are below 256: lock_order.ts). */
const RANK_MASK: u32 = 0xff;
/** Where the state's count starts. */
const COUNT_SHIFT: u32 = 8;
/** One more lock held, in the state's count. */
const COUNT_ONE: u32 = 1 << COUNT_SHIFT;

/** Spinlocks the calling CPU holds now. */
export function locksHeldByMe(): u32 {
  return cpuLockState() >> COUNT_SHIFT;
}

/** A fair spinlock; `acquire()` returns the guard that releases it. */
export class SpinLock {
  /** The next ticket to hand out. */
  private readonly nextTicket: AtomicU64;
  /** The ticket whose holder may enter. */
  private readonly nowServing: AtomicU64;
  /** Index of the CPU holding the lock, NO_HOLDER when free (written only by the holder). */
  private readonly holder: AtomicU32;
  /** Acquisitions that had to wait for another CPU (written by the holder; the uncontended path does not count). */
  contentions: u64;

  /** Its place in the lock order (lock_order.ts); UNRANKED: not checked. Set once, by `ranked`. */
  private rank: u32;

  /** An unranked lock (counted in locksHeldByMe, outside the order check). */
  constructor(readonly name: string) {
    this.rank = UNRANKED;
    this.nextTicket = new AtomicU64(0n);
    this.nowServing = new AtomicU64(0n);
    this.holder = new AtomicU32(NO_HOLDER);
    this.contentions = 0n;
  }

  /** A lock with place `rank` (1..255) in the lock order: taking it while holding a lock of the same or a higher rank panics. */
  static ranked(name: string, rank: u32): SpinLock {
    if (rank === UNRANKED || rank > RANK_MASK) panic(`spinlock "${name}": rank ${rank} is not in 1..${RANK_MASK}`);
    const lock = new SpinLock(name);
    lock.rank = rank;
    return lock;
  }

  /**
   * Waits for the lock with interrupts off; the guard releases it (and restores interrupts)
   * at scope end. Inlined: its uncontended path is a few instructions, fewer than a call's.
   * @inline
   */
  acquire(at: CallSite = callSite()): SpinGuard {
    const cpu = currentCpu();
    const state = cpuLockState();
    const outer = state & RANK_MASK;
    const rank = this.rank;
    if (rank !== UNRANKED && rank <= outer) lockOrderViolated(this.name, rank, outer, cpu, at);
    // The state while held, computed before the atomics (which make C read fields again):
    // one lock more (the count cannot wrap: 2^24 locks held would need as many live
    // guards), the highest rank.
    const held = wrappingAdd(state & ~RANK_MASK, COUNT_ONE) | (rank > outer ? rank : outer);
    const interrupts = disableInterrupts();
    const ticket = this.nextTicket.wrappingFetchAdd(1n, RmwOrder.Relaxed);
    // The uncontended path calls nothing, so it saves no registers; waiting is out of line,
    // and so is the check for a re-acquisition by the holder (whose ticket is never served).
    if (this.nowServing.load(LoadOrder.Acquire) !== ticket) return this.acquireContended(ticket, cpu, held, outer, interrupts, at);
    return this.entered(cpu, held, outer, interrupts);
  }

  /**
   * acquire's contended path: panics when the calling CPU holds the lock (a certain
   * deadlock), else spins until `ticket` is served, serving TLB shootdowns meanwhile
   * (lib/spin.ts), then enters.
   * @cold
   */
  private acquireContended(ticket: u64, cpu: u32, held: u32, outer: u32, interrupts: bool, at: CallSite): SpinGuard {
    if (this.holder.load(LoadOrder.Relaxed) === cpu) reacquired(this.name, cpu, at);
    while (this.nowServing.load(LoadOrder.Acquire) !== ticket) {
      spinHint();
      spinPoll();
    }
    this.contentions += 1n;
    return this.entered(cpu, held, outer, interrupts);
  }

  /** The lock is ours: records CPU `cpu` as holder and its lock state while held (`held`; its rank before was `outer`). */
  private entered(cpu: u32, held: u32, outer: u32, interrupts: bool): SpinGuard {
    this.holder.store(cpu, StoreOrder.Relaxed);
    setCpuLockState(held);
    return new SpinGuard(this, interrupts, outer);
  }

  /** True when the calling CPU holds the lock. */
  heldByMe(): bool {
    return this.holder.load(LoadOrder.Relaxed) === currentCpu();
  }

  /** Panics unless the calling CPU holds the lock: the entry check of code the lock protects. */
  assertHeld(): void {
    if (!this.heldByMe()) panic(`spinlock "${this.name}" is not held by CPU ${currentCpu()}, which needs it here`);
  }

  /** The panic of a release by a CPU that does not hold the lock. */
  private releasedByOther(cpu: u32): never {
    return panic(`spinlock "${this.name}" released by CPU ${cpu}, which does not hold it`);
  }

  /**
   * Releases the lock (only SpinGuard calls this) and restores the interrupt flag and the
   * CPU's rank (`outerRank`) saved at acquire.
   * @inline
   */
  releaseHeld(interrupts: bool, outerRank: u32): void {
    // The CPU's bookkeeping first, before any atomic: the simulated CPUs of the unit tests
    // may abandon a release at an atomic (test/sim/smp.ts), and the count must not leak.
    const cpu = currentCpu();
    const state = cpuLockState();
    if (state < COUNT_ONE) this.releasedByOther(cpu);
    setCpuLockState(((state - COUNT_ONE) & ~RANK_MASK) | outerRank);
    if (this.holder.load(LoadOrder.Relaxed) !== cpu) this.releasedByOther(cpu);
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
  /** The highest rank the CPU held before acquire. */
  private readonly outerRank: u32;

  constructor(lock: SpinLock, interrupts: bool, outerRank: u32) {
    super();
    this.lock = lock;
    this.interrupts = interrupts;
    this.outerRank = outerRank;
  }

  /**
   * Releases the lock.
   * @inline
   */
  release(this: Consumed<SpinGuard>): void {
    this.lock.releaseHeld(this.interrupts, this.outerRank);
  }
}
