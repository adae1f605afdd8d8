// What each application processor owns for its life: a kernel stack and a double-fault
// (IST1) stack, each with an unmapped guard page below it (allocated from the page
// allocator and kept, so nothing else is ever mapped there: an overflow faults), and a
// page of its own holding its GDT (the kernel's code and data descriptors, and its TSS's),
// its TSS and the words it reports in with. The boot CPU prepares all of it before the
// start-up IPI; the AP only loads it (ap_main.ts).
//
// The per-CPU page:
//     0  GDT: null, kernel code 0x08, kernel data 0x10, TSS 0x18 (two slots)
//    64  TSS (104 bytes)
//   256  u32 status: 0 until the AP runs apMain, then CPU_ONLINE
//   260  u32 the APIC id the AP read from its own local APIC
//   264  u64 top of its double-fault stack
import type { bool, u16, u32, u64 } from "../lib/int";
import { gdtAddress, load32, load64 } from "../lib/intrinsics";
import { panic } from "../lib/panic";
import { frameAllocator, pageAllocator, type AllocatedPages } from "../mm/alloc";
import { mapErrorName, type Mapper, type MappedPages, PageFlags } from "../mm/paging";
import type { Consumed } from "../lib/owned";

/** Pages of an AP's kernel stack (16 KiB) and of its double-fault stack (8 KiB). */
const STACK_PAGES: u64 = 4n;
const DOUBLE_FAULT_STACK_PAGES: u64 = 2n;

/** Offsets in the per-CPU page (table above). */
export const CPU_GDT: u64 = 0n;
/** The AP's GDT limit: 5 descriptors of 8 bytes. */
export const CPU_GDT_LIMIT: u16 = 39;
export const CPU_TSS: u64 = 64n;
export const CPU_STATUS: u64 = 256n;
export const CPU_APIC_ID: u64 = 260n;
export const CPU_DOUBLE_FAULT_TOP: u64 = 264n;
/** The status an AP sets once it runs apMain on its own tables. */
export const CPU_ONLINE: u32 = 1;
/** Bytes of the kernel GDT copied: null, code, data (the TSS slots are the AP's own). */
const GDT_SHARED_BYTES: u64 = 24n;

/** A stack: its mapped pages and, below them, the guard page, allocated but never mapped. */
export class GuardedStack {
  readonly guard: AllocatedPages;
  readonly stack: MappedPages;
  /** The top (exclusive end, page-aligned) of the stack. */
  readonly top: u64;

  constructor(guard: Consumed<AllocatedPages>, stack: Consumed<MappedPages>) {
    this.top = stack.start().value() + stack.sizeInBytes();
    this.guard = guard;
    this.stack = stack;
  }
}

/** A stack of `pages` pages mapped read-write through `m`, with a guard page below it; `what` names it in a panic. */
export function allocateGuardedStack(m: Mapper, pages: u64, what: string): GuardedStack {
  const all = pageAllocator.allocate(pages + 1n).allocated;
  if (all === null) return panic(`AP start-up: no ${pages + 1n} pages for the ${what}`);
  const stackStart = all.start().add(1n);
  if (stackStart === null) return panic(`AP start-up: the ${what}'s pages end the address space`);
  const halves = all.split(stackStart);
  const guard = halves.first;
  const pagesOfStack = halves.second;
  if (pagesOfStack === null) return panic(`AP start-up: splitting the ${what}'s guard page off was refused`);
  const frames = frameAllocator.allocate(pages).allocated;
  if (frames === null) return panic(`AP start-up: no ${pages} frames for the ${what}`);
  const r = m.map(pagesOfStack, frames, PageFlags.readWrite());
  const stack = r.mapped;
  if (stack === null) return panic(`AP start-up: mapping the ${what} failed: ${mapErrorName(r.error)}`);
  return new GuardedStack(guard, stack);
}

/** One application processor's own memory (table at the top), held for the CPU's life. */
export class ApCpu {
  readonly index: u32;
  readonly apicId: u32;
  stack: GuardedStack;
  doubleFaultStack: GuardedStack;
  page: MappedPages;
  /** Virtual address of its per-CPU page. */
  readonly pageAddress: u64;

  constructor(index: u32, apicId: u32, stack: GuardedStack, doubleFaultStack: GuardedStack, page: Consumed<MappedPages>) {
    this.index = index;
    this.apicId = apicId;
    this.stack = stack;
    this.doubleFaultStack = doubleFaultStack;
    this.pageAddress = page.start().value();
    this.page = page;
  }

  /** Its kernel stack's top. */
  stackTop(): u64 {
    return this.stack.top;
  }

  /** True once the AP has reported in. */
  isOnline(): bool {
    return load32(this.pageAddress + CPU_STATUS) === CPU_ONLINE;
  }

  /** The APIC id the AP read from its own local APIC (0 before it reports in). */
  reportedApicId(): u32 {
    return load32(this.pageAddress + CPU_APIC_ID);
  }
}

/** Allocates and fills in the memory of the AP `index` with APIC id `apicId`. */
export function prepareCpu(m: Mapper, index: u32, apicId: u32): ApCpu {
  const stack = allocateGuardedStack(m, STACK_PAGES, "AP kernel stack");
  const df = allocateGuardedStack(m, DOUBLE_FAULT_STACK_PAGES, "AP double-fault stack");
  const pages = pageAllocator.allocate(1n).allocated;
  if (pages === null) return panic("AP start-up: no page for the per-CPU page");
  const frames = frameAllocator.allocate(1n).allocated;
  if (frames === null) {
    pages.release();
    return panic("AP start-up: no frame for the per-CPU page");
  }
  const r = m.map(pages, frames, PageFlags.readWrite());
  const page = r.mapped;
  if (page === null) return panic(`AP start-up: mapping the per-CPU page failed: ${mapErrorName(r.error)}`);
  page.zero(0n, page.sizeInBytes());
  for (let i: u64 = 0n; i < GDT_SHARED_BYTES; i += 8n) page.write64(CPU_GDT + i, load64(gdtAddress() + i));
  page.write64(CPU_DOUBLE_FAULT_TOP, df.top);
  return new ApCpu(index, apicId, stack, df, page);
}

