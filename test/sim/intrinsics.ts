// Node implementation of kernel/lib/intrinsics.ts on the simulated machine. vitest's
// resolver redirects every import of kernel/lib/intrinsics.ts here.
import { machine, MachineHalted, QemuExit } from "./machine";

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
