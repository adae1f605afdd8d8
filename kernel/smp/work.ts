// Work for the application processors (issue 12): once reported in, an AP waits for a job
// in `sti; hlt` (interrupts on: the shootdown IPI reaches it, and wakes it) and runs each
// job the boot CPU posts. A job is a function value run on every online CPU, the boot CPU
// included; the poster waits until every AP has finished it. One job at a time, posted by
// the boot CPU (the console's commands).
import type { u64 } from "../lib/int";
import { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "../lib/atomic";
import { disableInterrupts, enableInterrupts, restoreInterrupts, waitForInterrupt } from "../lib/intrinsics";
import { spinPause } from "../lib/spin";
import { IPI_VECTOR } from "../arch/x86_64/interrupts";
import { sendIpiToOthers } from "./local_apic";
import { apsReported } from "./ap_main";

function nothing(): void {}

/** The job posted last. */
let job: () => void = nothing;
/** Generation of the job posted last (0: none yet); each AP remembers the last it ran. */
const jobGeneration = new AtomicU64(0n);
/** APs that finished the job in flight. */
const jobsDone = new AtomicU32(0);
/** Virtual address of the local APIC's registers (0 while only the boot CPU runs). */
let apicBase: u64 = 0n;

/** Lets the boot CPU wake the APs through the local APIC at `base` (before they start). */
export function enableWork(base: u64): void {
  apicBase = base;
}

/**
 * Runs `body` on every online CPU, the calling (boot) CPU included, and returns when every
 * CPU has finished. With APs, interrupts are on while it runs (a CPU running it must take
 * shootdown IPIs; the PIC's lines are masked then, smp/index.ts); alone, nothing changes.
 */
export function runOnEveryCpu(body: () => void): void {
  const aps = apsReported.load(LoadOrder.Acquire);
  job = body;
  jobsDone.store(0, StoreOrder.Relaxed);
  jobGeneration.fetchAdd(1n, RmwOrder.Release);
  if (aps === 0 || apicBase === 0n) {
    body();
    return;
  }
  sendIpiToOthers(apicBase, IPI_VECTOR);
  const interrupts = disableInterrupts();
  enableInterrupts();
  body();
  while (jobsDone.load(LoadOrder.Acquire) < aps) spinPause();
  disableInterrupts();
  restoreInterrupts(interrupts);
}

/** An AP's life after it reported in: waits for jobs with interrupts on and runs each once. Never returns. */
export function waitForJobs(): never {
  let ran: u64 = 0n;
  for (;;) {
    disableInterrupts(); // the test and the halt without a gap: `sti; hlt` wakes on an IPI sent after the test
    if (jobGeneration.load(LoadOrder.Acquire) === ran) {
      waitForInterrupt();
      continue;
    }
    enableInterrupts();
    ran = jobGeneration.load(LoadOrder.Acquire);
    const body = job;
    body();
    jobsDone.fetchAdd(1, RmwOrder.Release);
  }
}
