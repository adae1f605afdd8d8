// Where an application processor enters TypeScript: boot/ap_trampoline.S's ap_start64 calls
// apMain(cpuIndex) on the AP's own stack, with the kernel's page tables and boot GDT. It
// points its gs at its CPU-local area (arch/x86_64/cpu_local.ts), loads its own GDT and TSS (double faults on its own IST stack) and the shared IDT,
// software-enables its local APIC (the shootdown IPI's way in), reports in (its APIC id,
// then the online status, in its per-CPU page, which the boot CPU polls) and waits for
// jobs (work.ts) with interrupts on.
import { u32, type u64 } from "../lib/int";
import { load32, load64, store32 } from "../lib/intrinsics";
import { panic } from "../lib/panic";
import { U64Array } from "../lib/fixed_array";
import { AtomicU32, RmwOrder } from "../lib/atomic";
import { installTssAt, loadIdt } from "../arch/x86_64/descriptors";
import { setCpuLocal } from "../arch/x86_64/cpu_local";
import { SPURIOUS_VECTOR } from "../arch/x86_64/interrupts";
import { enableLocalApic } from "./local_apic";
import { waitForJobs } from "./work";
import { CPU_APIC_ID, CPU_DOUBLE_FAULT_TOP, CPU_GDT, CPU_GDT_LIMIT, CPU_ONLINE, CPU_STATUS, CPU_TSS } from "./cpu";

/** xAPIC ID register offset (its id in bits 31..24). */
const LAPIC_ID: u64 = 0x20n;

/** Per-CPU page of each AP by CPU index (0 for the boot CPU and CPUs not started); set before the start-up IPI. */
let cpuPages: U64Array = new U64Array(0, 0n);
/** APs that have reported in: each adds 1 (the shared atomics of lib/atomic.ts); the boot CPU cross-checks its own count with it. */
export const apsReported = new AtomicU32(0);
/** Virtual address of the local APIC's registers (every CPU sees its own there). */
let localApicBase: u64 = 0n;

/** Makes room for `count` CPUs' pages and records where the local APIC is mapped (boot CPU, before any AP starts). */
export function prepareApTable(count: u32, lapicBase: u64): void {
  cpuPages = new U64Array(count, 0n);
  localApicBase = lapicBase;
}

/** Records the per-CPU page of the AP `index` (boot CPU, before its start-up IPI). */
export function setApPage(index: u32, page: u64): void {
  cpuPages.set(index, page);
}

/**
 * The AP's TypeScript entry (called from boot/ap_trampoline.S with its CPU index: the
 * boot CPU is 0, the APs 1, 2, … in the order they were started). Never returns.
 */
export function apMain(cpuIndex: u64): void {
  setCpuLocal(u32(cpuIndex)); // its index through gs, before anything else (cpu_local.ts)
  const page: u64 = cpuPages.get(u32(cpuIndex));
  if (page === 0n) panic(`apMain: CPU ${cpuIndex} has no per-CPU page`);
  installTssAt(page + CPU_GDT, CPU_GDT_LIMIT, page + CPU_TSS, load64(page + CPU_DOUBLE_FAULT_TOP));
  loadIdt();
  enableLocalApic(localApicBase, SPURIOUS_VECTOR);
  store32(page + CPU_APIC_ID, load32(localApicBase + LAPIC_ID) >> 24);
  store32(page + CPU_STATUS, CPU_ONLINE);
  apsReported.fetchAdd(1, RmwOrder.Release);
  waitForJobs();
}
