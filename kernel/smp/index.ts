// Starting the application processors (issue 12 point 2): for each enabled CPU of the MADT
// other than the boot CPU, its memory (cpu.ts), then INIT-SIPI-SIPI through the boot CPU's
// local APIC to the trampoline (trampoline.ts), then a bounded wait for it to report in
// (ap_main.ts). Waits are timed by the PIT (arch/x86_64/pit_delay.ts). Prints:
//
//   cpus: APs started through the trampoline at p0x1000 (SIPI vector 0x1) in N TSC ticks, unmapped again
//   cpus: 4 online (APIC ids 0,1,2,3)
//   cpus: APIC id 3 did not report in within 1000 ms      (one line per such CPU)
//   cpus: APIC id 300 not started: x2APIC ids above 255 need x2APIC mode
import { u32, u64, type bool } from "../lib/int";
import { print, println } from "../lib/console";
import { readTsc } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { U32Array } from "../lib/fixed_array";
import { delayMicros } from "../arch/x86_64/pit_delay";
import { MAX_CPUS } from "../arch/x86_64/cpu_local";
import type { Madt } from "../acpi";
import type { Mapper } from "../mm/paging";
import type { BootMemory } from "../boot/regions";
import { reserveDeviceMemory } from "../boot/memory_init";
import { enableLocalApic, LocalApic, mapLocalApic } from "./local_apic";
import { maskLegacyInterrupts, SPURIOUS_VECTOR } from "../arch/x86_64/interrupts";
import { enableShootdowns } from "./shootdown";
import { enableWork } from "./work";
import { installTrampoline } from "./trampoline";
import { ApCpu, prepareCpu } from "./cpu";
import { apsReported, prepareApTable, setApPage } from "./ap_main";
import { LoadOrder } from "../lib/atomic";

export { apMain } from "./ap_main";
export { runOnEveryCpu } from "./work";
export { servePending, shootdownsSent, skipShootdowns } from "./shootdown";

/** ICR low words (Intel SDM vol. 3, 10.6.1): INIT, level assert; start-up (vector in bits 7..0). */
const ICR_INIT_ASSERT: u32 = 0x0000_4500;
const ICR_STARTUP: u32 = 0x0000_4600;
/** The MP start-up algorithm's waits: 10 ms after INIT, 200 us after each SIPI. */
const INIT_WAIT_MICROS: u64 = 10_000n;
const SIPI_WAIT_MICROS: u64 = 200n;
/** How long an AP has to report in, in 1 ms steps. */
const REPORT_TIMEOUT_MS: u32 = 1000;

/** The boot CPU's local APIC, mapped once (null before startAps). */
let bootApic: LocalApic | null = null;
/** The APs started, by CPU index, held for their life. */
let cpus: (ApCpu | null)[] = new Array<ApCpu | null>(0).fill(null);

/** Reserves the local APIC's registers in the frame allocator (they lie outside the memory map). Before initMemory. */
export function reserveLocalApic(madt: Madt | null): void {
  if (madt !== null) reserveDeviceMemory(madt.localApic, madt.localApic + 0xfffn);
}

/** Starts every enabled AP of `madt` (null: none known) on the kernel's tables `m` and prints the `cpus: N online` line. */
export function startAps(madt: Madt | null, m: Mapper, mem: BootMemory): void {
  if (madt === null) {
    println("cpus: 1 online (the boot CPU; no MADT to find others)");
    return;
  }
  if (madt.cpuCount() - madt.disabledCount() === 1) {
    // Only the boot CPU: nothing to start, nothing to map (the boot CPU is the one enabled entry).
    for (let i: u32 = 0; i < madt.cpuCount(); i++) if (madt.enabled(i)) println(`cpus: 1 online (APIC ids ${madt.apicIds.get(i)})`);
    return;
  }
  const lapic = mapLocalApic(m, madt.localApic);
  bootApic = lapic;
  // Interrupts on several CPUs: only the IPIs (the PIC's lines masked, off vector 8), and the
  // mapper's shootdowns from before the first AP reports in.
  maskLegacyInterrupts();
  enableLocalApic(lapic.base(), SPURIOUS_VECTOR);
  enableShootdowns(lapic.base());
  enableWork(lapic.base());
  const bsp: u32 = lapic.id();
  const n: u32 = madt.cpuCount();
  cpus = new Array<ApCpu | null>(n + 1).fill(null); // CPU indices 1.. (n + 1: even should the MADT not list the boot CPU)
  prepareApTable(n + 1, lapic.base());
  const t0: u64 = readTsc();
  const online = new U32Array(n, 0);
  let count: u32 = 0;
  /** CPU index of the next AP started (cpu_local.ts: the boot CPU is 0). */
  let next: u32 = 1;
  online.set(count, bsp);
  count++;
  const trampoline = installTrampoline(m, mem);
  for (let i: u32 = 0; i < n; i++) {
    const id: u32 = madt.apicIds.get(i);
    if (!madt.enabled(i) || id === bsp) continue;
    if (id > 0xff) {
      println(`cpus: APIC id ${id} not started: x2APIC ids above 255 need x2APIC mode`);
      continue;
    }
    if (next >= MAX_CPUS) {
      println(`cpus: APIC id ${id} not started: the kernel handles ${MAX_CPUS} CPUs`);
      continue;
    }
    const cpu = prepareCpu(m, next, id);
    setApPage(next, cpu.pageAddress);
    cpus[next] = cpu;
    trampoline.aim(m.p4Address(), cpu.stackTop(), u64(next));
    next++;
    startCpu(lapic, id, trampoline.vector());
    if (!waitOnline(cpu)) {
      println(`cpus: APIC id ${id} did not report in within ${REPORT_TIMEOUT_MS} ms`);
      continue;
    }
    if (cpu.reportedApicId() !== id) panic(`cpus: the CPU started as APIC id ${id} reports APIC id ${cpu.reportedApicId()}`);
    online.set(count, id);
    count++;
  }
  // An AP that timed out may still report in later; all that did before this are counted.
  if (apsReported.load(LoadOrder.Acquire) < count - 1) panic(`cpus: ${count - 1} APs seen online in their pages, but the shared counter says ${apsReported.load(LoadOrder.Acquire)}`);
  trampoline.remove(m);
  println(`cpus: APs started through the trampoline at p${hex(trampoline.phys)} (SIPI vector ${hex(trampoline.vector())}) in ${readTsc() - t0} TSC ticks, unmapped again`);
  print(`cpus: ${count} online (APIC ids `);
  for (let i: u32 = 0; i < count; i++) {
    if (i !== 0) print(",");
    print(`${online.get(i)}`);
  }
  println(")");
}

/** INIT, then two start-up IPIs to `vector`, with the MP specification's waits. */
function startCpu(lapic: LocalApic, apicId: u32, vector: u32): void {
  lapic.sendIpi(apicId, ICR_INIT_ASSERT);
  delayMicros(INIT_WAIT_MICROS);
  for (let k: u32 = 0; k < 2; k++) {
    lapic.sendIpi(apicId, ICR_STARTUP | vector);
    delayMicros(SIPI_WAIT_MICROS);
  }
}

/** Waits (at most REPORT_TIMEOUT_MS) until `cpu` reports in; true when it did. */
function waitOnline(cpu: ApCpu): bool {
  for (let ms: u32 = 0; ms < REPORT_TIMEOUT_MS; ms++) {
    if (cpu.isOnline()) return true;
    delayMicros(1000n);
  }
  return cpu.isOnline();
}
