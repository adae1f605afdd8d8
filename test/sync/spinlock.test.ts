// The ticket spinlock (kernel/sync) under Node: the guard's scope, interrupts off while
// held, the named panics of misuse, and the lock discipline under the deterministic
// scheduler of simulated CPUs (test/sim/smp.ts), which preempts at every atomic: it must
// find the lost update of an unlocked read-modify-write, of a lock that does not wait, and
// of a critical section split in two, and find none with the lock held across it.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { AtomicU64, LoadOrder, RmwOrder, SpinLock, StoreOrder } from "../../kernel/sync";
import { setCpuLocal } from "../../kernel/arch/x86_64/cpu_local";
import { enableInterrupts } from "../../kernel/lib/intrinsics";
import { currentSimCpu, Infeasible, SimDeadlock, SmpScheduler } from "../sim/smp";
import { panicOf, useSimulatedConsole } from "../mm/support";

useSimulatedConsole();

describe("SpinLock on one CPU", () => {
  it("is held inside the guard's scope, with interrupts off, and released at its end", () => {
    const lock = new SpinLock("test");
    enableInterrupts();
    {
      using g = lock.acquire();
      expect(lock.heldByMe()).toBe(true);
      expect(currentSimCpu().interrupts).toBe(false);
      lock.assertHeld();
    }
    expect(lock.heldByMe()).toBe(false);
    expect(currentSimCpu().interrupts).toBe(true);
    expect(lock.contentions).toBe(0n);
  });

  it("leaves interrupts off after release when they were off at acquire", () => {
    const lock = new SpinLock("test");
    {
      using outer = lock.acquire();
    }
    expect(currentSimCpu().interrupts).toBe(false);
  });

  it("panics, naming the lock and the CPU, on re-acquisition by its holder", () => {
    const lock = new SpinLock("frames");
    setCpuLocal(2);
    using g = lock.acquire();
    expect(panicOf(() => lock.acquire())).toContain('spinlock "frames" acquired again by CPU 2, which holds it (deadlock)');
  });

  it("panics on release and on assertHeld by a CPU that does not hold it", () => {
    const lock = new SpinLock("pages");
    expect(panicOf(() => lock.releaseHeld(false, 0))).toContain('spinlock "pages" released by CPU 0, which does not hold it');
    expect(panicOf(() => lock.assertHeld())).toContain('spinlock "pages" is not held by CPU 0, which needs it here');
  });

  it("a spin with no other CPU to run is a deadlock in the simulation", () => {
    const lock = new SpinLock("leak");
    const g = lock.acquire();
    setCpuLocal(1); // another CPU index on the same simulated CPU: it would wait forever
    expect(() => lock.acquire()).toThrow(SimDeadlock);
    setCpuLocal(0);
    g.release();
  });
});

/** What one scheduled run found. */
type Outcome = { kind: "infeasible" } | { kind: "ran"; total: bigint; preemptions: number };

const stats = { runs: 0, infeasible: 0, preemptions: 0 };
afterAll(() => {
  console.log(`spinlock interleavings: ${stats.runs} schedules, ${stats.infeasible} infeasible (discarded), ${stats.preemptions} preemptions at atomics`);
});

/** Runs `cpus` CPUs each doing `each` increments of one counter with `increment`, along `schedule`. */
function countWith(increment: (counter: AtomicU64, lock: SpinLock) => void, schedule: number[], cpus = 3, each = 2): Outcome {
  const counter = new AtomicU64(0n);
  const lock = new SpinLock("counter");
  const programs = Array.from({ length: cpus }, () => Array.from({ length: each }, () => () => increment(counter, lock)));
  const s = new SmpScheduler(programs, schedule);
  stats.runs++;
  try {
    s.run();
  } catch (e) {
    if (!(e instanceof Infeasible)) throw e;
    stats.infeasible++;
    return { kind: "infeasible" };
  }
  stats.preemptions += s.preemptions;
  return { kind: "ran", total: counter.load(LoadOrder.SeqCst), preemptions: s.preemptions };
}

const unlocked = (c: AtomicU64): void => {
  const v = c.load(LoadOrder.Relaxed);
  c.store(v + 1n, StoreOrder.Relaxed);
};
const locked = (c: AtomicU64, lock: SpinLock): void => {
  using g = lock.acquire();
  const v = c.load(LoadOrder.Relaxed);
  c.store(v + 1n, StoreOrder.Relaxed);
};
/** Each half under the lock, the lock dropped in between: still a lost update. */
const splitSection = (c: AtomicU64, lock: SpinLock): void => {
  let v = 0n;
  {
    using g = lock.acquire();
    v = c.load(LoadOrder.Relaxed);
  }
  using g = lock.acquire();
  c.store(v + 1n, StoreOrder.Relaxed);
};
/** Failed compare-and-swaps of casLoop (another CPU came in between its load and its CAS). */
let casRetries = 0;
/** Lock-free: retry the compare-and-swap until no other CPU came in between. */
const casLoop = (c: AtomicU64): void => {
  for (;;) {
    const v = c.load(LoadOrder.Relaxed);
    if (c.compareAndSet(v, v + 1n, RmwOrder.AcqRel)) return;
    casRetries++;
  }
};
/** A "lock" that takes a ticket and never waits for its turn. */
const noWait = (c: AtomicU64, lock: SpinLock): void => {
  const tickets = (lock as unknown as { nextTicket: AtomicU64 }).nextTicket;
  tickets.fetchAdd(1n, RmwOrder.Relaxed);
  const v = c.load(LoadOrder.Relaxed);
  c.store(v + 1n, StoreOrder.Relaxed);
};

/**
 * Schedules with few preemptions (preemption bounding, as CHESS: most concurrency bugs
 * need one or two): "go on" everywhere but at up to three chosen decision points, where
 * the choice runs another CPU. Preempting everywhere would nest every CPU into a wait for
 * one below it (infeasible) and find little.
 */
const schedules = fc
  .array(fc.tuple(fc.nat({ max: 119 }), fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 3 })
  .map((picks) => {
    const schedule = new Array<number>(120).fill(0);
    for (const [at, choice] of picks) schedule[at] = choice;
    return schedule;
  });

/** The first schedule that loses an update, or null when fast-check finds none. */
function lostUpdate(increment: (counter: AtomicU64, lock: SpinLock) => void): number[] | null {
  const r = fc.check(fc.property(schedules, (schedule) => {
    const o = countWith(increment, schedule);
    fc.pre(o.kind === "ran");
    return o.kind === "ran" && o.total === 6n;
  }), { numRuns: 150, seed: 12 });
  return r.failed ? r.counterexample![0] : null;
}

describe("lock discipline under interleavings of simulated CPUs", () => {
  it("the scheduler finds the lost update of an unlocked read-modify-write", () => {
    const schedule = lostUpdate(unlocked);
    expect(schedule).not.toBeNull();
    const replay = countWith(unlocked, schedule!);
    expect(replay.kind === "ran" && replay.total < 6n).toBe(true);
  });

  it("with the lock held across it, no schedule loses an update", () => {
    let preempted = 0;
    fc.assert(fc.property(schedules, (schedule) => {
      const o = countWith(locked, schedule);
      fc.pre(o.kind === "ran");
      if (o.kind === "ran") preempted += o.preemptions;
      return o.kind === "ran" && o.total === 6n;
    }), { numRuns: 150, seed: 12 });
    expect(preempted).toBeGreaterThan(0);
  });

  it("a compare-and-swap retry loop loses no update either (and is preempted between its load and its CAS)", () => {
    expect(lostUpdate(casLoop)).toBeNull();
    expect(casRetries).toBeGreaterThan(0);
    expect(lostUpdate(unlocked)).not.toBeNull(); // the same search finds the plain load-store race
  });

  it("finds the lost update of a critical section split in two", () => {
    expect(lostUpdate(splitSection)).not.toBeNull();
  });

  it("finds the lost update of a lock that does not wait for its turn", () => {
    expect(lostUpdate(noWait)).not.toBeNull();
  });

  it("the same schedule gives the same run (deterministic)", () => {
    const schedule = [1, 2, 0, 3, 1, 1, 0, 2, 2, 1, 3, 0, 1];
    expect(countWith(unlocked, schedule)).toEqual(countWith(unlocked, schedule));
  });
});
