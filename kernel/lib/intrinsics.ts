// Machine intrinsics. Declarations only: keelc lowers each call to the runtime's
// `keel_<name>` (boot/runtime/keel_runtime.h); under Node they resolve to the simulated
// machine in test/sim/. Keep this list in step with both.
import type { u8, u16, u32, u64 } from "./int";

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
