// How the single-frame fast path scales with CPUs (issue 12's measures), the console's
// `fastpath N`: every online CPU at once allocates and releases one frame N times. With
// per-CPU magazines (mm/alloc) a pair touches only the calling CPU's magazine after the
// first refill: no lock, no atomic, no line shared with another CPU, so the rate should grow
// with the CPUs (as far as the host gives QEMU's vCPU threads cores of their own). Timed by
// the boot CPU's TSC between two barriers; the frame allocator's counts must be back where
// they were.
import { type bool, u32, u64 } from "../../lib/int";
import { println } from "../../lib/console";
import { readTsc } from "../../lib/intrinsics";
import { panic } from "../../lib/panic";
import { LoadOrder } from "../../lib/atomic";
import { frameAllocator } from "../../mm/alloc";
import { currentCpu } from "../../arch/x86_64/cpu_local";
import { delayMicros } from "../../arch/x86_64/pit_delay";
import { Barrier } from "../barrier";
import { apsReported } from "../ap_main";
import { runOnEveryCpu } from "../work";

/** TSC calibration window. */
const CALIBRATION_MICROS: u64 = 50_000n;

let pairsPerCpu: u64 = 0n;
const barrier = new Barrier();
let tscStart: u64 = 0n;
let tscEnd: u64 = 0n;

/** TSC ticks per millisecond, measured against the PIT over 50 ms. */
export function tscTicksPerMs(): u64 {
  const t0 = readTsc();
  delayMicros(CALIBRATION_MICROS);
  return (readTsc() - t0) / (CALIBRATION_MICROS / 1000n);
}

/** Runs `pairs` single-frame allocate+release pairs on every CPU at once and prints the rate; true when the counts are back. */
export function runFastPath(pairs: u64): bool {
  const cpus: u32 = apsReported.load(LoadOrder.Acquire) + 1;
  pairsPerCpu = pairs;
  barrier.reset(cpus);
  const allocated = frameAllocator.allocatedChunks();
  const free = frameAllocator.freeChunks();
  const tscPerMs = tscTicksPerMs();
  runOnEveryCpu(fastPathEveryCpu);
  const ticks: u64 = tscEnd - tscStart;
  const total: u64 = u64(cpus) * pairs;
  const perSecond: u64 = ticks === 0n ? 0n : (total * tscPerMs * 1000n) / ticks;
  const ok: bool = frameAllocator.allocatedChunks() === allocated && frameAllocator.freeChunks() === free;
  println(`fastpath: ${cpus} CPUs x ${pairs} single-frame allocate+release pairs in ${ticks / tscPerMs} ms (boot CPU's TSC): ${perSecond} pairs/s, ${perSecond / u64(cpus)} per CPU; frames allocated ${frameAllocator.allocatedChunks()} (before ${allocated})${ok ? "" : ": MISMATCH"}`);
  return ok;
}

/** The job of every CPU: the pairs between two barriers. */
function fastPathEveryCpu(): void {
  const cpu = currentCpu();
  barrier.wait();
  if (cpu === 0) tscStart = readTsc();
  for (let i: u64 = 0n; i < pairsPerCpu; i++) {
    const frame = frameAllocator.allocate(1n).allocated;
    if (frame === null) return panic(`fastpath: CPU ${cpu} got no frame`);
    frame.release();
  }
  barrier.wait();
  if (cpu === 0) tscEnd = readTsc();
}
