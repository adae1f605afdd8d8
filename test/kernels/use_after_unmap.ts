// Fault fixture: memory mapped through the kernel's own page tables, written and read back,
// then released (unmapped). The next read must fault, reported with this file's line: the
// unmap really reached the CPU (the TLB entry was flushed), not just the table bytes.
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
import { PageFlags } from "../../kernel/mm/paging";

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  setCpuLocal(0); // the bootstrap CPU: its index through gs, before anything takes a lock (the allocators do)
  installExceptionHandlers();
  initMemory(bootMemoryAt(bootInfo));
  const pages = pageAllocator.allocate(1n).allocated;
  const frames = frameAllocator.allocate(1n).allocated;
  if (pages === null || frames === null) return panic("out of memory");
  const mapped = kernelPageTables().map(pages, frames, PageFlags.readWrite()).mapped;
  if (mapped === null) return panic("map failed");
  const addr: u64 = mapped.start().value();
  store64(addr, 0x1234_5678_9abc_def0n);
  println(`# mapped ${hex(addr)}, read back ${hex(load64(addr))}`);
  mapped.release();
  println(`# released; reading ${hex(addr)} again`);
  const stale: u64 = load64(addr); // fault-here
  println(`# unreachable: read ${hex(stale)} after unmap`);
}
