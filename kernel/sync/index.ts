// Synchronisation between CPUs: the ticket spinlock and its scope guard. The atomic cells
// it is built from are kernel/lib/atomic.ts; the CPU index it records, kernel/arch/x86_64/cpu_local.ts.
export { SpinGuard, SpinLock } from "./spinlock";
export { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "../lib/atomic";
