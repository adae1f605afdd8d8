// Node implementation of kernel/lib/intrinsics.ts on the simulated machine. vitest's
// resolver redirects every import of kernel/lib/intrinsics.ts here.
import { machine, MachineHalted, QemuExit } from "./machine";
import { atomicYield, currentSimCpu, spinYield } from "./smp";

export function outb(port: number, value: number): void { machine.out(port, value & 0xff); }
export function inb(port: number): number { return machine.in(port) & 0xff; }
export function outw(port: number, value: number): void { machine.out(port, value & 0xffff); }
export function inw(port: number): number { return machine.in(port) & 0xffff; }
export function outl(port: number, value: number): void { machine.out(port, value >>> 0); }
export function inl(port: number): number { return machine.in(port) >>> 0; }
export function qemuExit(code: number): never { throw new QemuExit(code, machine.serial); }
export function haltForever(): never { throw new MachineHalted(machine.serial); }
export function load8(addr: bigint): number { return Number(machine.load(addr, 1)); }
export function load16(addr: bigint): number { return Number(machine.load(addr, 2)); }
export function load32(addr: bigint): number { return Number(machine.load(addr, 4)); }
export function load64(addr: bigint): bigint { return machine.load(addr, 8); }
export function store8(addr: bigint, value: number): void { machine.store(addr, 1, BigInt(value)); }
export function store16(addr: bigint, value: number): void { machine.store(addr, 2, BigInt(value)); }
export function store32(addr: bigint, value: number): void { machine.store(addr, 4, BigInt(value)); }
export function store64(addr: bigint, value: bigint): void { machine.store(addr, 8, value); }

// x86_64 traps and stacks. The simulated machine has no MMU or descriptor tables: control
// registers and descriptor-table registers are plain values here, and the linker-defined
// addresses are fixed stand-ins with the image's layout (higher half, page-aligned).
const KERNEL_VMA = 0xffff_ffff_8000_0000n;
const SIM_TEXT_START = KERNEL_VMA + 0x10_1000n;
const SIM_TEXT_END = KERNEL_VMA + 0x10_9000n;
const SIM_GUARD = KERNEL_VMA + 0x12_0000n;
const SIM_STACK_TOP = SIM_GUARD + 0x1000n + 0x1_0000n;
const SIM_DF_BOTTOM = KERNEL_VMA + 0x13_0000n;
const SIM_IDT = KERNEL_VMA + 0x14_0000n;
const SIM_GDT = KERNEL_VMA + 0x14_1000n;
const SIM_TSS = KERNEL_VMA + 0x14_2000n;
const SIM_GUARD_TABLE = KERNEL_VMA + 0x14_3000n;
/** Control and descriptor-table registers of the simulated CPU. */
export const simCpu = { cr2: 0n, cr3: 0n, idt: { base: 0n, limit: 0 }, gdt: { base: 0n, limit: 0 }, tr: 0, flushes: 0 };

export function readCr2(): bigint { return simCpu.cr2; }
export function readCr3(): bigint { return simCpu.cr3; }
export function writeCr3(value: bigint): void { simCpu.cr3 = value; simCpu.flushes++; }
export function invlpg(_addr: bigint): void { simCpu.flushes++; }
export function readRsp(): bigint { return SIM_STACK_TOP - 0x100n; }
export function readRbp(): bigint { return 0n; }
export function lidt(base: bigint, limit: number): void { simCpu.idt = { base, limit }; }
export function lgdt(base: bigint, limit: number): void { simCpu.gdt = { base, limit }; }
export function ltr(selector: number): void { simCpu.tr = selector; }
/** The simulated machine has no timer: interrupts never arrive (RFLAGS.IF is kept per simulated CPU), a guarded call simply runs. */
export function enableInterrupts(): void { currentSimCpu().interrupts = true; }
export function waitForInterrupt(): void { currentSimCpu().interrupts = true; }
/** The simulated machine has no page faults on reads: a probe always succeeds. */
export function probeRead(_addr: bigint): boolean { return true; }
export function probeFaultAddress(): bigint { return 0n; }
export function probeFixupAddress(): bigint { return 0n; }
export function runGuarded(body: () => void): boolean { body(); return false; }
export function abandonGuarded(): never { throw new Error("abandonGuarded: the simulated machine has no watchdog"); }
export function ud2(): never { throw new Error("invalid opcode (ud2) on the simulated machine"); }
export function kernelTextStart(): bigint { return SIM_TEXT_START; }
export function kernelTextEnd(): bigint { return SIM_TEXT_END; }
export function kernelVma(): bigint { return KERNEL_VMA; }
export function bootStackGuard(): bigint { return SIM_GUARD; }
export function bootStackBottom(): bigint { return SIM_GUARD + 0x1000n; }
export function bootStackTop(): bigint { return SIM_STACK_TOP; }
export function doubleFaultStackBottom(): bigint { return SIM_DF_BOTTOM; }
export function doubleFaultStackTop(): bigint { return SIM_DF_BOTTOM + 0x4000n; }
export function exceptionStubAddress(vector: number): bigint { return vector < 32 ? SIM_TEXT_START + BigInt(vector) * 16n : 0n; }
export function idtAddress(): bigint { return SIM_IDT; }
export function gdtAddress(): bigint { return SIM_GDT; }
export function gdtLimit(): number { return 5 * 8 - 1; }
export function tssAddress(): bigint { return SIM_TSS; }
export function guardPageTableAddress(): bigint { return SIM_GUARD_TABLE; }
/** The AP trampoline's code: 256 bytes of the simulated .rodata (nothing runs it under Node). */
export function apTrampolineStart(): bigint { return SIM_RODATA_START; }
export function apTrampolineEnd(): bigint { return SIM_RODATA_START + 0x100n; }
export function sourceFileOf(_addr: bigint): string { return ""; }
export function sourceLineOf(_addr: bigint): number { return 0; }
export function functionNameOf(_addr: bigint): string { return ""; }
export function sourceIsTypeScript(_addr: bigint): boolean { return false; }
export function functionStartOf(_addr: bigint): bigint { return 0n; }

// Memory management (kernel/mm/): section bounds of the simulated image (page-aligned,
// after .text, the boot stack and the descriptor tables inside .bss), a time-stamp counter
// that only moves forward, and the object-allocator hook (Node objects need no storage:
// the hook is recorded and never called).
const SIM_RODATA_START = SIM_TEXT_END;
const SIM_DATA_START = KERNEL_VMA + 0x10_b000n;
const SIM_BSS_START = KERNEL_VMA + 0x10_c000n;
const SIM_BSS_END = KERNEL_VMA + 0x14_4000n;
export function kernelImageStart(): bigint { return KERNEL_VMA + 0x10_0000n; }
export function kernelImageEnd(): bigint { return SIM_BSS_END; }
export function kernelRodataStart(): bigint { return SIM_RODATA_START; }
export function kernelRodataEnd(): bigint { return SIM_DATA_START; }
export function kernelDataStart(): bigint { return SIM_DATA_START; }
export function kernelDataEnd(): bigint { return SIM_BSS_START; }
export function kernelBssStart(): bigint { return SIM_BSS_START; }
export function kernelBssEnd(): bigint { return SIM_BSS_END; }
/** CPUID 0x8000_0001 EDX of the simulated CPU: bit 26 (1 GiB pages) when `pages1G`. */
export const simCpuid = { pages1G: false };
export function cpuidEdx(leaf: number): number { return leaf === 0x8000_0001 && simCpuid.pages1G ? 1 << 26 : 0; }
let simTsc = 0n;
export function readTsc(): bigint { simTsc += 1000n; return simTsc; }
/** The allocator the kernel registered with setObjectAllocator (null before). */
export const simObjectAllocator: { alloc: ((size: bigint) => bigint) | null } = { alloc: null };
export function setObjectAllocator(alloc: (size: bigint) => bigint): void { simObjectAllocator.alloc = alloc; }

// Concurrency: atomics act on the cell's field; each is a yield point of the simulated CPUs'
// scheduler (test/sim/smp.ts) before it acts. The fetch operations wrap at the width, as
// gcc's builtins; AtomicU64/AtomicU32 check around them.
interface Cell<T> { value: T }
const cell64 = (c: unknown): Cell<bigint> => c as Cell<bigint>;
const cell32 = (c: unknown): Cell<number> => c as Cell<number>;
function rmw64(c: unknown, f: (old: bigint) => bigint): bigint {
  atomicYield();
  const cell = cell64(c);
  const old = cell.value;
  cell.value = BigInt.asUintN(64, f(old));
  return old;
}
function rmw32(c: unknown, f: (old: number) => number): number {
  atomicYield();
  const cell = cell32(c);
  const old = cell.value;
  cell.value = f(old) >>> 0;
  return old;
}
export function atomicLoad64(c: unknown, _order: number): bigint { atomicYield(); return cell64(c).value; }
export function atomicStore64(c: unknown, value: bigint, _order: number): void { atomicYield(); cell64(c).value = value; }
export function atomicSwap64(c: unknown, value: bigint, _order: number): bigint { return rmw64(c, () => value); }
export function atomicCompareExchange64(c: unknown, expected: bigint, desired: bigint, _order: number): bigint { return rmw64(c, (old) => (old === expected ? desired : old)); }
export function atomicFetchAdd64(c: unknown, delta: bigint, _order: number): bigint { return rmw64(c, (old) => old + delta); }
export function atomicFetchSub64(c: unknown, delta: bigint, _order: number): bigint { return rmw64(c, (old) => old - delta); }
export function atomicFetchAnd64(c: unknown, mask: bigint, _order: number): bigint { return rmw64(c, (old) => old & mask); }
export function atomicFetchOr64(c: unknown, mask: bigint, _order: number): bigint { return rmw64(c, (old) => old | mask); }
export function atomicLoad32(c: unknown, _order: number): number { atomicYield(); return cell32(c).value; }
export function atomicStore32(c: unknown, value: number, _order: number): void { atomicYield(); cell32(c).value = value; }
export function atomicSwap32(c: unknown, value: number, _order: number): number { return rmw32(c, () => value); }
export function atomicCompareExchange32(c: unknown, expected: number, desired: number, _order: number): number { return rmw32(c, (old) => (old === expected ? desired : old)); }
export function atomicFetchAdd32(c: unknown, delta: number, _order: number): number { return rmw32(c, (old) => old + delta); }
export function atomicFetchSub32(c: unknown, delta: number, _order: number): number { return rmw32(c, (old) => old - delta); }
export function atomicFetchAnd32(c: unknown, mask: number, _order: number): number { return rmw32(c, (old) => old & mask); }
export function atomicFetchOr32(c: unknown, mask: number, _order: number): number { return rmw32(c, (old) => old | mask); }
/** A spin turn: another simulated CPU runs (the only way the awaited value can change). */
export function spinHint(): void { spinYield(); }
export function disableInterrupts(): boolean { const cpu = currentSimCpu(); const was = cpu.interrupts; cpu.interrupts = false; return was; }
export function restoreInterrupts(enabled: boolean): void { if (enabled) currentSimCpu().interrupts = true; }
export function installCpuLocal(index: number): void { currentSimCpu().gsIndex = index; }
/** Each CPU-local area's spinlock word (%gs:12 on the real machine), by installed index. */
const lockStates = new Map<number, number>();
/** The running simulated CPU's spinlock word. */
export function cpuLockState(): number { return lockStates.get(cpuIndex()) ?? 0; }
/** Sets the running simulated CPU's spinlock word. */
export function setCpuLockState(state: number): void { lockStates.set(cpuIndex(), state); }
/** The running simulated CPU's installed index; reading it before installCpuLocal would fault on the real machine. */
export function cpuIndex(): number {
  const cpu = currentSimCpu();
  if (cpu.gsIndex === null) throw new Error(`cpuIndex on simulated CPU ${cpu.index} before setCpuLocal (gs base 0: a page fault on the real machine)`);
  return cpu.gsIndex;
}
