// The lock order: a CPU holding a ranked lock takes only locks of a higher rank, so no two
// CPUs can each hold a lock the other waits for. SpinLock.acquire checks it (a named panic
// at the acquiring line); unranked locks (UNRANKED: `new SpinLock(name)`; `SpinLock.ranked(name, rank)` for a ranked one) are counted but not checked.
//
//   heap (kernel/mm/heap)  ->  mapper (kernel/mm/paging)  ->  page allocator | frame allocator
//
// - The heap lock is taken by heapAlloc/heapFree/objectAlloc (keelc's `new`); growing the
//   heap under it takes pages, frames and the mapper.
// - The mapper takes table frames from the frame allocator while it holds its lock.
// - The allocators' locks are leaves: nothing is taken under them, and they never nest in
//   each other (the same rank). In particular no heap allocation happens under them: the
//   allocators grow their node pools and make their per-CPU magazines with the lock not
//   held (kernel/mm/alloc/allocator.ts).
import type { u32 } from "../lib/int";
import { println } from "../lib/console";
import { panicStop } from "../lib/panic";
import type { CallSite } from "../lib/callsite";

// Ranks of the kernel's locks, outermost first (u32 constants: they are compared with the
// per-CPU rank, a u32).

/** Not in the order: counted, never checked. */
export const UNRANKED: u32 = 0;
/** The kernel heap's lock. */
export const RANK_HEAP: u32 = 10;
/** A page table's lock. */
export const RANK_MAPPER: u32 = 20;
/** The page allocator's and the frame allocator's locks (leaves). */
export const RANK_ALLOCATOR: u32 = 30;

/** The lock-order panic, at the acquire that breaks the order. */
export function lockOrderViolated(name: string, rank: u32, held: u32, cpu: u32, at: CallSite): never {
  println(`panic at ${at}: lock order violated: CPU ${cpu} takes spinlock "${name}" (rank ${rank}) while holding a lock of rank ${held} (kernel/sync/lock_order.ts)`);
  return panicStop();
}
