// The CPU-local area, reached through gs: each CPU's IA32_GS_BASE points at its own small
// area (boot/runtime/keel_arch.c) holding its index, so `currentCpu()` is one
// `mov %gs:8`. Per-CPU data is an array indexed by it (PerCpu below): bounds-checked like
// every array, no pointer arithmetic in TypeScript.
//
// Order at start-up: the bootstrap CPU calls setCpuLocal(0) first thing in kernelMain
// (before anything takes a lock: locks record their holder's index); each application
// processor calls setCpuLocal(its index) on its own stack before it touches shared state.
import type { u32 } from "../../lib/int";
import { cpuIndex, installCpuLocal } from "../../lib/intrinsics";
import { panic } from "../../lib/panic";
import { markCpuLocalInstalled } from "../../lib/cpu_index";

/** CPUs the kernel can index (KEEL_MAX_CPUS of keel_runtime.h). */
export const MAX_CPUS: u32 = 64;

/** Points the calling CPU's gs base at CPU-local area `index` (wrmsr IA32_GS_BASE, 0xC0000101); once per CPU, at its start. */
export function setCpuLocal(index: u32): void {
  if (index >= MAX_CPUS) panic(`CPU index ${index} out of range: the kernel handles ${MAX_CPUS} CPUs`);
  installCpuLocal(index);
  markCpuLocalInstalled();
}

/** The calling CPU's index (0 = the bootstrap CPU), read through gs. */
export function currentCpu(): u32 {
  return cpuIndex();
}

/** One value per CPU (integers or value classes: every slot starts as a copy of `initial`); the calling CPU's is `current()`. */
export class PerCpu<T> {
  private readonly slots: T[];

  constructor(initial: T) {
    this.slots = new Array<T>(MAX_CPUS).fill(initial);
  }

  /** The calling CPU's value. */
  current(): T {
    return this.slots[cpuIndex()];
  }

  /** CPU `index`'s value. */
  of(index: u32): T {
    return this.slots[index];
  }

  /** Sets CPU `index`'s value (between runs of the CPUs that own the slots). */
  set(index: u32, value: T): void {
    this.slots[index] = value;
  }

  /** Sets the calling CPU's value. */
  setCurrent(value: T): void {
    this.slots[cpuIndex()] = value;
  }
}
