// The memory console's commands. Each goes through the same owned API as the rest of the
// kernel (allocate, map, release), so nothing typed here can corrupt the kernel: a bad
// command, number, address or handle gets one line and the console goes on.
import { type bool, type u8, u32, u64 } from "../lib/int";
import { println } from "../lib/console";
import { take } from "../lib/owned";
import type { Address, Chunk, ChunkRange } from "../mm/addr";
import { frameAllocator, pageAllocator, type Allocated, type ChunkAllocator } from "../mm/alloc";
import { PageFlags } from "../mm/paging";
import { heapBlocksUsed, heapBytesFree, heapBytesMapped, heapBytesUsed, heapFreeBlocks, heapIsUp } from "../mm/heap";
import { kernelPageTables, memoryIsUp } from "../boot/memory_init";
import { freeSlot, Handles, keepMapping, KIND_FRAMES, KIND_MAPPED, KIND_PAGES, releaseSlot, SLOTS } from "./handles";
import { addressArgument, type Words } from "./words";
import type { BootMemory } from "../boot/regions";
import { describeKernelTables, describeMemory } from "./views";
import { unmap } from "./unmap";
import { runFastPath, runStress } from "../smp/stress";
import { panic } from "../lib/panic";

// Command words, packed as Words.code packs them (first byte lowest).
const HELP: u64 = 0x706c6568n; // "help"
const FRAMES: u64 = 0x73656d617266n; // "frames"
const PAGES: u64 = 0x7365676170n; // "pages"
const HEAP: u64 = 0x70616568n; // "heap"
const ALLOC: u64 = 0x636f6c6c61n; // "alloc"
const FREE: u64 = 0x65657266n; // "free"
const MAP: u64 = 0x70616dn; // "map"
const UNMAP: u64 = 0x70616d6e75n; // "unmap"
const WALK: u64 = 0x6b6c6177n; // "walk"
const QUIT: u64 = 0x74697571n; // "quit"
const MEM: u64 = 0x6d656dn; // "mem"
const TABLES: u64 = 0x73656c626174n; // "tables"
const STRESS: u64 = 0x737365727473n; // "stress"
const NOSHOOT: u64 = 0x746f6f68736f6en; // "noshoot"
const FASTPATH: u64 = 0x6874617074736166n; // "fastpath"

/** What a command asks of the console loop. */
export const enum Next {
  Continue = 0,
  Quit = 1,
}

/** Runs the command on one line; says whether the console goes on. */
export function runCommand(w: Words, h: Handles, mem: BootMemory): Next {
  if (w.count() === 0) return Next.Continue;
  if (w.overflowed()) {
    println("error: too many words on the line");
    return Next.Continue;
  }
  const cmd = w.code(0);
  if (cmd === HELP) printHelp();
  else if (cmd === QUIT) return Next.Quit;
  else if (!memoryIsUp()) println("error: memory is not initialised");
  else if (cmd === FRAMES) describeAllocator(frameAllocator, "frames");
  else if (cmd === PAGES) describeAllocator(pageAllocator, "pages");
  else if (cmd === HEAP) describeHeap();
  else if (cmd === MEM) describeMemory(mem);
  else if (cmd === TABLES) describeKernelTables();
  else if (cmd === ALLOC) alloc(w, h);
  else if (cmd === FREE) free(w, h);
  else if (cmd === MAP) map(w, h);
  else if (cmd === UNMAP) unmap(w, h);
  else if (cmd === WALK) walk(w);
  else if (cmd === STRESS) stress(w);
  else if (cmd === FASTPATH) fastPath(w);
  else println("error: unknown command (help lists them)");
  return Next.Continue;
}

function printHelp(): void {
  println("commands:");
  println("  frames              free physical frames: count, regions, largest run");
  println("  pages               free virtual pages of the kernel's half");
  println("  heap                kernel heap: bytes mapped, used and free, blocks");
  println("  mem                 the sanitised memory map; RAM available, free at boot, free now");
  println("  tables              the kernel's sections as its page tables map them (runs, flags)");
  println("  alloc frames N      allocate N frames (prints a handle fK)");
  println("  alloc pages N       allocate N pages (prints a handle pK)");
  println("  map pK fK           map pages pK onto frames fK, read-write (prints mK)");
  println("  unmap ADDR          unmap the page holding ADDR from its mapping mK (its page and frame");
  println("                      released; the pages before and after stay mapped as mK handles)");
  println("  free ID             release a handle (mK unmaps and releases its pages and frames)");
  println("  walk ADDR           what the kernel's page tables map at a virtual address");
  println("  stress N [noshoot]  every CPU runs N random map/fill/check/unmap operations, then the");
  println("                      shootdown probe (noshoot: without shootdowns); a failed check panics");
  println("  fastpath N          every CPU allocates and releases one frame N times at once: pairs/s");
  println("  quit                release every handle and exit QEMU");
}

/** Free chunks, free regions, the largest run and the first regions of an allocator. */
function describeAllocator<A extends Address<A>, C extends Chunk<A, C>, R extends ChunkRange<A, C, R>>(a: ChunkAllocator<A, C, R>, what: string): void {
  const regions: u32 = a.freeRegionCount(false);
  let largest: u64 = 0n;
  let from: u64 = 0n;
  for (let i: u32 = 0; i < regions; i++) {
    const r = a.freeRegionFrom(false, from);
    if (r.isEmpty()) break;
    if (r.sizeInChunks() > largest) largest = r.sizeInChunks();
    if (i < 4) println(`  ${r}`);
    if (r.lastNumber() === 0xffff_ffff_ffff_ffffn) break;
    from = r.lastNumber() + 1n;
  }
  if (regions > 4) println(`  … ${regions - 4} more regions`);
  println(`${what}: ${a.freeChunks()} free in ${regions} regions (largest run ${largest}), ${a.magazineSize()} in the magazine, ${a.allocatedChunks()} allocated`);
}

function describeHeap(): void {
  if (!heapIsUp()) {
    println("heap: not up");
    return;
  }
  println(`heap: ${heapBytesMapped()} bytes mapped, ${heapBytesUsed()} used in ${heapBlocksUsed()} blocks, ${heapBytesFree()} free in ${heapFreeBlocks()} blocks`);
}

/** `alloc frames N` / `alloc pages N`. */
function alloc(w: Words, h: Handles): void {
  const kind = w.code(1);
  const n = w.number(2, 0);
  if (w.count() !== 3 || (kind !== FRAMES && kind !== PAGES)) {
    println("error: usage: alloc frames N | alloc pages N");
    return;
  }
  if (!n.ok || n.value === 0n) {
    println("error: N must be a number of chunks above 0 (decimal or 0x…)");
    return;
  }
  if (kind === FRAMES) allocInto(frameAllocator, h.frames, n.value, "f", "frames");
  else allocInto(pageAllocator, h.pages, n.value, "p", "pages");
}

/** Allocates `count` chunks from `a` into a free slot of `slots`, printing the handle. */
function allocInto<A extends Address<A>, C extends Chunk<A, C>, R extends ChunkRange<A, C, R>>(a: ChunkAllocator<A, C, R>, slots: (Allocated<A, C, R> | null)[], count: u64, letter: string, what: string): void {
  const slot = freeSlot(slots);
  if (slot === SLOTS) {
    println(`error: every ${what} handle is in use (free one)`);
    return;
  }
  const got = a.allocate(count).allocated;
  if (got === null) {
    println(`error: no ${count} contiguous free ${what}`);
    return;
  }
  println(`${letter}${slot}: ${got.range()} (${got.sizeInChunks()} ${what})`);
  slots[slot] = got;
}

/** The slot a handle word names (`f3` → 3 with kind 'f'), or SLOTS when it names none. */
function slotOf(w: Words, i: u32, kind: u8): u32 {
  if (w.firstByte(i) !== kind) return SLOTS;
  const n = w.number(i, 1);
  return n.ok && n.value < u64(SLOTS) ? u32(n.value) : SLOTS;
}

/** `free ID`. */
function free(w: Words, h: Handles): void {
  if (w.count() !== 2) {
    println("error: usage: free ID (fK, pK or mK)");
    return;
  }
  const kind = w.firstByte(1);
  const slot = slotOf(w, 1, kind);
  let done: bool = false;
  if (slot !== SLOTS) {
    if (kind === KIND_FRAMES) done = releaseSlot(h.frames, slot);
    else if (kind === KIND_PAGES) done = releaseSlot(h.pages, slot);
    else if (kind === KIND_MAPPED) done = releaseSlot(h.mapped, slot);
  }
  if (done) println("released");
  else println("error: no such handle (fK, pK or mK, as alloc and map printed)");
}

/** `map pK fK`: the pages and frames move into the mapping. */
function map(w: Words, h: Handles): void {
  const ps = slotOf(w, 1, KIND_PAGES);
  const fs = slotOf(w, 2, KIND_FRAMES);
  if (w.count() !== 3 || ps === SLOTS || fs === SLOTS) {
    println("error: usage: map pK fK");
    return;
  }
  const ms = freeSlot(h.mapped);
  if (ms === SLOTS) {
    println("error: every mapping handle is in use (free one)");
    return;
  }
  const p = take(h.pages, ps);
  const f = take(h.frames, fs);
  if (p === null || f === null) {
    // Put back what was there: a failed command leaves no trace.
    if (p !== null) h.pages[ps] = p;
    if (f !== null) h.frames[fs] = f;
    println("error: no such handle");
    return;
  }
  if (p.sizeInChunks() !== f.sizeInChunks()) {
    println(`error: ${p.sizeInChunks()} pages and ${f.sizeInChunks()} frames differ in size`);
    h.pages[ps] = p;
    h.frames[fs] = f;
    return;
  }
  const r = kernelPageTables().map(p, f, PageFlags.readWrite());
  const m = r.mapped;
  if (m === null) {
    println("error: the mapping failed (the pages and frames went back to their allocators)");
    return;
  }
  keepMapping(h, ms, m);
}

/** Operations per CPU that `stress` accepts at most (the long run of make test-all is 100,000). */
const MAX_STRESS_OPS: u64 = 10_000_000n;

/** `stress N [noshoot]`: the SMP stress test (kernel/smp/stress); a failed check is a panic, so QEMU's exit status says it. */
function stress(w: Words): void {
  const n = w.number(1, 0);
  const skip: bool = w.count() === 3 && w.code(2) === NOSHOOT;
  if (!n.ok || n.value === 0n || n.value > MAX_STRESS_OPS || (w.count() !== 2 && !skip)) {
    println(`usage: stress N [noshoot] (N operations per CPU, 1..${MAX_STRESS_OPS})`);
    return;
  }
  if (!runStress(n.value, !skip)) panic("stress: a check failed (the lines above say which)");
}

/** `fastpath N`: how the single-frame fast path scales with the CPUs (kernel/smp/stress/fast_path.ts); counts not back is a panic. */
function fastPath(w: Words): void {
  const n = w.number(1, 0);
  if (!n.ok || n.value === 0n || n.value > MAX_STRESS_OPS || w.count() !== 2) {
    println(`usage: fastpath N (N allocate+release pairs per CPU, 1..${MAX_STRESS_OPS})`);
    return;
  }
  if (!runFastPath(n.value)) panic("fastpath: the frame allocator's counts are not back where they were");
}

/** `walk ADDR`: the physical address and permissions the kernel's tables give a virtual address. */
function walk(w: Words): void {
  const va = addressArgument(w, "walk ADDR (a virtual address, decimal or 0x…)");
  if (va === null) return;
  const tables = kernelPageTables();
  const pa = tables.translate(va);
  const flags = tables.flagsOf(va);
  if (pa === null || flags === null) println(`${va}: not mapped`);
  else println(`${va} -> ${pa} (${flags})`);
}

