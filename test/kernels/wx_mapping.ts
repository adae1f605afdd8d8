// Debug-check fixture (W^X scan, as CONFIG_DEBUG_WX): with the debug checks on, memory init
// scans the kernel's tables and passes; then the fixture makes one page writable and
// executable behind the mapper's back (clearing NX in its entry) and runs the same scan,
// which must panic naming that page.
import type { u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { hex } from "../../kernel/lib/fmt";
import { invlpg, load64, store64 } from "../../kernel/lib/intrinsics";
import { panic } from "../../kernel/lib/panic";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { setCpuLocal } from "../../kernel/arch/x86_64/cpu_local";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";
import { initMemory, kernelPageTables } from "../../kernel/boot/memory_init";
import { bootMemoryAt } from "../../kernel/boot/regions";
import { frameAllocator, pageAllocator } from "../../kernel/mm/alloc";
import { ENTRY_NO_EXECUTE, PageFlags } from "../../kernel/mm/paging";
import { DIRECT_MAP_BASE } from "../../kernel/mm/addr";
import { checkNoWritableExecutable, enableDebugChecks, leafEntrySlot } from "../../kernel/mm/debug";

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  setCpuLocal(0); // the bootstrap CPU: its index through gs, before anything takes a lock (the allocators do)
  installExceptionHandlers();
  enableDebugChecks();
  initMemory(bootMemoryAt(bootInfo)); // the boot-time scan passes
  const pages = pageAllocator.allocate(1n).allocated;
  const frames = frameAllocator.allocate(1n).allocated;
  if (pages === null || frames === null) return panic("out of memory");
  const m = kernelPageTables();
  const mapped = m.map(pages, frames, PageFlags.readWrite()).mapped;
  if (mapped === null) return panic("map failed");
  const va: u64 = mapped.start().value();
  const slot: u64 = leafEntrySlot(m.p4Address(), DIRECT_MAP_BASE, va);
  if (slot === 0n) return panic("no leaf entry for the fresh page");
  store64(DIRECT_MAP_BASE + slot, load64(DIRECT_MAP_BASE + slot) & ~ENTRY_NO_EXECUTE);
  invlpg(va);
  println(`# made v${hex(va)} writable and executable; scanning`);
  checkNoWritableExecutable(m.p4Address(), DIRECT_MAP_BASE); // wx-scan
  println("# unreachable: the scan missed the W+X page");
}
