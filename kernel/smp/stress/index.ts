// The SMP stress test (issue 12 point 5), the console's `stress N [noshootdown]`: every
// online CPU, the boot CPU included, runs N random operations (ops.ts) at once, then the
// shootdown probe (probe.ts). Checked, and printed:
//   - halfway and at the end, every frame and page is accounted for exactly once: the
//     allocators' allocated counts equal what they were before, plus what the CPUs hold
//     (their own counters, read while all wait at a barrier), plus what the mapper's tables
//     and the heap took meanwhile; free + allocated frames never change;
//   - no CPU read a word of its own mappings that was not its own mark (another CPU's mark
//     is counted apart: a frame handed out twice, or a write through a stale TLB entry);
//   - a page unmapped by one CPU faults on every other (a read that does not fault is stale).
// Wall time of the operations is the boot CPU's TSC between two barriers, converted with the
// TSC rate measured against the PIT (50 ms of channel 2). `noshootdown` skips the remote
// flushes during the probe, to show that it catches them missing. Returns true when every
// check passed.
import { type bool, u32, u64 } from "../../lib/int";
import { println } from "../../lib/console";
import { readTsc } from "../../lib/intrinsics";
import { LoadOrder } from "../../lib/atomic";
import { frameAllocator, pageAllocator } from "../../mm/alloc";
import { heapBytesMapped } from "../../mm/heap";
import type { Mapper } from "../../mm/paging";
import { kernelPageTables } from "../../boot/memory_init";
import { currentCpu } from "../../arch/x86_64/cpu_local";
import { Barrier } from "../barrier";
import { apsReported } from "../ap_main";
import { runOnEveryCpu } from "../work";
import { shootdownsSent, skipShootdowns } from "../shootdown";
import { corruptWords, foreignWords, framesHeld, nextRandom, opsDone, pagesFilled, pagesHeld, randomOps, refused, releaseAll, resetCounters } from "./ops";
import { tscTicksPerMs } from "./fast_path";
import { flushOwnTlb, missedBefore, probeRound, probesAfter, resetProbeCounters, staleReads } from "./probe";

/** Probe rounds (the initiator goes round the CPUs). */
const PROBE_ROUNDS: u32 = 8;

/** What every CPU of a run reads (set by the boot CPU before posting the job). */
let opsPerCpu: u64 = 0n;
let cpuCount: u32 = 1;
let withShootdowns: bool = true;
let tables: Mapper | null = null;
const barrier = new Barrier();
/** The boot CPU's TSC at the start and end of the operations. */
let tscStart: u64 = 0n;
let tscEnd: u64 = 0n;

/** The allocators' state before a run, and what the mapper's tables and the heap held then. */
let framesBefore: u64 = 0n;
let framesTotal: u64 = 0n;
let pagesBefore: u64 = 0n;
let tablesBefore: u64 = 0n;
let heapBefore: u64 = 0n;
/** Accounting checks that failed (halfway and at the end). */
let accountingFailures: u32 = 0;

/** Runs the stress test with `ops` operations per CPU; prints the report; true when every check passed. */
export function runStress(ops: u64, shootdowns: bool): bool {
  const m = kernelPageTables();
  m.prune(); // the empty tables of earlier commands go first: the counts start from a clean state
  opsPerCpu = ops;
  cpuCount = apsReported.load(LoadOrder.Acquire) + 1;
  withShootdowns = shootdowns;
  tables = m;
  barrier.reset(cpuCount);
  accountingFailures = 0;
  for (let c: u32 = 0; c < cpuCount; c++) {
    resetCounters(c);
    resetProbeCounters(c);
  }
  framesBefore = frameAllocator.allocatedChunks();
  framesTotal = framesBefore + frameAllocator.freeChunks();
  pagesBefore = pageAllocator.allocatedChunks();
  tablesBefore = m.tableFrameCount();
  heapBefore = heapBytesMapped();
  const shootdownsBefore = shootdownsSent();
  const tscPerMs = tscTicksPerMs();
  runOnEveryCpu(stressEveryCpu);
  m.prune();
  checkAccounting("at the end");
  return report(tscPerMs, shootdownsSent() - shootdownsBefore);
}

/** The job of every CPU: the operations in two halves with an accounting check between, then the probe. */
function stressEveryCpu(): void {
  const cpu: u32 = currentCpu();
  const m = tables;
  if (m === null) return;
  let seed: u64 = 0x9e37_79b9_7f4a_7c15n ^ (u64(cpu + 1) << 32n);
  seed = nextRandom(seed);
  barrier.wait();
  if (cpu === 0) tscStart = readTsc();
  const half: u64 = opsPerCpu / 2n;
  seed = randomOps(m, cpu, half, seed);
  barrier.wait();
  if (cpu === 0) checkAccounting("halfway");
  barrier.wait();
  randomOps(m, cpu, opsPerCpu - half, seed);
  releaseAll(cpu);
  barrier.wait();
  if (cpu === 0) {
    tscEnd = readTsc();
    if (!withShootdowns) skipShootdowns(true);
  }
  barrier.wait();
  for (let r: u32 = 0; r < PROBE_ROUNDS; r++) probeRound(m, barrier, cpu, r % cpuCount);
  if (cpu === 0) skipShootdowns(false);
  flushOwnTlb(); // stale entries of a run without shootdowns must not outlive it
  barrier.wait();
}

/** (Called while every other CPU waits at a barrier: the allocators hold still.) Frames and pages allocated now equal those before, plus what the CPUs hold, plus the tables and heap added; free + allocated frames unchanged. */
function checkAccounting(when: string): void {
  const m = tables;
  if (m === null) return;
  let heldFrames: u64 = 0n;
  let heldPages: u64 = 0n;
  for (let c: u32 = 0; c < cpuCount; c++) {
    heldFrames += framesHeld.of(c);
    heldPages += pagesHeld.of(c);
  }
  const heapChunks: u64 = (heapBytesMapped() - heapBefore) >> 12n;
  const tablesNow: u64 = m.tableFrameCount();
  const frames: u64 = frameAllocator.allocatedChunks();
  const pages: u64 = pageAllocator.allocatedChunks();
  const total: u64 = frames + frameAllocator.freeChunks();
  const framesOk: bool = tablesNow >= tablesBefore && frames === framesBefore + heldFrames + (tablesNow - tablesBefore) + heapChunks;
  const pagesOk: bool = pages === pagesBefore + heldPages + heapChunks;
  const ok: bool = framesOk && pagesOk && total === framesTotal;
  if (!ok) accountingFailures++;
  println(`stress: ${when}: frames allocated ${frames} = ${framesBefore} before + ${heldFrames} held by the CPUs + ${tablesNow} - ${tablesBefore} tables + ${heapChunks} heap${framesOk ? "" : " NO"}; pages ${pages} = ${pagesBefore} + ${heldPages} + ${heapChunks}${pagesOk ? "" : " NO"}; free + allocated frames ${total} (before ${framesTotal})${ok ? "" : ": MISMATCH"}`);
}

/** Prints the result lines; true when every check passed. */
function report(tscPerMs: u64, shootdowns: u64): bool {
  let ops: u64 = 0n;
  let foreign: u64 = 0n;
  let corrupt: u64 = 0n;
  let filled: u64 = 0n;
  let refusals: u64 = 0n;
  let missed: u64 = 0n;
  let probes: u64 = 0n;
  let stale: u64 = 0n;
  for (let c: u32 = 0; c < cpuCount; c++) {
    ops += opsDone.of(c);
    foreign += foreignWords.of(c);
    corrupt += corruptWords.of(c);
    filled += pagesFilled.of(c);
    refusals += refused.of(c);
    missed += missedBefore.of(c);
    probes += probesAfter.of(c);
    stale += staleReads.of(c);
  }
  const ms: u64 = tscPerMs === 0n ? 0n : (tscEnd - tscStart) / tscPerMs;
  const perSecond: u64 = ms === 0n ? 0n : (ops * 1000n) / ms;
  println(`stress: ${cpuCount} CPUs x ${opsPerCpu} ops = ${ops} ops in ${ms} ms (boot CPU's TSC, ${tscPerMs} ticks/ms against the PIT): ${perSecond} ops/s; ${filled} pages mapped, filled, checked and unmapped; ${shootdowns} shootdowns; ${refusals} requests refused`);
  println(`stress: words not the reader's own mark: ${foreign} another CPU's, ${corrupt} other`);
  println(`stress: shootdown probe: ${PROBE_ROUNDS} pages unmapped, ${probes} reads by the other CPUs after the unmap, ${stale} did not fault (stale TLB entries)${withShootdowns ? "" : " [shootdowns skipped]"}; ${missed} reads before the unmap faulted`);
  const ok: bool = ops === u64(cpuCount) * opsPerCpu && foreign === 0n && corrupt === 0n && accountingFailures === 0 && stale === 0n && missed === 0n;
  println(ok ? "stress: ok" : "stress: FAILED");
  return ok;
}

export { runFastPath } from "./fast_path";
