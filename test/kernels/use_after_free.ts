// Debug-check fixture (freed-frame poisoning, as DEBUG_PAGEALLOC's page poisoning): with the
// debug checks on, a frame is allocated, written, freed (the allocator poisons it), written
// again through the direct map after the free, and allocated again: the allocation must
// panic naming the frame and the word written after the free.
import type { u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { hex } from "../../kernel/lib/fmt";
import { load64, store64 } from "../../kernel/lib/intrinsics";
import { panic } from "../../kernel/lib/panic";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";
import { initMemory } from "../../kernel/boot/memory_init";
import { bootMemoryAt } from "../../kernel/boot/regions";
import { frameAllocator } from "../../kernel/mm/alloc";
import { DIRECT_MAP_BASE } from "../../kernel/mm/addr";
import { enableDebugChecks, POISON } from "../../kernel/mm/debug";

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  installExceptionHandlers();
  enableDebugChecks();
  initMemory(bootMemoryAt(bootInfo));
  const frames = frameAllocator.allocate(1n).allocated;
  if (frames === null) return panic("out of memory");
  const start = frames.range().start();
  if (start === null) return panic("empty allocation");
  const phys: u64 = start.start().value();
  store64(DIRECT_MAP_BASE + phys + 0x40n, 0x1111n);
  frames.release();
  println(`# freed p${hex(phys)}: poisoned ${load64(DIRECT_MAP_BASE + phys + 0x40n) === POISON}`);
  store64(DIRECT_MAP_BASE + phys + 0x40n, 0xdead_beefn); // use after free
  const again = frameAllocator.allocateAt(start.start(), 1n); // reuse-here
  println(`# unreachable: the write after free went unseen (${again.error})`);
}
