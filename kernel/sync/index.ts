// Synchronisation between CPUs: the ticket spinlock and its scope guard, and the lock order
// (lock_order.ts). The atomic cells it is built from are kernel/lib/atomic.ts; the CPU
// index it records, kernel/arch/x86_64/cpu_local.ts.
export { locksHeldByMe, SpinGuard, SpinLock } from "./spinlock";
export { RANK_ALLOCATOR, RANK_HEAP, RANK_MAPPER, UNRANKED } from "./lock_order";
export { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "../lib/atomic";
