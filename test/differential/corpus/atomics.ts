// Atomic cells (kernel/lib/atomic.ts) on one CPU: every operation and ordering, CAS success
// and failure, the exact 64-bit values at the top of the range, the explicit wrapping
// fetch operations, a cell shared through two references, and a spinlock's guard released
// at scope end; then fetchAdd past 2^64-1 panics at its line.
import type { bool, u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { hex } from "../../../kernel/lib/fmt";
import { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "../../../kernel/lib/atomic";
import { SpinLock } from "../../../kernel/sync";
import { setCpuLocal, currentCpu } from "../../../kernel/arch/x86_64/cpu_local";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

class Counter {
  readonly hits: AtomicU64;
  constructor(hits: AtomicU64) {
    this.hits = hits;
  }
}

function bump(c: Counter, lock: SpinLock): u64 {
  using g = lock.acquire();
  return c.hits.fetchAdd(1n, RmwOrder.AcqRel);
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  setCpuLocal(3);
  println(`cpu ${currentCpu()}`);
  const a = new AtomicU64(0xffff_ffff_ffff_fff0n);
  println(`load ${hex(a.load(LoadOrder.Relaxed))} ${hex(a.load(LoadOrder.Acquire))} ${hex(a.load(LoadOrder.SeqCst))}`);
  a.store(5n, StoreOrder.Relaxed);
  a.store(6n, StoreOrder.Release);
  a.store(7n, StoreOrder.SeqCst);
  println(`stored ${a.load(LoadOrder.SeqCst)}`);
  println(`swap ${a.swap(0xffff_ffff_ffff_ffffn, RmwOrder.SeqCst)} -> ${hex(a.load(LoadOrder.Relaxed))}`);
  const miss = a.compareExchange(1n, 2n, RmwOrder.AcqRel);
  const hit = a.compareExchange(0xffff_ffff_ffff_ffffn, 9n, RmwOrder.Release);
  const set: bool = a.compareAndSet(9n, 10n, RmwOrder.Acquire);
  const unset: bool = a.compareAndSet(9n, 11n, RmwOrder.Relaxed);
  println(`cas ${hex(miss)} ${hex(hit)} ${set} ${unset} now ${a.load(LoadOrder.Relaxed)}`);
  println(`add ${a.fetchAdd(0xffff_ffff_ffff_fff0n, RmwOrder.Relaxed)} -> ${hex(a.load(LoadOrder.Relaxed))}`);
  println(`sub ${hex(a.fetchSub(0xffff_ffff_ffff_fffan, RmwOrder.SeqCst))} -> ${a.load(LoadOrder.Relaxed)}`);
  println(`wrap ${a.wrappingFetchSub(1n, RmwOrder.Relaxed)} -> ${hex(a.load(LoadOrder.Relaxed))}`);
  println(`wrap ${hex(a.wrappingFetchAdd(2n, RmwOrder.Relaxed))} -> ${a.load(LoadOrder.Relaxed)}`);
  println(`and ${a.fetchAnd(0xfn, RmwOrder.Relaxed)} or ${a.fetchOr(0xf000_0000_0000_0000n, RmwOrder.Relaxed)} -> ${hex(a.load(LoadOrder.Relaxed))}`);
  const b = new AtomicU32(0xffff_fff0);
  const c32: u32 = b.fetchAdd(0xf, RmwOrder.SeqCst);
  println(`u32 ${hex(c32)} ${hex(b.load(LoadOrder.Acquire))} ${b.wrappingFetchAdd(3, RmwOrder.Relaxed)} ${b.load(LoadOrder.Relaxed)}`);
  println(`u32 cas ${b.compareExchange(2, 0x8000_0000, RmwOrder.SeqCst)} ${hex(b.swap(1, RmwOrder.Relaxed))} ${b.fetchSub(1, RmwOrder.Release)} ${b.fetchOr(0x10, RmwOrder.Relaxed)} ${b.fetchAnd(0x30, RmwOrder.Relaxed)} ${b.load(LoadOrder.SeqCst)}`);
  const shared = new AtomicU64(0n);
  const one = new Counter(shared);
  const two = new Counter(shared);
  const lock = new SpinLock("corpus");
  bump(one, lock);
  bump(two, lock);
  bump(one, lock);
  println(`shared ${shared.load(LoadOrder.SeqCst)} contentions ${lock.contentions} held ${lock.heldByMe()}`);
  {
    using g = lock.acquire();
    println(`held ${lock.heldByMe()}`);
  }
  println(`held ${lock.heldByMe()}`);
  const top = new AtomicU64(0xffff_ffff_ffff_fffen);
  println(`top ${top.fetchAdd(1n, RmwOrder.SeqCst)}`);
  println(`never ${top.fetchAdd(1n, RmwOrder.SeqCst)}`);
}
