// Debug-check fixture (freed frames unmapped until reused, as DEBUG_PAGEALLOC): with the
// debug checks on, a frame is allocated, written through the direct map, freed (which
// unmaps it from the direct map), and written there again: the write must fault on this
// file's line, and the fault report must say that the frame is free.
import type { u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { hex } from "../../kernel/lib/fmt";
import { load64, store64 } from "../../kernel/lib/intrinsics";
import { panic } from "../../kernel/lib/panic";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { setCpuLocal } from "../../kernel/arch/x86_64/cpu_local";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";
import { initMemory } from "../../kernel/boot/memory_init";
import { bootMemoryAt } from "../../kernel/boot/regions";
import { frameAllocator } from "../../kernel/mm/alloc";
import { DIRECT_MAP_BASE } from "../../kernel/mm/addr";
import { enableDebugChecks } from "../../kernel/mm/debug";

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  setCpuLocal(0); // the bootstrap CPU: its index through gs, before anything takes a lock (the allocators do)
  installExceptionHandlers();
  enableDebugChecks();
  initMemory(bootMemoryAt(bootInfo));
  const frames = frameAllocator.allocate(1n).allocated;
  if (frames === null) return panic("out of memory");
  const start = frames.range().start();
  if (start === null) return panic("empty allocation");
  const phys: u64 = start.start().value();
  store64(DIRECT_MAP_BASE + phys + 0x40n, 0x1111n);
  println(`# wrote p${hex(phys)} through the direct map: read back ${hex(load64(DIRECT_MAP_BASE + phys + 0x40n))}`);
  frames.release();
  println(`# freed p${hex(phys)}; writing it through the direct map`);
  store64(DIRECT_MAP_BASE + phys + 0x40n, 0xdead_beefn); // fault-here
  println("# unreachable: the write after free did not fault");
}
