// Simulated CPUs for the lock discipline: deterministic interleavings of ordinary,
// synchronous kernel code.
//
// Each simulated CPU runs a list of operations (plain functions calling kernel code). Every
// atomic intrinsic is a yield point (test/sim/intrinsics.ts calls `atomic()` before it
// acts): there the schedule may suspend the running CPU and run other CPUs' next
// operations, nested on the JavaScript stack, before the atomic takes effect. `spinHint()`
// (a CPU waiting for another) always runs another CPU's next operation. The schedule is a
// list of small numbers (fast-check generates and shrinks it): at a yield point 0 means
// "go on" and k > 0 "run the next operation of the ((k-1) mod n)-th other runnable CPU";
// at the top level k picks the CPU whose next operation starts.
//
// One JavaScript stack cannot resume a suspended CPU before the CPUs above it finish their
// operation, so a schedule in which a nested CPU waits for one suspended below it (it spins
// on a lock held below) cannot be simulated: it throws `Infeasible`, and a property test
// discards that schedule (fc.pre). What remains covers preemption at every atomic of code
// without a lock, and every order of whole critical sections; a spin with no other CPU
// that could ever run is a real deadlock (`SimDeadlock`).
//
// Plain loads and stores of kernel objects are not yield points (they are not intrinsics):
// a missing lock around code with no atomic inside is caught by the lock's own
// `assertHeld()` at the code's entry, not by an interleaving.

/** One simulated CPU's state. */
export interface SimCpu {
  /** Its position among the simulated CPUs. */
  readonly index: number;
  /** The CPU index installed in its gs area (installCpuLocal), null before. */
  gsIndex: number | null;
  /** RFLAGS.IF. */
  interrupts: boolean;
}

/** Thrown when a schedule needs a CPU suspended lower on the stack to move: discard the schedule. */
export class Infeasible extends Error {
  constructor(cpu: number) {
    super(`CPU ${cpu} waits for a CPU suspended below it on the simulation's stack`);
    this.name = "Infeasible";
  }
}

/** Thrown when a CPU spins and no other CPU can ever run: a real deadlock. */
export class SimDeadlock extends Error {
  constructor(cpu: number) {
    super(`CPU ${cpu} spins and no other simulated CPU can run: deadlock`);
    this.name = "SimDeadlock";
  }
}

interface Runner {
  cpu: SimCpu;
  ops: (() => void)[];
  next: number;
  onStack: boolean;
}

/** The CPU running when no scheduler is active: index 0 installed, as the bootstrap CPU after setCpuLocal(0). */
const bootCpu: SimCpu = { index: 0, gsIndex: 0, interrupts: false };

let active: SmpScheduler | null = null;

/** The simulated CPU running kernel code now. */
export function currentSimCpu(): SimCpu {
  return active ? active.current.cpu : bootCpu;
}

/** Yield point of an atomic intrinsic (no-op without a scheduler). */
export function atomicYield(): void {
  active?.atomic();
}

/** A spin-wait turn: another CPU runs; without a scheduler nothing else can, so it is a deadlock. */
export function spinYield(): void {
  if (!active) throw new SimDeadlock(bootCpu.index);
  active.spin();
}

/** Runs `fn` with no preemption at its atomics (a test's own checks between operations, which may take the locks they inspect). */
export function unpreempted<T>(fn: () => T): T {
  if (!active) return fn();
  const s = active;
  s.quiet++;
  try {
    return fn();
  } finally {
    s.quiet--;
  }
}

/** Resets the bootstrap CPU's state (between tests). */
export function resetSimCpus(): void {
  active = null;
  bootCpu.gsIndex = 0;
  bootCpu.interrupts = false;
}

/** Deterministic interleaving of simulated CPUs along a schedule. */
export class SmpScheduler {
  private readonly runners: Runner[];
  /** The runner on top of the stack. */
  current: Runner;
  private readonly stack: Runner[] = [];
  private pos = 0;
  /** Why the run stopped (Infeasible or SimDeadlock): unwinding (guards releasing) must not schedule anything more. */
  private stopped: Error | null = null;
  /** Yield points reached and preemptions taken (to check a test exercised the scheduler). */
  yieldPoints = 0;
  preemptions = 0;
  /** Nesting depth of unpreempted(): atomics do not yield while above 0. */
  quiet = 0;

  /**
   * `programs[i]` is CPU i's operations, in order; each CPU starts with its index installed.
   * `mayPreempt`, when given, is asked at each atomic: false keeps the current CPU running
   * there (a test of shared long-lived state avoids schedules it would have to discard,
   * since a discarded run leaves a lock with a waiter that never comes back).
   */
  constructor(programs: (() => void)[][], private readonly schedule: readonly number[], private readonly mayPreempt: (() => boolean) | null = null) {
    this.runners = programs.map((ops, index) => ({ cpu: { index, gsIndex: index, interrupts: false }, ops, next: 0, onStack: false }));
    this.current = this.runners[0]!;
  }

  private choice(): number {
    return this.schedule[this.pos++] ?? 0;
  }

  /** Operations on the stack: 1 while a top-level operation runs (no other CPU is in the middle of one). */
  depth(): number {
    return this.stack.length;
  }

  /** Runs every CPU's operations to the end along the schedule. */
  run(): void {
    if (active) throw new Error("SmpScheduler.run: a scheduler is already running");
    active = this;
    try {
      for (;;) {
        const ready = this.runners.filter((r) => r.next < r.ops.length);
        if (ready.length === 0) return;
        this.step(ready[this.choice() % ready.length]!);
      }
    } catch (e) {
      // What the disposals run while unwinding may throw is secondary (a SuppressedError).
      throw this.stopped ?? e;
    } finally {
      active = null;
    }
  }

  /** Runs the next operation of `r` on top of the stack. */
  private step(r: Runner): void {
    const below = this.current;
    const op = r.ops[r.next++]!;
    r.onStack = true;
    this.stack.push(r);
    this.current = r;
    try {
      op();
    } finally {
      this.stack.pop();
      r.onStack = false;
      this.current = this.stack[this.stack.length - 1] ?? below;
    }
  }

  /** CPUs that could start an operation now (not suspended on the stack, operations left). */
  private runnable(): Runner[] {
    return this.runners.filter((r) => !r.onStack && r.next < r.ops.length);
  }

  /** An atomic is about to act on the current CPU: maybe run other CPUs first. */
  atomic(): void {
    if (this.stopped || this.quiet > 0) return;
    if (this.mayPreempt !== null && !this.mayPreempt()) return;
    this.yieldPoints++;
    const k = this.choice();
    if (k === 0) return;
    const others = this.runnable();
    if (others.length === 0) return;
    this.preemptions++;
    this.step(others[(k - 1) % others.length]!);
  }

  /** The current CPU waits for another: run one that can make progress. */
  spin(): void {
    if (this.stopped) throw this.stopped;
    const others = this.runnable();
    if (others.length === 0) {
      this.stopped = this.stack.length > 1 ? new Infeasible(this.current.cpu.index) : new SimDeadlock(this.current.cpu.index);
      throw this.stopped;
    }
    this.step(others[this.choice() % others.length]!);
  }
}
