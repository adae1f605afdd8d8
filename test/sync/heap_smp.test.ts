// The kernel heap and the global frame allocator used by several simulated CPUs at once
// (each with its own lock; heap growth under the heap lock takes pages, frames and table
// frames from the locked allocators), interleaved by the scheduler of test/sim/smp.ts.
// Each CPU allocates heap blocks of random sizes, writes a tag (its CPU index, a sequence
// number) at both ends and checks it when it frees, allocates and releases frames directly,
// and sometimes hands a block to another CPU to free. After every operation (no CPU in the
// middle of one) the free list is sound (heapCheck), the live blocks are disjoint and
// counted exactly (heapBlocksUsed), and every frame is counted once; at the end
// everything is free again and the frame allocator holds exactly the heap's pages and the
// page tables. The heap and the allocators are module state shared by all runs, so the
// schedules preempt a CPU only at atomics where it holds no lock and is not taking one (a
// discarded run would leave a ticket nobody serves); preemption inside critical sections
// is test/sync/allocator_smp.test.ts's.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frameAllocator, pageAllocator } from "../../kernel/mm/alloc";
import { heapAlloc, heapBlocksUsed, heapBytesFree, heapBytesMapped, heapBytesUsed, heapCheck, heapFree, initHeap } from "../../kernel/mm/heap";
import { DIRECT_MAP_BASE, FrameRange, HEAP_BASE, HEAP_WINDOW_SIZE, PageRange } from "../../kernel/mm/addr";
import { Mapper } from "../../kernel/mm/paging";
import { currentCpu } from "../../kernel/arch/x86_64/cpu_local";
import { machine, resetMachine } from "../sim/machine";
import { setConsoleSink } from "../../kernel/lib/console";
import { Infeasible, SmpScheduler, unpreempted } from "../sim/smp";
import { type AllocatedFrames } from "../../kernel/mm/alloc";
import { locksHeldByMe, SpinLock } from "../../kernel/sync";

const ALL = process.env.KEEL_TEST_ALL === "1";
const CPUS = ALL ? 4 : 3;

resetMachine();
setConsoleSink((b) => machine.out(0x3f8, b));
const FRAMES = 0x4000n; // 64 MiB
frameAllocator.addFree(FrameRange.empty().withNumbers(0x100n, FRAMES));
pageAllocator.addReserved(PageRange.empty().withNumbers(HEAP_BASE >> 12n, HEAP_WINDOW_SIZE >> 12n));
const mapper = Mapper.create(frameAllocator, DIRECT_MAP_BASE, 0n);
initHeap(mapper, 0x1000n); // one page: the CPUs make it grow

// The safe preemption points: a CPU holding no lock, at the first atomic of an acquire
// (before it takes a ticket); never later in acquire nor in releaseHeld (a ticket taken, or
// the lock not yet handed on). The counts are per CPU: atomics seen since entering acquire.
const inAcquire = new Map<number, number>();
const inRelease = new Set<number>();
const acquire = SpinLock.prototype.acquire;
SpinLock.prototype.acquire = function (this: SpinLock, ...args: Parameters<SpinLock["acquire"]>) {
  const cpu = currentCpu();
  inAcquire.set(cpu, 0);
  try {
    return acquire.apply(this, args);
  } finally {
    inAcquire.delete(cpu);
  }
};
const releaseHeld = SpinLock.prototype.releaseHeld;
SpinLock.prototype.releaseHeld = function (this: SpinLock, ...args: Parameters<SpinLock["releaseHeld"]>) {
  const cpu = currentCpu();
  inRelease.add(cpu);
  try {
    releaseHeld.apply(this, args);
  } finally {
    inRelease.delete(cpu);
  }
};
const mayPreempt = () => {
  const cpu = currentCpu();
  if (locksHeldByMe() !== 0 || inRelease.has(cpu)) return false;
  const seen = inAcquire.get(cpu);
  if (seen === undefined) return true;
  inAcquire.set(cpu, seen + 1);
  return seen === 0;
};

interface Block {
  a: bigint;
  size: bigint;
  tag: bigint;
}
type Step = { kind: "alloc"; size: number } | { kind: "free"; pick: number } | { kind: "handOver" } | { kind: "frames"; count: number } | { kind: "releaseFrames" };

/** Runs the CPUs' programs along `schedule`; returns the preemptions taken. */
function run(programs: Step[][], schedule: number[]): number {
  const held: Block[][] = programs.map(() => []);
  const frames: AllocatedFrames[][] = programs.map(() => []);
  let seq = 0n;
  const free = (cpu: number, pick: number) => {
    const list = held[cpu]!;
    if (list.length === 0) return;
    const [b] = list.splice(pick % list.length, 1);
    if (b!.size >= 16n) {
      expect(machine.load(b!.a, 8)).toBe(b!.tag);
      expect(machine.load(b!.a + b!.size - 8n, 8)).toBe(b!.tag);
    }
    heapFree(b!.a);
  };
  const perform = (cpu: number, step: Step) => {
    if (step.kind === "alloc") {
      const size = BigInt(step.size);
      const a = heapAlloc(size);
      expect(a).not.toBe(0n);
      const tag = (BigInt(currentCpu()) << 32n) | ++seq;
      if (size >= 16n) {
        machine.store(a, 8, tag);
        machine.store(a + size - 8n, 8, tag);
      }
      held[cpu]!.push({ a, size, tag });
    } else if (step.kind === "free") free(cpu, step.pick);
    else if (step.kind === "frames") {
      const f = frameAllocator.allocate(BigInt(step.count)).allocated;
      expect(f).not.toBeNull();
      frames[cpu]!.push(f!);
    } else if (step.kind === "releaseFrames") frames[cpu]!.shift()?.release();
    else {
      const b = held[cpu]!.shift();
      if (b !== undefined) held[(cpu + 1) % held.length]!.push(b);
    }
  };
  const check = () => {
    heapCheck();
    const all = held.flat().sort((x, y) => (x.a < y.a ? -1 : 1));
    for (let i = 1; i < all.length; i++) if (all[i - 1]!.a + all[i - 1]!.size > all[i]!.a) throw new Error(`heap blocks ${all[i - 1]!.a} and ${all[i]!.a} overlap`);
    if (heapBlocksUsed() !== BigInt(all.length)) throw new Error(`heapBlocksUsed ${heapBlocksUsed()}, the CPUs hold ${all.length}`);
    const direct = frames.flat().reduce((n, f) => n + f.sizeInChunks(), 0n);
    const heapFrames = heapBytesMapped() / 4096n + BigInt(mapper.tableFrameCount());
    if (frameAllocator.allocatedChunks() !== heapFrames + direct) throw new Error(`frames allocated ${frameAllocator.allocatedChunks()}, expected ${heapFrames} (heap, tables) + ${direct} (CPUs)`);
    if (frameAllocator.freeChunks() + frameAllocator.allocatedChunks() !== FRAMES) throw new Error("frames lost or doubled");
  };
  const ops = programs.map((steps, cpu) => [
    ...steps.map((step) => () => perform(cpu, step)),
    () => {
      while (held[cpu]!.length > 0) free(cpu, 0);
      while (frames[cpu]!.length > 0) frames[cpu]!.shift()!.release();
    },
  ]);
  const checked = ops.map((list) => list.map((op) => () => {
    op();
    if (s.depth() === 1) unpreempted(check);
  }));
  const s: SmpScheduler = new SmpScheduler(checked, schedule, mayPreempt);
  try {
    s.run();
  } catch (e) {
    // No schedule can be infeasible here (mayPreempt): any exception is a failure.
    if (e instanceof Infeasible) throw new Error(`a schedule needed a CPU suspended inside a lock: ${String(e)}`);
    throw e;
  }
  held.forEach((list, cpu) => {
    while (list.length > 0) free(cpu, 0); // handed over after the receiver's last operation: the boot CPU frees it
  });
  check();
  return s.preemptions;
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 12_000 }).map((size): Step => ({ kind: "alloc", size })), weight: 4 },
  { arbitrary: fc.nat().map((pick): Step => ({ kind: "free", pick })), weight: 3 },
  { arbitrary: fc.constant<Step>({ kind: "handOver" }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 3 }).map((count): Step => ({ kind: "frames", count })), weight: 2 },
  { arbitrary: fc.constant<Step>({ kind: "releaseFrames" }), weight: 2 },
);
const programs = fc.array(fc.array(step, { maxLength: ALL ? 30 : 10 }), { minLength: CPUS, maxLength: CPUS });
const schedule = fc
  .array(fc.tuple(fc.nat({ max: 59 }), fc.integer({ min: 1, max: 6 })), { maxLength: 12 })
  .map((picks) => {
    // Dense: only the safe points (about one per operation) consume the schedule.
    const s = new Array<number>(60).fill(0);
    for (const [at, choice] of picks) s[at] = choice;
    return s;
  });

describe("kernel heap on several simulated CPUs (its own lock)", () => {
  it("keeps blocks disjoint and intact, counts exact, and frees back to one block, under every explored interleaving", () => {
    let preemptions = 0;
    fc.assert(fc.property(programs, schedule, (p, s) => {
      preemptions += run(p, s);
      // Everything is free again: one block over the whole mapped heap.
      expect(heapBytesUsed()).toBe(0n);
      expect(heapBytesFree()).toBe(heapBytesMapped());
    }), { numRuns: ALL ? 400 : 40, seed: 21 });
    expect(preemptions).toBeGreaterThan(20);
    expect(heapBytesMapped()).toBeGreaterThan(0x1000n); // the CPUs made it grow
    // Frames: the heap's (one per mapped page) and the page tables', nothing else, nothing twice.
    frameAllocator.flushMagazine();
    expect(frameAllocator.allocatedChunks()).toBe(heapBytesMapped() / 4096n + BigInt(mapper.tableFrameCount()));
    expect(frameAllocator.freeChunks() + frameAllocator.allocatedChunks()).toBe(FRAMES);
  });
});
