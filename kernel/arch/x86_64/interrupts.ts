// Hardware interrupts: the legacy 8259 PICs remapped to vectors 32..47 (above the CPU's
// exceptions) and the 8254 PIT's channel 0 as a periodic timer on IRQ 0. Every line but the
// timer stays masked. boot/exceptions.S sends vectors 32..47 down the exceptions' path;
// handleException hands them to handleInterrupt, which acknowledges them and returns.
// Used by the test kernel's watchdog (kernel/lib/ktap.ts). The run kernel masks every PIC
// line and takes only inter-processor interrupts (kernel/smp/shootdown.ts): vectors 48 and 49.
import { type bool, u8, type u16, u32, type u64 } from "../../lib/int";
import { enableInterrupts, outb, inb } from "../../lib/intrinsics";
import { installInterruptGates } from "./descriptors";

/** First vector of the remapped PIC lines (IRQ 0, the timer). */
export const IRQ_BASE_VECTOR: u64 = 32n;
/** Number of PIC lines (two chained 8259s). */
export const IRQ_LINES: u64 = 16n;

const PIC1_COMMAND: u16 = 0x20;
const PIC1_DATA: u16 = 0x21;
const PIC2_COMMAND: u16 = 0xa0;
const PIC2_DATA: u16 = 0xa1;
const PIC_EOI: u8 = 0x20;
const PIC_READ_ISR: u8 = 0x0b;
const ICW1_INIT_ICW4: u8 = 0x11; // initialise, ICW4 follows, cascaded, edge-triggered
const ICW4_8086: u8 = 0x01;
const CASCADE_LINE: u8 = 2; // the second PIC hangs off the first's line 2

const PIT_CHANNEL0: u16 = 0x40;
const PIT_COMMAND: u16 = 0x43;
const PIT_CHANNEL0_RATE: u8 = 0x34; // channel 0, low then high byte, mode 2 (rate generator)
const PIT_HZ: u32 = 1_193_182;

function nothing(): void {}

/** What runs on each timer tick (set by startTimer). */
let onTick: () => void = nothing;
/** Timer ticks since startTimer. */
let ticks: u64 = 0n;

/** Remaps the PICs to vectors 32..47 and masks every line (the run kernel enables interrupts only for IPIs; the BIOS left the timer on vector 8, the double fault's). */
export function maskLegacyInterrupts(): void {
  installInterruptGates(IRQ_BASE_VECTOR, IRQ_LINES);
  remapPics();
  outb(PIC1_DATA, 0xff);
  outb(PIC2_DATA, 0xff);
}

/** ICW1..ICW4: vectors 32..39 and 40..47, cascade on line 2 (every line left unmasked: the caller masks). */
function remapPics(): void {
  outb(PIC1_COMMAND, ICW1_INIT_ICW4);
  outb(PIC2_COMMAND, ICW1_INIT_ICW4);
  outb(PIC1_DATA, u8(IRQ_BASE_VECTOR));
  outb(PIC2_DATA, u8(IRQ_BASE_VECTOR + 8n));
  outb(PIC1_DATA, 1 << CASCADE_LINE);
  outb(PIC2_DATA, CASCADE_LINE);
  outb(PIC1_DATA, ICW4_8086);
  outb(PIC2_DATA, ICW4_8086);
}

/** Remaps the PICs, programs the PIT to `hz` ticks a second, calls `tick` on each, enables interrupts. */
export function startTimer(hz: u32, tick: () => void): void {
  onTick = tick;
  installInterruptGates(IRQ_BASE_VECTOR, IRQ_LINES);
  remapPics();
  outb(PIC1_DATA, 0xfe); // only IRQ 0
  outb(PIC2_DATA, 0xff);
  const divisor: u32 = PIT_HZ / hz;
  outb(PIT_COMMAND, PIT_CHANNEL0_RATE);
  outb(PIT_CHANNEL0, u8(divisor & 0xff));
  outb(PIT_CHANNEL0, u8((divisor >> 8) & 0xff));
  enableInterrupts();
}

/** The inter-processor interrupt vectors (boot/exceptions.S has their stubs): the TLB shootdown, which also wakes a halted CPU, and the local APIC's spurious vector. */
export const IPI_VECTOR: u64 = 48n;
export const SPURIOUS_VECTOR: u64 = 49n;

/** What IPI_VECTOR runs (kernel/smp/shootdown.ts registers it; it acknowledges to its local APIC). */
let onIpi: () => void = nothing;

/** Installs the gates of the IPI and spurious vectors; `handler` runs on each IPI (it sends the EOI). */
export function installIpiGates(handler: () => void): void {
  onIpi = handler;
  installInterruptGates(IPI_VECTOR, 2n);
}

/** True for the IPI and spurious vectors. */
export function isIpiVector(vector: u64): bool {
  return vector === IPI_VECTOR || vector === SPURIOUS_VECTOR;
}

/** Runs the IPI handler; a spurious interrupt is ignored (the local APIC wants no EOI for it). */
export function handleIpi(vector: u64): void {
  if (vector === IPI_VECTOR) onIpi();
}

/** Timer ticks since startTimer. */
export function timerTicks(): u64 {
  return ticks;
}

/** True for the vectors of the PIC lines. */
export function isInterruptVector(vector: u64): bool {
  return vector >= IRQ_BASE_VECTOR && vector < IRQ_BASE_VECTOR + IRQ_LINES;
}

/** Handles PIC line `vector - 32`: acknowledges it, and runs the tick hook for the timer. */
export function handleInterrupt(vector: u64): void {
  const line: u64 = vector - IRQ_BASE_VECTOR;
  // A spurious IRQ 7 or 15 (the line dropped before the CPU took it) is not in service and
  // must not be acknowledged on its own PIC (for 15 the first PIC saw a real cascade).
  if (line === 7n && !inService(PIC1_COMMAND, 7)) return;
  if (line === 15n && !inService(PIC2_COMMAND, 7)) {
    outb(PIC1_COMMAND, PIC_EOI);
    return;
  }
  if (line >= 8n) outb(PIC2_COMMAND, PIC_EOI);
  outb(PIC1_COMMAND, PIC_EOI);
  // Acknowledged first: the hook may never return (the watchdog abandons the test).
  if (line === 0n) {
    ticks += 1n;
    onTick();
  }
}

/** True when line `bit` of the PIC at `command` is in service (its ISR register). */
function inService(command: u16, bit: u32): bool {
  outb(command, PIC_READ_ISR);
  return (u32(inb(command)) & (1 << bit)) !== 0;
}
