// The chunk allocator used by several simulated CPUs at once, with nothing around it: its
// own lock, per-CPU magazines and node-pool growth with the lock dropped, interleaved by
// the scheduler of test/sim/smp.ts at every atomic (the lock's). CPUs allocate runs and
// single chunks, release them (their own, or ones another CPU handed them: a chunk may
// leave through another CPU's magazine) and flush their magazine. After every operation
// (no CPU in the middle of one) every chunk is in exactly one place: held by one CPU, in
// one CPU's magazine, or in a free region; the allocator's counts equal the CPUs' sum; and
// once everything is released and flushed the allocator is back where it started (one
// region, nothing allocated, the node pool's nodes all free).
//
// The allocator's code between two atomics is never preempted in the simulation, so a
// variant instruments its free set with a yield point inside each take/give (where a real
// CPU could be overtaken): with the real lock the property still holds; with one lock per
// CPU (a lock that excludes nothing) the scheduler finds the broken interleaving. The core
// also checks its lock on entry (assertHeld).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AllocatedFrames, AllocError, ChunkAllocator, NodePool } from "../../kernel/mm/alloc";
import { NODES_PER_OPERATION } from "../../kernel/mm/alloc/allocator";
import { FrameRange, type Frame, type PhysicalAddress } from "../../kernel/mm/addr";
import { SpinLock } from "../../kernel/sync";
import { currentCpu } from "../../kernel/arch/x86_64/cpu_local";
import { atomicYield, Infeasible, SmpScheduler, unpreempted } from "../sim/smp";
import { panicOf, useSimulatedConsole } from "../mm/support";

useSimulatedConsole();

const ALL = process.env.KEEL_TEST_ALL === "1";
const BASE = 0x100n;
const TOTAL = 200n;
const CPUS = ALL ? 4 : 3;

type Frames = ChunkAllocator<PhysicalAddress, Frame, FrameRange>;
/** One CPU's step. */
type Step = { kind: "alloc"; count: bigint } | { kind: "release"; newest: boolean } | { kind: "handOver" } | { kind: "flush" };
/** What the allocator is run with: `yieldInside` puts a yield point inside the free set's take and give; `lockPerCpu` breaks the lock. */
interface Variant {
  yieldInside: boolean;
  lockPerCpu: boolean;
}

// The test reaches into the allocator (its private free set and lock) to instrument it.
type Inside = { free: { take: (f: bigint, l: bigint) => number; give: (f: bigint, l: bigint) => void }; lock: unknown };

function makeAllocator(v: Variant): { a: Frames; pool: NodePool } {
  const a: Frames = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>("smp frames", FrameRange.empty(), 16);
  a.addFree(FrameRange.empty().withNumbers(BASE, TOTAL));
  // A tiny growing pool: the first locked operations grow it, with the lock dropped, under other CPUs' feet.
  const pool = NodePool.growing(2);
  a.upgrade(pool);
  const inside = a as unknown as Inside;
  if (v.yieldInside) {
    const free = inside.free;
    const take = free.take.bind(free);
    const give = free.give.bind(free);
    free.take = (f, l) => {
      atomicYield();
      return take(f, l);
    };
    free.give = (f, l) => {
      atomicYield();
      give(f, l);
    };
  }
  if (v.lockPerCpu) {
    const locks = Array.from({ length: CPUS }, (_, i) => new SpinLock(`smp frames ${i}`));
    const mine = () => locks[currentCpu()]!;
    inside.lock = { acquire: () => mine().acquire(), heldByMe: () => mine().heldByMe(), assertHeld: () => mine().assertHeld() };
  }
  return { a, pool };
}

/** Runs the CPUs' programs along `schedule`; false when the schedule is infeasible (discarded). */
function run(v: Variant, programs: Step[][], schedule: number[]): boolean {
  const { a, pool } = makeAllocator(v);
  const held: AllocatedFrames[][] = programs.map(() => []);
  const release = (cpu: number, newest: boolean) => {
    const al = newest ? held[cpu]!.pop() : held[cpu]!.shift();
    al?.release();
  };
  const perform = (cpu: number, step: Step) => {
    switch (step.kind) {
      case "alloc": {
        const r = a.allocate(step.count);
        if (r.allocated !== null) held[cpu]!.push(r.allocated);
        else expect(r.error).toBe(AllocError.OutOfMemory);
        return;
      }
      case "release":
        return release(cpu, step.newest);
      case "handOver": {
        const al = held[cpu]!.shift();
        if (al !== undefined) held[(cpu + 1) % held.length]!.push(al);
        return;
      }
      case "flush":
        return a.flushMagazine();
    }
  };
  // Every chunk exactly once: held by one CPU, in one CPU's magazine, or in a free region
  // (plain checks, not expect per chunk: this runs after every operation).
  const check = () => {
    const where: (string | undefined)[] = new Array(Number(TOTAL));
    let placed = 0;
    const place = (n: bigint, what: string) => {
      if (n < BASE || n >= BASE + TOTAL) throw new Error(`chunk ${n} (${what}) is not the allocator's`);
      const i = Number(n - BASE);
      if (where[i] !== undefined) throw new Error(`chunk ${n} is ${what} and ${where[i]}`);
      where[i] = what;
      placed++;
    };
    let sum = 0n;
    held.forEach((list, cpu) => {
      for (const al of list) {
        for (let n = al.start().number(); n <= al.end().number(); n++) place(n, `held by CPU ${cpu}`);
        sum += al.sizeInChunks();
      }
    });
    for (let cpu = 0; cpu < programs.length; cpu++) {
      for (let i = 0; i < a.magazineSizeOf(cpu); i++) place(a.magazineChunkOf(cpu, i).firstNumber(), `in CPU ${cpu}'s magazine`);
    }
    for (let r = a.freeRegionFrom(false, 0n); !r.isEmpty(); r = a.freeRegionFrom(false, r.lastNumber() + 1n)) {
      for (let n = r.firstNumber(); n <= r.lastNumber(); n++) place(n, "free");
    }
    if (BigInt(placed) !== TOTAL) throw new Error(`${placed} chunks found of ${TOTAL}`);
    if (a.allocatedChunks() !== sum) throw new Error(`allocatedChunks ${a.allocatedChunks()}, the CPUs hold ${sum}`);
    if (a.freeChunks() + sum !== TOTAL) throw new Error(`freeChunks ${a.freeChunks()} + held ${sum} != ${TOTAL}`);
  };
  const ops = programs.map((steps, cpu) => [
    ...steps.map((step) => () => perform(cpu, step)),
    // Finally each CPU gives back everything it holds and flushes its magazine.
    () => {
      while (held[cpu]!.length > 0) release(cpu, false);
      a.flushMagazine();
    },
  ]);
  const checked = ops.map((list) => list.map((op) => () => {
    op();
    if (s.depth() === 1) unpreempted(check);
  }));
  const s: SmpScheduler = new SmpScheduler(checked, schedule);
  try {
    s.run();
  } catch (e) {
    if (e instanceof Infeasible) return false;
    throw e;
  }
  check();
  // What was handed to a CPU after its last operation is released by the boot CPU (CPU 0).
  for (const list of held) while (list.length > 0) list.shift()!.release();
  a.flushMagazine();
  check();
  expect(a.allocatedChunks()).toBe(0n);
  expect(a.freeChunks()).toBe(TOTAL);
  expect(a.freeRegionCount(false)).toBe(1);
  expect(pool.used()).toBe(1);
  expect(pool.available()).toBeGreaterThanOrEqual(NODES_PER_OPERATION);
  return true;
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant<Step>({ kind: "alloc", count: 1n }), weight: 4 },
  { arbitrary: fc.bigInt({ min: 2n, max: 9n }).map((count): Step => ({ kind: "alloc", count })), weight: 2 },
  { arbitrary: fc.boolean().map((newest): Step => ({ kind: "release", newest })), weight: 4 },
  { arbitrary: fc.constant<Step>({ kind: "handOver" }), weight: 1 },
  { arbitrary: fc.constant<Step>({ kind: "flush" }), weight: 1 },
);
const programs = fc.array(fc.array(step, { maxLength: ALL ? 24 : 14 }), { minLength: CPUS, maxLength: CPUS });
const schedule = fc
  .array(fc.tuple(fc.nat({ max: 399 }), fc.integer({ min: 1, max: 6 })), { maxLength: 8 })
  .map((picks) => {
    const s = new Array<number>(400).fill(0);
    for (const [at, choice] of picks) s[at] = choice;
    return s;
  });

/** The property over random programs and schedules; counts the feasible runs. */
function property(v: Variant, feasible: { runs: number }) {
  return fc.property(programs, schedule, (p, s) => {
    const ok = run(v, p, s);
    fc.pre(ok);
    feasible.runs++;
  });
}

describe("chunk allocator on several simulated CPUs (its own lock, per-CPU magazines)", () => {
  it("accounts for every chunk exactly once, and returns to its start, under every explored interleaving", () => {
    const feasible = { runs: 0 };
    fc.assert(property({ yieldInside: false, lockPerCpu: false }, feasible), { numRuns: ALL ? 200 : 60, seed: 12 });
    expect(feasible.runs).toBeGreaterThan(30);
  });

  it("still does with preemption inside the critical sections", () => {
    const feasible = { runs: 0 };
    fc.assert(property({ yieldInside: true, lockPerCpu: false }, feasible), { numRuns: ALL ? 200 : 60, seed: 13 });
    expect(feasible.runs).toBeGreaterThan(15);
  });

  it("a lock that excludes nothing (one per CPU) is caught: some interleaving breaks the accounting", () => {
    // A breaking interleaving needs a preemption inside a take or give at the right step, so
    // the search is wide enough not to hang on one seed's luck: at this size it found one for
    // every seed tried (1-8 and 14, 3 and 4 CPUs; at 400 runs, one seed in four missed after
    // the spinlock lost a yield point). It stops at the first found, in about a second.
    const r = fc.check(property({ yieldInside: true, lockPerCpu: true }, { runs: 0 }), { numRuns: ALL ? 8000 : 2000, seed: 14 });
    expect(r.failed).toBe(true);
    // Two CPUs inside one critical section: a refill finds its region taken, a chunk is in two places, or the counts disagree.
    expect(String(r.errorInstance)).toMatch(/could not be taken|already in the set|chunk \d+ is|allocatedChunks|freeChunks|chunks found/);
  });

  it("the core checks its lock: a call that skips it panics", () => {
    const { a } = makeAllocator({ yieldInside: false, lockPerCpu: false });
    const core = a as unknown as { take: (set: unknown, r: FrameRange, reserved: boolean, missing: AllocError) => unknown; free: unknown };
    expect(panicOf(() => core.take(core.free, FrameRange.empty().withNumbers(BASE, 1n), false, AllocError.OutOfMemory))).toContain('spinlock "smp frames" is not held by CPU 0');
  });

  it("each CPU's single chunks come from its own magazine, which no other CPU touches", () => {
    const { a } = makeAllocator({ yieldInside: false, lockPerCpu: false });
    const got: AllocatedFrames[][] = [[], [], []];
    const s = new SmpScheduler([0, 1, 2].map((cpu) => [() => {
      for (let i = 0; i < 5; i++) got[cpu]!.push(a.allocate(1n).allocated!);
    }]), []);
    s.run();
    const sizes = [0, 1, 2].map((cpu) => a.magazineSizeOf(cpu));
    // Each CPU refilled its own magazine with one batch and took 5 from it.
    expect(sizes).toEqual([27, 27, 27]);
    const firstOf = got.map((l) => l.map((al) => al.start().number()));
    expect(new Set(firstOf.flat()).size).toBe(15);
    for (const l of got) for (const al of l) al.release(); // on the boot CPU: into CPU 0's magazine (full ones drain)
    expect(a.allocatedChunks()).toBe(0n);
    expect(a.freeChunks()).toBe(TOTAL);
  });
});
