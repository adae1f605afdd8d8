// Machine intrinsics. Declarations only: keelc lowers each call to the runtime's
// `keel_<name>` (boot/runtime/keel_runtime.h); under Node they resolve to the simulated
// machine in test/sim/. Keep this list in step with both.
import type { bool, u8, u16, u32, u64 } from "./int";
import type { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "./atomic";

/** Writes a byte to an I/O port. */
export declare function outb(port: u16, value: u8): void;
/** Reads a byte from an I/O port. */
export declare function inb(port: u16): u8;
/** Writes a 16-bit word to an I/O port. */
export declare function outw(port: u16, value: u16): void;
/** Reads a 16-bit word from an I/O port. */
export declare function inw(port: u16): u16;
/** Writes a 32-bit word to an I/O port. */
export declare function outl(port: u16, value: u32): void;
/** Reads a 32-bit word from an I/O port. */
export declare function inl(port: u16): u32;

/** Exits QEMU through isa-debug-exit (status (code << 1) | 1) and never returns. */
export declare function qemuExit(code: u32): never;
/** Disables interrupts and halts forever. */
export declare function haltForever(): never;

/** Loads a byte from a virtual address the kernel can reach. */
export declare function load8(addr: u64): u8;
/** Loads a 16-bit word from a virtual address. */
export declare function load16(addr: u64): u16;
/** Loads a 32-bit word from a virtual address. */
export declare function load32(addr: u64): u32;
/** Loads a 64-bit word from a virtual address. */
export declare function load64(addr: u64): u64;
/** Stores a byte at a virtual address. */
export declare function store8(addr: u64, value: u8): void;
/** Stores a 16-bit word at a virtual address. */
export declare function store16(addr: u64, value: u16): void;
/** Stores a 32-bit word at a virtual address. */
export declare function store32(addr: u64, value: u32): void;
/** Stores a 64-bit word at a virtual address. */
export declare function store64(addr: u64, value: u64): void;

// x86_64 traps and stacks (boot/runtime/keel_arch.c, boot/exceptions.S).
/** Reads CR2: the linear address of the last page fault. */
export declare function readCr2(): u64;
/** Reads CR3: the physical address of the top-level page table (and flags). */
export declare function readCr3(): u64;
/** Writes CR3: switches page tables and flushes every non-global TLB entry. */
export declare function writeCr3(value: u64): void;
/** Flushes the TLB entry of the page holding a virtual address. */
export declare function invlpg(addr: u64): void;
/** The caller's stack pointer. */
export declare function readRsp(): u64;
/** The caller's frame pointer (RBP). */
export declare function readRbp(): u64;
/** Loads the IDT register. */
export declare function lidt(base: u64, limit: u16): void;
/** Loads the GDT register. */
export declare function lgdt(base: u64, limit: u16): void;
/** Loads the task register with a TSS selector. */
export declare function ltr(selector: u16): void;
/** Executes an undefined instruction (#UD); never returns. */
export declare function ud2(): never;

// Addresses fixed by linker.ld and boot/*.S.
/** Start of the kernel's code (__text_start). */
export declare function kernelTextStart(): u64;
/** End of the kernel's code (__text_end, exclusive). */
export declare function kernelTextEnd(): u64;
/** Virtual base of the higher half (__kernel_vma): virtual = physical + this in the image. */
export declare function kernelVma(): u64;
/** The unmapped page below the boot stack (__boot_stack_guard). */
export declare function bootStackGuard(): u64;
/** Lowest address of the boot stack (__boot_stack_bottom). */
export declare function bootStackBottom(): u64;
/** Top of the boot stack (__boot_stack_top, exclusive). */
export declare function bootStackTop(): u64;
/** Lowest address of the double-fault (IST1) stack. */
export declare function doubleFaultStackBottom(): u64;
/** Top of the double-fault (IST1) stack. */
export declare function doubleFaultStackTop(): u64;
/** Entry address of the exception stub for a vector 0..31 (0 for any other). */
export declare function exceptionStubAddress(vector: u32): u64;
/** The IDT's storage: 256 gates of 16 bytes. */
export declare function idtAddress(): u64;
/** The kernel GDT (null, code 0x08, data 0x10, TSS 0x18). */
export declare function gdtAddress(): u64;
/** The kernel GDT's limit (size - 1). */
export declare function gdtLimit(): u16;
/** The 104-byte TSS. */
export declare function tssAddress(): u64;
/** A page-aligned 4 KiB page table for splitting the 2 MiB page around the stack guard. */
export declare function guardPageTableAddress(): u64;
/** Start of the AP start-up trampoline's code in the image (boot/ap_trampoline.S), to be copied to its low frame. */
export declare function apTrampolineStart(): u64;
/** End of the AP trampoline's code (exclusive). */
export declare function apTrampolineEnd(): u64;

// The kernel symbolizer (tables built from the kernel's DWARF at link time).
/** Source file of a code address ("" when unknown). */
export declare function sourceFileOf(addr: u64): string;
/** Source line of a code address (0 when unknown). */
export declare function sourceLineOf(addr: u64): u32;
/** Name of the function holding a code address ("" when unknown). */
export declare function functionNameOf(addr: u64): string;
/** True when the source of a code address is a TypeScript file (not the runtime's C or assembly). */
export declare function sourceIsTypeScript(addr: u64): bool;
/** Start address of the function holding a code address (0 when unknown). */
export declare function functionStartOf(addr: u64): u64;

// Memory management (kernel/mm/): the image's sections, the time-stamp counter, and the
// hook that moves keelc's object storage onto the kernel heap.
/** Start of the whole kernel image, boot section included (__kernel_start, page-aligned, virtual). */
export declare function kernelImageStart(): u64;
/** End of the whole kernel image (__kernel_end, exclusive, page-aligned, virtual). */
export declare function kernelImageEnd(): u64;
/** Start of the read-only data (__rodata_start, page-aligned). */
export declare function kernelRodataStart(): u64;
/** End of the read-only data (__rodata_end, exclusive, page-aligned). */
export declare function kernelRodataEnd(): u64;
/** Start of the initialised data (__data_start, page-aligned). */
export declare function kernelDataStart(): u64;
/** End of the initialised data (__data_end, exclusive, page-aligned). */
export declare function kernelDataEnd(): u64;
/** Start of the zeroed data, stacks included (__bss_start, page-aligned). */
export declare function kernelBssStart(): u64;
/** End of the zeroed data (__bss_end, exclusive, page-aligned). */
export declare function kernelBssEnd(): u64;
/** The time-stamp counter (rdtsc); with QEMU's `-icount shift=0` it counts instructions. */
export declare function readTsc(): u64;
/** EDX of CPUID leaf `leaf` (sub-leaf 0): feature bits, e.g. 0x8000_0001 bit 26 for 1 GiB pages. */
export declare function cpuidEdx(leaf: u32): u32;
/**
 * Makes `alloc` the source of storage for `new` (keel_alloc): it returns the address of
 * `size` zeroed bytes, 16-byte aligned, or 0 to fall back to the static arena. The runtime
 * never calls it reentrantly (a `new` inside `alloc` takes arena storage).
 */
export declare function setObjectAllocator(alloc: (size: u64) => u64): void;

/** Enables maskable interrupts (sti). */
export declare function enableInterrupts(): void;
/**
 * Calls `body` and returns false when it returns; returns true when, before that,
 * `abandonGuarded` unwound it (boot/guarded_call.S, like setjmp/longjmp: the callee-saved
 * registers, the stack and RFLAGS are those of this call). One guarded call at a time.
 */
/** Enables interrupts and halts until one arrives (`sti; hlt`: none slips in between); returns with interrupts on. */
export declare function waitForInterrupt(): void;
/** Reads the 8 bytes at `addr`; false when that faults (the page-fault handler resumes at the probe's fixup, boot/exceptions.S). */
export declare function probeRead(addr: u64): bool;
/** Address of probeRead's one faulting instruction (the page-fault handler's exception table of one entry). */
export declare function probeFaultAddress(): u64;
/** Where a faulting probeRead resumes: it returns false from there. */
export declare function probeFixupAddress(): u64;
export declare function runGuarded(body: () => void): bool;
/** Abandons the running guarded call: `runGuarded` returns true. Only from its callee or an interrupt in it. */
export declare function abandonGuarded(): never;

// Concurrency (kernel/lib/atomic.ts, kernel/sync/, kernel/arch/x86_64/cpu_local.ts). The
// atomics act on the cell's one field: gcc __atomic_* builtins in C (keel_runtime.h), the
// field of the JavaScript object under Node (a yield point of test/sim/smp.ts). The fetch
// operations wrap; AtomicU64/AtomicU32 check overflow around them.
/** Atomic load of a 64-bit cell. */
export declare function atomicLoad64(cell: AtomicU64, order: LoadOrder): u64;
/** Atomic store into a 64-bit cell. */
export declare function atomicStore64(cell: AtomicU64, value: u64, order: StoreOrder): void;
/** Atomic exchange on a 64-bit cell: returns the old value. */
export declare function atomicSwap64(cell: AtomicU64, value: u64, order: RmwOrder): u64;
/** Strong compare-and-swap on a 64-bit cell: returns the value found (the store happened when it equals `expected`). */
export declare function atomicCompareExchange64(cell: AtomicU64, expected: u64, desired: u64, order: RmwOrder): u64;
/** Atomic wrapping add on a 64-bit cell: returns the old value. */
export declare function atomicFetchAdd64(cell: AtomicU64, delta: u64, order: RmwOrder): u64;
/** Atomic wrapping subtract on a 64-bit cell: returns the old value. */
export declare function atomicFetchSub64(cell: AtomicU64, delta: u64, order: RmwOrder): u64;
/** Atomic AND on a 64-bit cell: returns the old value. */
export declare function atomicFetchAnd64(cell: AtomicU64, mask: u64, order: RmwOrder): u64;
/** Atomic OR on a 64-bit cell: returns the old value. */
export declare function atomicFetchOr64(cell: AtomicU64, mask: u64, order: RmwOrder): u64;
/** Atomic load of a 32-bit cell. */
export declare function atomicLoad32(cell: AtomicU32, order: LoadOrder): u32;
/** Atomic store into a 32-bit cell. */
export declare function atomicStore32(cell: AtomicU32, value: u32, order: StoreOrder): void;
/** Atomic exchange on a 32-bit cell: returns the old value. */
export declare function atomicSwap32(cell: AtomicU32, value: u32, order: RmwOrder): u32;
/** Strong compare-and-swap on a 32-bit cell: returns the value found. */
export declare function atomicCompareExchange32(cell: AtomicU32, expected: u32, desired: u32, order: RmwOrder): u32;
/** Atomic wrapping add on a 32-bit cell: returns the old value. */
export declare function atomicFetchAdd32(cell: AtomicU32, delta: u32, order: RmwOrder): u32;
/** Atomic wrapping subtract on a 32-bit cell: returns the old value. */
export declare function atomicFetchSub32(cell: AtomicU32, delta: u32, order: RmwOrder): u32;
/** Atomic AND on a 32-bit cell: returns the old value. */
export declare function atomicFetchAnd32(cell: AtomicU32, mask: u32, order: RmwOrder): u32;
/** Atomic OR on a 32-bit cell: returns the old value. */
export declare function atomicFetchOr32(cell: AtomicU32, mask: u32, order: RmwOrder): u32;
/** The spin-wait hint (pause): a CPU waiting for another CPU calls it on every turn. */
export declare function spinHint(): void;
/** Disables maskable interrupts (cli); returns whether they were enabled before (RFLAGS.IF). */
export declare function disableInterrupts(): bool;
/** Enables maskable interrupts again when `enabled` (the value disableInterrupts returned). */
export declare function restoreInterrupts(enabled: bool): void;
/** Makes the calling CPU's gs base (IA32_GS_BASE) point at CPU-local area `index` (0 <= index < 64) and stores the index there. */
export declare function installCpuLocal(index: u32): void;
/** The calling CPU's index, read through gs (`mov %gs:8`); installCpuLocal must have run on this CPU. */
export declare function cpuIndex(): u32;
/** The calling CPU's spinlock bookkeeping word (kernel/sync/spinlock.ts), kept in its CPU-local area (`mov %gs:12`); 0 at start. */
export declare function cpuLockState(): u32;
/** Sets the calling CPU's spinlock bookkeeping word (`mov ..., %gs:12`). */
export declare function setCpuLockState(state: u32): void;
