// TLB shootdown (issue 12 point 4): the mapper (kernel/mm/paging/remote_flush.ts) calls
// `shootdown` with the pages whose mapping it removed or changed, holding its lock, after
// flushing its own TLB. The initiator posts the range, bumps the request's generation, sends
// IPI_VECTOR to every other CPU (one ICR write, shorthand "all but self") and spins until
// each online CPU acknowledged (an atomic counter). Each receiver flushes the range
// (invlpg a page at a time, a CR3 reload past FLUSH_ALL_ABOVE pages) once per generation
// and adds its acknowledgement.
//
// No deadlock: the initiator holds the mapper's lock with interrupts off, and a receiver may
// be spinning for that very lock (or another) with interrupts off too. So every busy wait of
// the kernel serves pending shootdowns (lib/spin.ts's poll), as does the IPI when
// interrupts are on (APs wait for work in `sti; hlt`, the boot CPU polls the serial port
// through spinPause). One request is in flight at a time (`initiators`: the kernel's one
// mapper already serialises them, a second address space would not); a CPU serves each
// generation once (its own it marks served at posting), with interrupts off so that the IPI
// cannot serve it a second time in between.
//
// One CPU online: no IPI, no wait (the registered flush returns at its first test).
import type { bool, u32, u64 } from "../lib/int";
import { CHUNK_SIZE } from "../mm/addr";
import { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "../lib/atomic";
import { disableInterrupts, invlpg, readCr3, restoreInterrupts, writeCr3 } from "../lib/intrinsics";
import { setSpinPoll, spinPause } from "../lib/spin";
import { PerCpu } from "../arch/x86_64/cpu_local";
import { installIpiGates, IPI_VECTOR } from "../arch/x86_64/interrupts";
import { setRemoteFlush } from "../mm/paging";
import { endOfInterrupt, sendIpiToOthers } from "./local_apic";
import { apsReported } from "./ap_main";
import { SpinLock } from "../sync";

/** Pages beyond which a receiver reloads CR3 instead of an invlpg each (Linux's ceiling is 33). */
const FLUSH_ALL_ABOVE: u64 = 32n;

/** The request in flight: written by its initiator before it publishes the generation (release), read after (acquire). */
let requestStart: u64 = 0n;
let requestPages: u64 = 0n;
/** Generation of the last request posted (0: none yet). */
const generation = new AtomicU64(0n);
/** Acknowledgements of the request in flight. */
const acks = new AtomicU32(0);
/** The last generation each CPU served (each writes only its own). */
const served = new PerCpu<u64>(0n);
/** Held by the initiator of the request in flight (waiting for it serves the others' requests). */
const initiators = new SpinLock("shootdown");
/** Virtual address of the local APIC's registers (0: shootdowns not enabled). */
let apicBase: u64 = 0n;
/** Debug switch (the stress test's proof that its probe can fail): remote flushes are skipped. */
let skipping: bool = false;
/** Shootdowns sent and pages they covered, for the stress report. */
let sent: u64 = 0n;

/** Makes the mapper shoot down other CPUs' TLB entries through the local APIC at `base` (boot CPU, before the APs start). */
export function enableShootdowns(base: u64): void {
  apicBase = base;
  installIpiGates(onIpi);
  setSpinPoll(servePending);
  setRemoteFlush(shootdown);
}

/** Skips (true) or restores remote flushes: only to show that the stress test's probe catches the missing shootdown. */
export function skipShootdowns(skip: bool): void {
  skipping = skip;
}

/** Shootdowns sent since start. */
export function shootdownsSent(): u64 {
  return sent;
}

/** Flushes `pages` pages from `start` on every other online CPU and waits for each to acknowledge (mapper lock held). */
function shootdown(start: u64, pages: u64): void {
  const others: u32 = apsReported.load(LoadOrder.Acquire);
  if (others === 0 || apicBase === 0n || skipping) return;
  using g0 = initiators.acquire();
  const g: u64 = generation.load(LoadOrder.Relaxed) + 1n;
  requestStart = start;
  requestPages = pages;
  served.setCurrent(g);
  acks.store(0, StoreOrder.Relaxed);
  generation.store(g, StoreOrder.Release);
  sent += 1n;
  sendIpiToOthers(apicBase, IPI_VECTOR);
  while (acks.load(LoadOrder.Acquire) < others) spinPause();
}

/** Serves the request in flight if the calling CPU has not yet (every busy wait calls this, and the IPI). */
export function servePending(): void {
  if (served.current() === generation.load(LoadOrder.Acquire)) return;
  const interrupts = disableInterrupts();
  const g: u64 = generation.load(LoadOrder.Acquire);
  if (served.current() !== g) {
    served.setCurrent(g);
    flushLocal(requestStart, requestPages);
    acks.fetchAdd(1, RmwOrder.Release);
  }
  restoreInterrupts(interrupts);
}

/** The calling CPU's TLB entries of `pages` pages from `start` go. */
function flushLocal(start: u64, pages: u64): void {
  if (pages > FLUSH_ALL_ABOVE) {
    writeCr3(readCr3());
    return;
  }
  for (let i: u64 = 0n; i < pages; i++) invlpg(start + i * CHUNK_SIZE);
}

/** IPI_VECTOR: a shootdown, or only a wake-up from `sti; hlt` (work.ts); acknowledged to the local APIC. */
function onIpi(): void {
  servePending();
  endOfInterrupt(apicBase);
}
