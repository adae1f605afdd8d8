// Descriptor tables for traps: the kernel GDT's TSS descriptor, the TSS's IST1 stack for
// double faults, and the IDT's gates to the exception stubs (boot/exceptions.S holds the
// storage and the stubs; this module fills them in and loads the registers).
import { u16, u32, u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import {
  doubleFaultStackTop, exceptionStubAddress, gdtAddress, gdtLimit, idtAddress, lgdt, lidt, ltr,
  store16, store64, tssAddress,
} from "../../lib/intrinsics";

/** Kernel code selector (same as the boot GDT's). */
export const KERNEL_CODE_SELECTOR: u16 = 0x08;
/** TSS selector in the kernel GDT: entries 3 and 4. */
export const TSS_SELECTOR: u16 = 0x18;
/** Number of CPU exception vectors. */
export const EXCEPTION_VECTORS: u32 = 32;
/** Vector of the double fault, which runs on its own stack. */
export const VECTOR_DOUBLE_FAULT: u32 = 8;
/** IST slot (1..7) for double faults. */
export const DOUBLE_FAULT_IST: u64 = 1n;

const IDT_ENTRIES: u64 = 256n;
const GATE_SIZE: u64 = 16n;
/** Type/attribute byte of a gate: present, DPL 0, 64-bit interrupt gate (IF cleared). */
const INTERRUPT_GATE: u64 = 0x8en;
/** Access byte of a TSS descriptor: present, DPL 0, available 64-bit TSS. */
const TSS_AVAILABLE: u64 = 0x89n;
/** Size of the 64-bit TSS; also its I/O map base (no I/O permission bitmap). */
export const TSS_SIZE: u64 = 104n;
/** Offset of IST1 in the TSS (IST2..7 follow every 8 bytes). */
const TSS_IST1: u64 = 0x24n;
/** Offset of the I/O map base in the TSS. */
const TSS_IOMAP_BASE: u64 = 0x66n;

/** Low quadword of an IDT gate to `handler` (the high one holds bits 63..32 of the handler). */
export function gateLow(handler: u64, selector: u16, ist: u64, typeAttributes: u64): u64 {
  return (handler & 0xffffn) | (u64(selector) << 16n) | ((ist & 7n) << 32n) | ((typeAttributes & 0xffn) << 40n) |
    (((handler >> 16n) & 0xffffn) << 48n);
}

/** Low quadword of a 64-bit TSS descriptor (the high one holds bits 63..32 of the base). */
export function tssDescriptorLow(base: u64, limit: u64): u64 {
  return (limit & 0xffffn) | ((base & 0xff_ffffn) << 16n) | (TSS_AVAILABLE << 40n) | (((limit >> 16n) & 0xfn) << 48n) |
    (((base >> 24n) & 0xffn) << 56n);
}

/** Fills in the TSS and its descriptor, loads the kernel GDT and the task register. */
export function installTss(): void {
  installTssAt(gdtAddress(), gdtLimit(), tssAddress(), doubleFaultStackTop());
}

/**
 * Fills in the TSS at `tss` (IST1 = `doubleFaultTop`, no I/O bitmap) and its descriptor in
 * the GDT at `gdt` (selector TSS_SELECTOR), loads that GDT and the task register. The boot
 * CPU's tables are the image's; each AP has its own (kernel/smp/cpu.ts).
 */
export function installTssAt(gdt: u64, limit: u16, tss: u64, doubleFaultTop: u64): void {
  store64(tss + TSS_IST1 + (DOUBLE_FAULT_IST - 1n) * 8n, doubleFaultTop);
  store16(tss + TSS_IOMAP_BASE, u16(TSS_SIZE));
  const slot = gdt + u64(TSS_SELECTOR);
  store64(slot, tssDescriptorLow(tss, TSS_SIZE - 1n));
  store64(slot + 8n, tss >> 32n);
  lgdt(gdt, limit);
  ltr(TSS_SELECTOR);
}

/** Points IDT gate `vector` at `handler` (IST slot `ist`, 0 for the current stack). */
export function setGate(vector: u32, handler: u64, ist: u64): void {
  const gate = idtAddress() + u64(vector) * GATE_SIZE;
  store64(gate, gateLow(handler, KERNEL_CODE_SELECTOR, ist, INTERRUPT_GATE));
  store64(gate + 8n, handler >> 32n);
}

/** Gates for the 32 exception vectors (double fault on IST1), then loads the IDT. */
export function installIdt(): void {
  for (let vector: u32 = 0; vector < EXCEPTION_VECTORS; vector++) {
    const ist: u64 = vector === VECTOR_DOUBLE_FAULT ? DOUBLE_FAULT_IST : 0n;
    setGate(vector, exceptionStubAddress(vector), ist);
  }
  loadIdt();
}

/** Loads the IDT register with the kernel's one IDT (every CPU shares it). */
export function loadIdt(): void {
  lidt(idtAddress(), u16(IDT_ENTRIES * GATE_SIZE - 1n));
}

/** Gates for `count` interrupt vectors from `first` (boot/exceptions.S has stubs up to 47). */
export function installInterruptGates(first: u64, count: u64): void {
  for (let vector: u64 = first; vector < first + count; vector++) {
    const stub = exceptionStubAddress(u32(vector));
    if (stub === 0n) panic(`no interrupt stub for vector ${vector} (boot/exceptions.S)`);
    setGate(u32(vector), stub, 0n);
  }
}
