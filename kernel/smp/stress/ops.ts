// The stress test's random operations (issue 12 point 5), run by every CPU at once from
// its own seed: map pages of random sizes (1..16 chunks, mostly 1) to fresh frames and fill
// every word with the CPU's mark, or check a mapping it holds word by word and release it
// (unmap, pages and frames back: a shootdown), or allocate and release frames or pages
// alone. Each CPU holds at most SLOTS mappings, in its own slots; the counters are per CPU.
//
// The allocators and the mapper lock themselves (per-CPU magazines in front of a locked
// core, kernel/mm/alloc; the mapper's lock and shootdowns, kernel/mm/paging): every call here
// goes to them directly, from every CPU at once.
import { type bool, type u32, u64, truncU32 } from "../../lib/int";
import { load64, store64 } from "../../lib/intrinsics";
import { println } from "../../lib/console";
import { hex } from "../../lib/fmt";
import { take, type Consumed } from "../../lib/owned";
import { frameAllocator, pageAllocator } from "../../mm/alloc";
import { type Mapper, type MappedPages, PageFlags } from "../../mm/paging";
import { MAX_CPUS, PerCpu } from "../../arch/x86_64/cpu_local";

/** Mappings one CPU holds at once. */
export const SLOTS: u32 = 8;
/** Largest request, in chunks. */
const MAX_CHUNKS: u64 = 16n;
/** A CPU's mark: "STRE" in the high half, its index in the low. */
const MARK: u64 = 0x5354_5245_0000_0000n;
const MARK_MASK: u64 = 0xffff_ffff_0000_0000n;
const MASK64: u64 = 0xffff_ffff_ffff_ffffn;

/** The mappings held, SLOTS per CPU (CPU c's are c * SLOTS ..). */
const held = new Array<MappedPages | null>(MAX_CPUS * SLOTS).fill(null);

/** Per-CPU counters (each CPU writes its own; read by the boot CPU after a barrier). */
export const opsDone = new PerCpu<u64>(0n);
export const foreignWords = new PerCpu<u64>(0n);
export const corruptWords = new PerCpu<u64>(0n);
export const framesHeld = new PerCpu<u64>(0n);
export const pagesHeld = new PerCpu<u64>(0n);
export const pagesFilled = new PerCpu<u64>(0n);
export const refused = new PerCpu<u64>(0n);

/** Zeroes CPU `cpu`'s counters (the boot CPU, before a run). */
export function resetCounters(cpu: u32): void {
  opsDone.set(cpu, 0n);
  foreignWords.set(cpu, 0n);
  corruptWords.set(cpu, 0n);
  framesHeld.set(cpu, 0n);
  pagesHeld.set(cpu, 0n);
  pagesFilled.set(cpu, 0n);
  refused.set(cpu, 0n);
}

/** The mark CPU `cpu` writes into its own words. */
export function markOf(cpu: u32): u64 {
  return MARK | u64(cpu);
}

/** xorshift64's next state (`<<` is checked: the bits it would shift out are dropped first). */
export function nextRandom(state: u64): u64 {
  let x: u64 = state;
  x = x ^ ((x & (MASK64 >> 13n)) << 13n);
  x = x ^ (x >> 7n);
  x = x ^ ((x & (MASK64 >> 17n)) << 17n);
  return x;
}

/** `ops` random operations of CPU `cpu` on `m` from PRNG state `seed`; returns the state after. */
export function randomOps(m: Mapper, cpu: u32, ops: u64, seed: u64): u64 {
  let x: u64 = seed;
  for (let i: u64 = 0n; i < ops; i++) {
    x = nextRandom(x);
    const kind: u64 = x % 10n;
    const chunks: u64 = (x >> 8n) % 4n !== 0n ? 1n : 1n + (x >> 12n) % MAX_CHUNKS;
    const slot: u32 = cpu * SLOTS + truncU32((x >> 20n) % u64(SLOTS));
    if (kind < 8n) {
      // Map into an empty slot, check and release a full one: the slots fill to about half.
      if (held[slot] === null) mapAndFill(m, cpu, slot, chunks);
      else checkAndRelease(cpu, slot);
    } else if (kind === 8n) {
      churnFrames(chunks);
    } else {
      churnPages(chunks);
    }
    opsDone.set(cpu, opsDone.of(cpu) + 1n);
  }
  return x;
}

/** Checks and releases every mapping CPU `cpu` still holds. */
export function releaseAll(cpu: u32): void {
  for (let k: u32 = 0; k < SLOTS; k++) checkAndRelease(cpu, cpu * SLOTS + k);
}

/** `chunks` fresh pages mapped read-write to fresh frames, or null when either allocator refused. */
export function allocateAndMap(m: Mapper, chunks: u64): MappedPages | null {
  const pages = pageAllocator.allocate(chunks).allocated;
  if (pages === null) return null;
  const frames = frameAllocator.allocate(chunks).allocated;
  if (frames === null) {
    pages.release();
    return null;
  }
  return m.map(pages, frames, PageFlags.readWrite()).mapped;
}

/** Unmaps and releases `mp` (pages and frames back to their allocators). */
export function releaseMapped(mp: Consumed<MappedPages>): void {
  mp.release();
}

/** Maps `chunks` pages into slot `slot` of CPU `cpu` and writes its mark into every word. */
function mapAndFill(m: Mapper, cpu: u32, slot: u32, chunks: u64): void {
  const mp = allocateAndMap(m, chunks);
  if (mp === null) {
    refused.set(cpu, refused.of(cpu) + 1n);
    return;
  }
  const base: u64 = mp.start().value();
  const end: u64 = base + mp.sizeInBytes();
  const mark: u64 = markOf(cpu);
  for (let a: u64 = base; a < end; a += 8n) store64(a, mark);
  framesHeld.set(cpu, framesHeld.of(cpu) + chunks);
  pagesHeld.set(cpu, pagesHeld.of(cpu) + chunks);
  pagesFilled.set(cpu, pagesFilled.of(cpu) + chunks);
  held[slot] = mp;
}

/** Reads back every word of the mapping in slot `slot` (none: nothing to do), counts any that is not CPU `cpu`'s mark, releases it. */
function checkAndRelease(cpu: u32, slot: u32): void {
  const mp = take(held, slot);
  if (mp === null) return;
  const base: u64 = mp.start().value();
  const end: u64 = base + mp.sizeInBytes();
  const mark: u64 = markOf(cpu);
  for (let a: u64 = base; a < end; a += 8n) {
    const v: u64 = load64(a);
    if (v !== mark) wrongWord(cpu, a, v);
  }
  const chunks: u64 = mp.sizeInBytes() >> 12n;
  releaseMapped(mp);
  framesHeld.set(cpu, framesHeld.of(cpu) - chunks);
  pagesHeld.set(cpu, pagesHeld.of(cpu) - chunks);
}

/** Counts a word of CPU `cpu`'s own mapping that does not hold its mark; the first of each CPU is printed. */
function wrongWord(cpu: u32, addr: u64, v: u64): void {
  const first: bool = foreignWords.of(cpu) + corruptWords.of(cpu) === 0n;
  const foreign: bool = (v & MARK_MASK) === MARK;
  if (foreign) foreignWords.set(cpu, foreignWords.of(cpu) + 1n);
  else corruptWords.set(cpu, corruptWords.of(cpu) + 1n);
  if (first) println(`stress: CPU ${cpu} read ${hex(v)} at ${hex(addr)} in its own mapping (${foreign ? "a CPU mark" : "not a CPU mark"})`);
}

/** Allocates `chunks` frames and gives them back. */
function churnFrames(chunks: u64): void {
  const f = frameAllocator.allocate(chunks).allocated;
  if (f !== null) f.release();
}

/** Allocates `chunks` pages and gives them back. */
function churnPages(chunks: u64): void {
  const p = pageAllocator.allocate(chunks).allocated;
  if (p !== null) p.release();
}
