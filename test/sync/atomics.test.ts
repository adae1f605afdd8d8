// The atomic cells and the CPU-local index as kernel code sees them under Node (the
// stand-ins of test/sim/intrinsics.ts): every operation's result and effect, CAS success
// and failure, exact 64-bit values at the top of the range, checked fetchAdd/fetchSub
// panicking at 2^64-1 / 0 (and at the caller's line), the explicit wrapping operations.
import { describe, expect, it } from "vitest";
import { AtomicU32, AtomicU64, LoadOrder, RmwOrder, StoreOrder } from "../../kernel/lib/atomic";
import { currentCpu, PerCpu, setCpuLocal } from "../../kernel/arch/x86_64/cpu_local";
import { panicOf, useSimulatedConsole } from "../mm/support";

useSimulatedConsole();

const MAX64 = 0xffff_ffff_ffff_ffffn;

describe("AtomicU64", () => {
  it("loads and stores exactly with every ordering", () => {
    const a = new AtomicU64(MAX64);
    for (const o of [LoadOrder.Relaxed, LoadOrder.Acquire, LoadOrder.SeqCst]) expect(a.load(o)).toBe(MAX64);
    for (const [o, v] of [[StoreOrder.Relaxed, 1n], [StoreOrder.Release, 0x8000_0000_0000_0001n], [StoreOrder.SeqCst, MAX64 - 1n]] as const) {
      a.store(v, o);
      expect(a.load(LoadOrder.SeqCst)).toBe(v);
    }
  });

  it("compare-exchange stores only on a match and returns what it found", () => {
    const a = new AtomicU64(7n);
    for (const o of [RmwOrder.Relaxed, RmwOrder.Acquire, RmwOrder.Release, RmwOrder.AcqRel, RmwOrder.SeqCst]) {
      const before = a.load(LoadOrder.Relaxed);
      expect(a.compareExchange(before + 1n, 0n, o)).toBe(before); // failure: unchanged
      expect(a.load(LoadOrder.Relaxed)).toBe(before);
      expect(a.compareExchange(before, before + 10n, o)).toBe(before); // success
      expect(a.load(LoadOrder.Relaxed)).toBe(before + 10n);
    }
    expect(a.compareAndSet(57n, MAX64, RmwOrder.SeqCst)).toBe(true);
    expect(a.compareAndSet(57n, 1n, RmwOrder.SeqCst)).toBe(false);
    expect(a.load(LoadOrder.Relaxed)).toBe(MAX64);
  });

  it("swap, fetchAnd and fetchOr return the old value", () => {
    const a = new AtomicU64(0xf0n);
    expect(a.swap(0xff00n, RmwOrder.AcqRel)).toBe(0xf0n);
    expect(a.fetchOr(0x8000_0000_0000_000fn, RmwOrder.Relaxed)).toBe(0xff00n);
    expect(a.fetchAnd(0x8000_0000_0000_0f0fn, RmwOrder.Release)).toBe(0x8000_0000_0000_ff0fn);
    expect(a.load(LoadOrder.Relaxed)).toBe(0x8000_0000_0000_0f0fn);
  });

  it("fetchAdd reaches 2^64-1 exactly and panics past it, at the caller's line", () => {
    const a = new AtomicU64(MAX64 - 2n);
    expect(a.fetchAdd(2n, RmwOrder.SeqCst)).toBe(MAX64 - 2n);
    expect(a.load(LoadOrder.Relaxed)).toBe(MAX64);
    const message = panicOf(() => a.fetchAdd(1n, RmwOrder.SeqCst));
    expect(message).toContain("atomic fetchAdd overflowed: 18446744073709551615 + 1 does not fit in a u64 (use the wrapping operation to wrap)");
    expect(message).toMatch(/panic at \S*test\/sync\/atomics\.test\.ts:\d+:\d+: atomic fetchAdd/);
  });

  it("fetchSub reaches 0 and panics below it", () => {
    const a = new AtomicU64(5n);
    expect(a.fetchSub(5n, RmwOrder.Relaxed)).toBe(5n);
    expect(panicOf(() => a.fetchSub(1n, RmwOrder.Relaxed))).toContain("atomic fetchSub overflowed: 0 - 1 does not fit in a u64");
  });

  it("wrapping operations wrap modulo 2^64, as named", () => {
    const a = new AtomicU64(MAX64);
    expect(a.wrappingFetchAdd(2n, RmwOrder.Relaxed)).toBe(MAX64);
    expect(a.load(LoadOrder.Relaxed)).toBe(1n);
    expect(a.wrappingFetchSub(3n, RmwOrder.Relaxed)).toBe(1n);
    expect(a.load(LoadOrder.Relaxed)).toBe(MAX64 - 1n);
  });
});

describe("AtomicU32", () => {
  it("checks at 2^32-1, wraps when asked, and keeps values unsigned", () => {
    const b = new AtomicU32(0xffff_fffe);
    expect(b.fetchAdd(1, RmwOrder.SeqCst)).toBe(0xffff_fffe);
    expect(panicOf(() => b.fetchAdd(1, RmwOrder.SeqCst))).toContain("4294967295 + 1 does not fit in a u32");
    const c = new AtomicU32(0xffff_ffff);
    expect(c.wrappingFetchAdd(1, RmwOrder.Relaxed)).toBe(0xffff_ffff);
    expect(c.load(LoadOrder.Relaxed)).toBe(0);
    expect(c.wrappingFetchSub(1, RmwOrder.Relaxed)).toBe(0);
    expect(c.load(LoadOrder.Relaxed)).toBe(0xffff_ffff);
    expect(c.fetchOr(0x8000_0000, RmwOrder.Relaxed)).toBe(0xffff_ffff);
    expect(c.fetchAnd(0x8000_0001, RmwOrder.Relaxed)).toBe(0xffff_ffff);
    expect(c.load(LoadOrder.Relaxed)).toBe(0x8000_0001);
    expect(c.compareExchange(0x8000_0001, 3, RmwOrder.AcqRel)).toBe(0x8000_0001);
    expect(c.swap(4, RmwOrder.SeqCst)).toBe(3);
  });
});

describe("CPU-local index", () => {
  it("is what setCpuLocal installed, and PerCpu indexes by it", () => {
    const hits = new PerCpu<bigint>(0n);
    expect(currentCpu()).toBe(0);
    hits.setCurrent(5n);
    setCpuLocal(9);
    expect(currentCpu()).toBe(9);
    hits.setCurrent(7n);
    expect(hits.current()).toBe(7n);
    expect(hits.of(0)).toBe(5n);
    expect(hits.of(1)).toBe(0n);
  });

  it("refuses an index the runtime has no area for", () => {
    expect(panicOf(() => setCpuLocal(64))).toContain("CPU index 64 out of range: the kernel handles 64 CPUs");
  });
});
