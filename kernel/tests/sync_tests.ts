// In-kernel tests of the concurrency primitives as the C backend emits them: the atomics'
// exact 64-bit results (lock xadd, lock cmpxchg, xchg), the spinlock's guard with the
// interrupt flag saved and restored (the test kernel runs with its watchdog timer on), and
// the CPU index read through gs.
import type { bool, u64 } from "../lib/int";
import { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "../lib/atomic";
import { disableInterrupts, restoreInterrupts } from "../lib/intrinsics";
import { expect, expectEqU32, expectEqU64 } from "../lib/ktap";
import { SpinLock } from "../sync";
import { currentCpu, setCpuLocal } from "../arch/x86_64/cpu_local";

const MAX: u64 = 0xffff_ffff_ffff_ffffn;

/** RFLAGS.IF now (read by clearing and restoring it). */
function interruptsOn(): bool {
  const on = disableInterrupts();
  restoreInterrupts(on);
  return on;
}

/** Every atomic operation gives the exact 64-bit (and 32-bit) result, at the top of the range too. */
export function testAtomicsExact(): void {
  const a = new AtomicU64(MAX - 1n);
  expectEqU64(a.fetchAdd(1n, RmwOrder.SeqCst), MAX - 1n, "fetchAdd returns the old value");
  expectEqU64(a.load(LoadOrder.Acquire), MAX, "fetchAdd reaches 2^64-1");
  expectEqU64(a.wrappingFetchAdd(3n, RmwOrder.AcqRel), MAX, "wrappingFetchAdd returns the old value");
  expectEqU64(a.load(LoadOrder.Relaxed), 2n, "wrappingFetchAdd wraps modulo 2^64");
  expectEqU64(a.compareExchange(3n, 7n, RmwOrder.SeqCst), 2n, "failed CAS returns what it found");
  expectEqU64(a.load(LoadOrder.SeqCst), 2n, "failed CAS stores nothing");
  expectEqU64(a.compareExchange(2n, 0x8000_0000_0000_0000n, RmwOrder.Release), 2n, "successful CAS returns the expected value");
  expectEqU64(a.load(LoadOrder.SeqCst), 0x8000_0000_0000_0000n, "successful CAS stores");
  expect(a.compareAndSet(0x8000_0000_0000_0000n, 1n, RmwOrder.Acquire), "compareAndSet succeeds on a match");
  expect(!a.compareAndSet(0x8000_0000_0000_0000n, 5n, RmwOrder.Relaxed), "compareAndSet fails on a mismatch");
  expectEqU64(a.swap(MAX, RmwOrder.SeqCst), 1n, "swap returns the old value");
  a.store(0xf0f0n, StoreOrder.Release);
  expectEqU64(a.fetchOr(0x0f00_0000_0000_0000n, RmwOrder.Relaxed), 0xf0f0n, "fetchOr returns the old value");
  expectEqU64(a.fetchAnd(0xff00_0000_0000_00f0n, RmwOrder.Relaxed), 0x0f00_0000_0000_f0f0n, "fetchAnd returns the old value");
  expectEqU64(a.fetchSub(0xf0n, RmwOrder.SeqCst), 0x0f00_0000_0000_00f0n, "fetchSub returns the old value");
  a.store(9n, StoreOrder.SeqCst);
  expectEqU64(a.load(LoadOrder.Relaxed), 9n, "seq_cst store");
  const b = new AtomicU32(0xffff_fffe);
  expectEqU32(b.fetchAdd(1, RmwOrder.SeqCst), 0xffff_fffe, "u32 fetchAdd");
  expectEqU32(b.wrappingFetchAdd(2, RmwOrder.SeqCst), 0xffff_ffff, "u32 wrappingFetchAdd");
  expectEqU32(b.load(LoadOrder.SeqCst), 1, "u32 wraps modulo 2^32");
  expectEqU32(b.compareExchange(1, 0x8000_0000, RmwOrder.AcqRel), 1, "u32 CAS");
  expectEqU32(b.swap(4, RmwOrder.Relaxed), 0x8000_0000, "u32 swap");
}

/** The guard holds the lock for its scope with interrupts off, then restores them. */
export function testSpinLockGuard(): void {
  const lock = new SpinLock("test");
  const before = interruptsOn();
  expect(before, "the test kernel runs with interrupts on (its watchdog timer)");
  for (let i: u64 = 0n; i < 3n; i++) {
    using g = lock.acquire();
    expect(lock.heldByMe(), "held inside the guard's scope");
    expect(!interruptsOn(), "interrupts off while the lock is held");
  }
  expect(!lock.heldByMe(), "released at the end of the scope");
  expect(interruptsOn() === before, "interrupts restored after release");
  expectEqU64(lock.contentions, 0n, "no contention on one CPU");
}

/** The CPU index comes back through gs as installed. */
export function testCpuLocalIndex(): void {
  expectEqU32(currentCpu(), 0, "the bootstrap CPU is CPU 0");
  setCpuLocal(5);
  expectEqU32(currentCpu(), 5, "after installing area 5");
  setCpuLocal(0);
  expectEqU32(currentCpu(), 0, "back to area 0");
}
