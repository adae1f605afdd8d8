// The benchmark kernel (make bench): under QEMU's `-icount shift=0` the time-stamp counter
// advances once per instruction, so each figure below is an exact, repeatable instruction
// count. Prints `bench <name> <instructions>` lines, then exits QEMU with status 33.
import type { u32, u64 } from "./lib/int";
import { println } from "./lib/console";
import { kernelTextStart, qemuExit, readTsc } from "./lib/intrinsics";
import { serialInit } from "./arch/x86_64/serial";
import { setCpuLocal } from "./arch/x86_64/cpu_local";
import { AtomicU64, LoadOrder, RmwOrder, SpinLock } from "./sync";
import { installExceptionHandlers } from "./arch/x86_64/exceptions";
import { initMemory, kernelPageTables } from "./boot/memory_init";
import { bootMemoryAt } from "./boot/regions";
import { frameAllocator, pageAllocator } from "./mm/alloc";
import { PageFlags } from "./mm/paging";
import { VirtualAddress } from "./mm/addr";
import { panic } from "./lib/panic";

/** Repetitions of each measured operation; figures are per operation. */
const ROUNDS: u64 = 1000n;
/** isa-debug-exit code for success (QEMU status 33). */
const EXIT_PASS: u32 = 0x10;

/** Instructions of an empty measured loop, subtracted from every figure. */
function loopOverhead(): u64 {
  const t0 = readTsc();
  for (let i: u64 = 0n; i < ROUNDS; i++) {
    // Nothing: the loop and the counter reads alone.
  }
  return (readTsc() - t0) / ROUNDS;
}

function report(name: string, total: u64, overhead: u64): void {
  const per: u64 = total / ROUNDS;
  println(`bench ${name} ${per > overhead ? per - overhead : 0n}`);
}

/** One frame allocated and released, at steady state: the per-CPU magazine's fast path (no lock). */
function frameAllocRelease(overhead: u64): void {
  const t0 = readTsc();
  for (let i: u64 = 0n; i < ROUNDS; i++) {
    const r = frameAllocator.allocate(1n);
    const f = r.allocated;
    if (f === null) return panic("bench: out of frames");
    f.release();
  }
  report("frame_alloc_release", readTsc() - t0, overhead);
}

/** A run of two frames allocated and released: the allocator's locked path (a region-set take and give under its SpinLock). */
function lockedFramesAllocRelease(overhead: u64): void {
  const t0 = readTsc();
  for (let i: u64 = 0n; i < ROUNDS; i++) {
    const f = frameAllocator.allocate(2n).allocated;
    if (f === null) return panic("bench: out of frames");
    f.release();
  }
  report("frame_alloc2_release_locked", readTsc() - t0, overhead);
}

/** One page allocated and released, at steady state. */
function pageAllocRelease(overhead: u64): void {
  const t0 = readTsc();
  for (let i: u64 = 0n; i < ROUNDS; i++) {
    const r = pageAllocator.allocate(1n);
    const p = r.allocated;
    if (p === null) return panic("bench: out of pages");
    p.release();
  }
  report("page_alloc_release", readTsc() - t0, overhead);
}

/** A page and a frame allocated, mapped, then unmapped and both released. */
function mapUnmap(overhead: u64): void {
  const mapper = kernelPageTables();
  const t0 = readTsc();
  for (let i: u64 = 0n; i < ROUNDS; i++) {
    const pages = pageAllocator.allocate(1n).allocated;
    const frames = frameAllocator.allocate(1n).allocated;
    if (pages === null || frames === null) return panic("bench: out of memory");
    const mapped = mapper.map(pages, frames, PageFlags.readWrite()).mapped;
    if (mapped === null) return panic("bench: map failed");
    mapped.release();
  }
  report("map_unmap_with_allocation", readTsc() - t0, overhead);
}

/**
 * One 4 KiB page mapped and unmapped, tables present, invlpg included, no allocation: a
 * neighbour page in the same P1 table stays mapped, so no table is made or freed.
 */
function mapUnmapTablesPresent(overhead: u64): void {
  const mapper = kernelPageTables();
  const pages = pageAllocator.allocateAligned(2n, 0x2000n).allocated; // two pages of one P1 table
  const frames = frameAllocator.allocate(2n).allocated;
  if (pages === null || frames === null) return panic("bench: out of memory");
  const anchor = pages.start();
  const page = pages.end();
  const frame = frames.end();
  if (!mapper.mapPage(anchor, frames.start(), PageFlags.readWrite()).isOk()) panic("bench: map failed");
  if ((page.number() >> 9n) !== (anchor.number() >> 9n)) panic("bench: the two pages are in different P1 tables");
  const t0 = readTsc();
  for (let i: u64 = 0n; i < ROUNDS; i++) {
    if (!mapper.mapPage(page, frame, PageFlags.readWrite()).isOk()) panic("bench: map failed");
    if (!mapper.unmapPage(page).isOk()) panic("bench: unmap failed");
  }
  report("map_unmap", readTsc() - t0, overhead);
  if (!mapper.unmapPage(anchor).isOk()) panic("bench: unmap failed");
  pages.release();
  frames.release();
}

/** translate() of the kernel's first text address (a 4-level walk). */
function translate(overhead: u64): void {
  const mapper = kernelPageTables();
  const addr = VirtualAddress.canonical(kernelTextStart());
  let hits: u64 = 0n;
  const t0 = readTsc();
  for (let i: u64 = 0n; i < ROUNDS; i++) {
    if (mapper.translate(addr) !== null) hits += 1n;
  }
  report("translate", readTsc() - t0, overhead);
  if (hits !== ROUNDS) panic("bench: the kernel image is not mapped");
}

/** An uncontended spinlock acquired and released (interrupts saved, disabled and restored; holder checks). */
function spinlockAcquireRelease(overhead: u64): void {
  const lock = new SpinLock("bench");
  const t0 = readTsc();
  for (let i: u64 = 0n; i < ROUNDS; i++) {
    using g = lock.acquire();
  }
  report("spinlock_acquire_release", readTsc() - t0, overhead);
}

/** One checked atomic fetchAdd (lock xadd and the overflow check). */
function atomicFetchAdd(overhead: u64): void {
  const counter = new AtomicU64(0n);
  const t0 = readTsc();
  for (let i: u64 = 0n; i < ROUNDS; i++) counter.fetchAdd(1n, RmwOrder.Relaxed);
  if (counter.load(LoadOrder.Relaxed) !== ROUNDS) panic("bench: the atomic counter lost an increment");
  report("atomic_fetch_add", readTsc() - t0, overhead);
}

/** Benchmark entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  setCpuLocal(0); // the bootstrap CPU: its index through gs, before anything takes a lock
  installExceptionHandlers();
  initMemory(bootMemoryAt(bootInfo)); // prints "memory init: N TSC ticks (allocators …, page tables …, heap …)"
  const overhead = loopOverhead();
  println(`bench loop_overhead ${overhead}`);
  frameAllocRelease(overhead);
  lockedFramesAllocRelease(overhead);
  pageAllocRelease(overhead);
  mapUnmapTablesPresent(overhead);
  mapUnmap(overhead);
  translate(overhead);
  spinlockAcquireRelease(overhead);
  atomicFetchAdd(overhead);
  qemuExit(EXIT_PASS);
}
