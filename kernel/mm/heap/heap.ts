// The kernel heap: a first-fit free list with coalescing over MappedPages in the heap window
// (layout.ts), grown on demand with pages taken in order from the window (the page
// allocator's reserved API) and frames from the frame allocator.
//
// Block layout (every block 16-byte aligned, sizes multiples of 16, header included):
//   +0  size in bytes | USED (bit 0)
//   +8  free block: address of the next free block (0 ends the list), the list sorted by
//       address; used block: HEAP_MAGIC (checked by heapFree)
//   +16 payload (what heapAlloc returns: 16-byte aligned)
// Freeing inserts the block in address order and merges it with free neighbours, so two
// adjacent free blocks never exist. Growth appends to the window, so new memory merges
// with a free block at the old end.
//
// The heap also backs keelc's `new` once memory_init.ts registers objectAlloc with
// setObjectAllocator (zeroed storage, never freed: the subset has no garbage collector).
//
// Several CPUs: one SpinLock (`heapLock`, first in the lock order, kernel/sync/lock_order.ts)
// guards the free list, the counters and growth. Growth maps pages under it, through the
// page allocator, the frame allocator and the mapper (each taking its own lock, later in the
// order). A `new` on the CPU holding the heap lock (objects growth makes) gets arena storage
// (objectAlloc returns 0 there), as a reentrant one always did.
import { u64, type bool } from "../../lib/int";
import { zeroBytes } from "../../lib/zero";
import { load64, store64 } from "../../lib/intrinsics";
import { panic } from "../../lib/panic";
import type { Consumed } from "../../lib/owned";
import { frameAllocator, pageAllocator } from "../alloc";
import { CHUNK_SHIFT, HEAP_BASE, HEAP_WINDOW_SIZE, PageRange } from "../addr";
import { type MappedPages, type Mapper, PageFlags } from "../paging";
import { RANK_HEAP, SpinLock } from "../../sync";
const HEADER: u64 = 16n;
const ALIGN: u64 = 16n;
const USED: u64 = 1n;
const SIZE_MASK: u64 = ~0xfn;
/** Smallest block worth splitting off: a header and 16 bytes. */
const MIN_BLOCK: u64 = 32n;
/** Written in used blocks: "KEELHEAP". */
const HEAP_MAGIC: u64 = 0x4b45454c48454150n;
/** The heap grows by at least this much (bytes, a multiple of 4 KiB). */
const GROW_MIN: u64 = 0x1_0000n;
const PAGE: u64 = 4096n;

/** A piece of the heap's memory, in a list (kept so the mappings have an owner). */
class HeapChunk {
  readonly mapped: MappedPages;
  next: HeapChunk | null; // mutable: a value class cannot hold itself

  constructor(mapped: Consumed<MappedPages>, next: HeapChunk | null) {
    this.mapped = mapped;
    this.next = next;
  }
}

let heapMapper: Mapper | null = null;
let chunks: HeapChunk | null = null;
/** End (exclusive) of the mapped heap: [HEAP_BASE, heapEnd) is mapped. */
let heapEnd: u64 = HEAP_BASE;
let freeHead: u64 = 0n;
let bytesUsed: u64 = 0n;
let blocksUsed: u64 = 0n;
let growths: u64 = 0n;
/** Guards every variable above once the heap is up. */
const heapLock = SpinLock.ranked("heap", RANK_HEAP);

/** Starts the heap on `mapper` with `initialBytes` mapped (rounded up to pages). */
export function initHeap(mapper: Mapper, initialBytes: u64): void {
  using g = heapLock.acquire();
  if (heapMapper !== null) panic("initHeap: the heap is already up");
  heapMapper = mapper;
  if (!grow(initialBytes)) panic(`initHeap: cannot map ${initialBytes} bytes for the heap`);
}

/** True once initHeap ran. */
export function heapIsUp(): bool {
  return heapMapper !== null;
}

/** The address of `size` bytes (16-byte aligned, not zeroed), or 0 when memory is exhausted. */
export function heapAlloc(size: u64): u64 {
  using g = heapLock.acquire();
  return allocLocked(size);
}

/** heapAlloc's work, under the lock. */
function allocLocked(size: u64): u64 {
  if (heapMapper === null) panic("heapAlloc: the heap is not up");
  if (size > HEAP_WINDOW_SIZE) return 0n;
  const payload: u64 = size < ALIGN ? ALIGN : (size + (ALIGN - 1n)) & SIZE_MASK;
  const need: u64 = payload + HEADER;
  let a = takeFit(need);
  if (a !== 0n) return a;
  if (!grow(need)) return 0n;
  a = takeFit(need);
  if (a === 0n) panic("heapAlloc: no fit right after growing");
  return a;
}

/** Gives back a block heapAlloc returned; panics on anything else (or a double free). */
export function heapFree(addr: u64): void {
  using g = heapLock.acquire();
  if (addr < HEAP_BASE + HEADER || addr >= heapEnd || (addr & (ALIGN - 1n)) !== 0n) panic(`heapFree: ${addr} is not a heap block`);
  const b: u64 = addr - HEADER;
  const h = load64(b);
  if ((h & USED) === 0n || load64(b + 8n) !== HEAP_MAGIC) panic(`heapFree: ${addr} is not an allocated block (double free?)`);
  const size: u64 = h & SIZE_MASK;
  bytesUsed -= size;
  blocksUsed -= 1n;
  insertFree(b, size);
}

/** Zeroed storage for keelc's `new` (setObjectAllocator's hook): 0 when out of memory. */
export function objectAlloc(size: u64): u64 {
  if (heapLock.heldByMe()) return 0n;
  const a = heapAlloc(size);
  if (a === 0n) return 0n;
  // The block is this CPU's now: zeroed with the lock released.
  zeroBytes(a, (load64(a - HEADER) & SIZE_MASK) - HEADER);
  return a;
}

/** Bytes in used blocks, headers included. */
export function heapBytesUsed(): u64 {
  return bytesUsed;
}

/** Number of used blocks. */
export function heapBlocksUsed(): u64 {
  return blocksUsed;
}

/** Bytes mapped for the heap. */
export function heapBytesMapped(): u64 {
  return heapEnd - HEAP_BASE;
}

/** Number of times the heap grew. */
export function heapGrowths(): u64 {
  return growths;
}

/** Bytes in free blocks (walks the list). */
export function heapBytesFree(): u64 {
  using g = heapLock.acquire();
  let n: u64 = 0n;
  let b = freeHead;
  while (b !== 0n) {
    n += load64(b) & SIZE_MASK;
    b = load64(b + 8n);
  }
  return n;
}

/** Number of free blocks (walks the list). */
export function heapFreeBlocks(): u64 {
  using g = heapLock.acquire();
  let n: u64 = 0n;
  let b = freeHead;
  while (b !== 0n) {
    n += 1n;
    b = load64(b + 8n);
  }
  return n;
}

/**
 * Checks the heap's invariants, panicking with the first broken one: free blocks sorted,
 * inside the heap, never adjacent; used + free bytes = mapped bytes.
 */
export function heapCheck(): void {
  using g = heapLock.acquire();
  let prevEnd: u64 = 0n;
  let free: u64 = 0n;
  let b = freeHead;
  while (b !== 0n) {
    const h = load64(b);
    const size: u64 = h & SIZE_MASK;
    if ((h & USED) !== 0n) panic(`heapCheck: used block ${b} on the free list`);
    if (b < HEAP_BASE || size < MIN_BLOCK || b + size > heapEnd) panic(`heapCheck: free block ${b} of ${size} bytes outside the heap`);
    if (prevEnd !== 0n && b <= prevEnd) panic(`heapCheck: free block ${b} unsorted or adjacent to the previous one`);
    prevEnd = b + size;
    free += size;
    b = load64(b + 8n);
  }
  if (free + bytesUsed !== heapEnd - HEAP_BASE) panic(`heapCheck: free ${free} + used ${bytesUsed} != mapped ${heapEnd - HEAP_BASE}`);
}

/** First fit for a block of `need` bytes: its payload address, or 0. */
function takeFit(need: u64): u64 {
  let prev: u64 = 0n;
  let b = freeHead;
  while (b !== 0n) {
    const size: u64 = load64(b) & SIZE_MASK;
    const next = load64(b + 8n);
    if (size >= need) {
      let taken = size;
      let rest = next;
      if (size - need >= MIN_BLOCK) {
        taken = need;
        rest = b + need;
        store64(rest, size - need);
        store64(rest + 8n, next);
      }
      if (prev === 0n) freeHead = rest;
      else store64(prev + 8n, rest);
      store64(b, taken | USED);
      store64(b + 8n, HEAP_MAGIC);
      bytesUsed += taken;
      blocksUsed += 1n;
      return b + HEADER;
    }
    prev = b;
    b = next;
  }
  return 0n;
}

/** Puts block [b, b + size) on the free list in address order, merging with its neighbours. */
function insertFree(b: u64, size: u64): void {
  let prev: u64 = 0n;
  let next = freeHead;
  while (next !== 0n && next < b) {
    prev = next;
    next = load64(next + 8n);
  }
  let start = b;
  let total = size;
  let after = next;
  if (next !== 0n && b + size === next) {
    total += load64(next) & SIZE_MASK;
    after = load64(next + 8n);
  }
  if (prev !== 0n && prev + (load64(prev) & SIZE_MASK) === b) {
    start = prev;
    total += load64(prev) & SIZE_MASK;
  } else if (prev === 0n) freeHead = start;
  else store64(prev + 8n, start);
  store64(start, total);
  store64(start + 8n, after);
}

/** Maps at least `need` more bytes at the heap's end; false when pages or frames run out. */
function grow(need: u64): bool {
  const m = heapMapper;
  if (m === null) return false;
  let bytes: u64 = (need + (PAGE - 1n)) & ~(PAGE - 1n);
  if (bytes < GROW_MIN) bytes = GROW_MIN;
  if (bytes > HEAP_BASE + HEAP_WINDOW_SIZE - heapEnd) return false;
  return mapMore(m, bytes / PAGE);
}

/** grow()'s work: `count` pages at the heap's end, mapped to fresh frames, onto the free list. */
function mapMore(m: Mapper, count: u64): bool {
  const bytes: u64 = count * PAGE;
  const pr = pageAllocator.allocateReserved(PageRange.empty().withNumbers(heapEnd >> CHUNK_SHIFT, count));
  const pages = pr.allocated;
  if (pages === null) return false;
  const fr = frameAllocator.allocate(count);
  const frames = fr.allocated;
  if (frames === null) {
    pages.release();
    return false;
  }
  const r = m.map(pages, frames, PageFlags.readWrite());
  const mapped = r.mapped;
  if (mapped === null) return false;
  chunks = new HeapChunk(mapped, chunks);
  const start = heapEnd;
  heapEnd += bytes;
  growths += 1n;
  insertFree(start, bytes);
  return true;
}

/** Number of heap chunks (one per growth). */
export function heapChunkCount(): u64 {
  using g = heapLock.acquire();
  let n: u64 = 0n;
  let c = chunks;
  while (c !== null) {
    n += 1n;
    c = c.next;
  }
  return u64(n);
}
