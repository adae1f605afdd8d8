// Debug-check fixture (freed-frame poisoning, as DEBUG_PAGEALLOC's page poisoning): with the
// debug checks on, a frame is allocated, also mapped at a second page (an alias the page
// tables keep: mapRange does not own the frame), written, freed (the allocator poisons it
// and unmaps it from the direct map), written again through the alias after the free, and
// allocated again: the allocation must panic naming the frame and the word written after
// the free. (A write through the direct map faults at once: freed_frame_unmapped.ts.)
import type { u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { hex } from "../../kernel/lib/fmt";
import { load64, store64 } from "../../kernel/lib/intrinsics";
import { panic } from "../../kernel/lib/panic";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { setCpuLocal } from "../../kernel/arch/x86_64/cpu_local";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";
import { initMemory, kernelPageTables } from "../../kernel/boot/memory_init";
import { bootMemoryAt } from "../../kernel/boot/regions";
import { frameAllocator, pageAllocator } from "../../kernel/mm/alloc";
import { enableDebugChecks, POISON } from "../../kernel/mm/debug";
import { PageFlags } from "../../kernel/mm/paging";

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  setCpuLocal(0); // the bootstrap CPU: its index through gs, before anything takes a lock (the allocators do)
  installExceptionHandlers();
  enableDebugChecks();
  initMemory(bootMemoryAt(bootInfo));
  const frames = frameAllocator.allocate(1n).allocated;
  const page = pageAllocator.allocate(1n).allocated;
  if (frames === null || page === null) return panic("out of memory");
  const start = frames.range().start();
  const alias = page.range().start();
  if (start === null || alias === null) return panic("empty allocation");
  if (!kernelPageTables().mapRange(page.range(), frames.range(), PageFlags.readWrite()).isOk()) return panic("alias mapping failed");
  const phys: u64 = start.start().value();
  const at: u64 = alias.startValue() + 0x40n;
  store64(at, 0x1111n);
  frames.release();
  println(`# freed p${hex(phys)}: poisoned ${load64(at) === POISON}`);
  store64(at, 0xdead_beefn); // use after free, through the alias
  const again = frameAllocator.allocateAt(start.start(), 1n); // reuse-here
  println(`# unreachable: the write after free went unseen (${again.error})`);
}
