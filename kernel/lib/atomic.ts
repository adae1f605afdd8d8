// Atomic cells: the one way kernel code shares a mutable integer between CPUs.
//
// An atomic is a *mutable class* (docs/subset.md, "Concurrency"): every value is a pointer
// to one cell, so two CPUs holding "the same" AtomicU64 hold the same storage, in C as in
// JavaScript. (A value class would be copied, an owned class has one holder: neither can
// be shared.) Its field is touched only by the intrinsics of kernel/lib/intrinsics.ts,
// which keelc emits as gcc `__atomic_*` builtins on the field (`lock xadd`, `lock cmpxchg`,
// `xchg`, plain `mov` for loads and relaxed/release stores on x86_64); under Node they act
// on the field and are yield points of the simulated CPUs' scheduler (test/sim/smp.ts).
//
// Arithmetic stays checked, as everywhere in Keel: `fetchAdd`/`fetchSub` panic at the
// caller's line when the result does not fit (the wrapped value has been stored by then;
// the panic stops the machine). Wrapping is explicit: `wrappingFetchAdd`/`wrappingFetchSub`.
import { type bool, type u32, u64 } from "./int";
import { callSite, type CallSite } from "./callsite";
import { println } from "./console";
import { panicStop } from "./panic";
import {
  atomicCompareExchange32, atomicCompareExchange64, atomicFetchAdd32, atomicFetchAdd64, atomicFetchAnd32,
  atomicFetchAnd64, atomicFetchOr32, atomicFetchOr64, atomicFetchSub32, atomicFetchSub64, atomicLoad32,
  atomicLoad64, atomicStore32, atomicStore64, atomicSwap32, atomicSwap64,
} from "./intrinsics";

// The values are gcc's __ATOMIC_* constants: keelc passes them through unchanged. One enum
// per kind of access, so an invalid ordering (an acquire store) does not type-check.

/** Orderings of an atomic load. */
export const enum LoadOrder {
  Relaxed = 0,
  Acquire = 2,
  SeqCst = 5,
}

/** Orderings of an atomic store. */
export const enum StoreOrder {
  Relaxed = 0,
  Release = 3,
  SeqCst = 5,
}

/** Orderings of a read-modify-write (swap, compare-exchange, fetch-op). */
export const enum RmwOrder {
  Relaxed = 0,
  Acquire = 2,
  Release = 3,
  AcqRel = 4,
  SeqCst = 5,
}

const U64_MAX: u64 = 0xffff_ffff_ffff_ffffn;
const U32_MAX: u32 = 0xffff_ffff;

/** The overflow panic of a checked fetch operation, at the caller's line; a call of its own keeps the formatting out of the operation's fast path. */
export function atomicOverflow(op: string, old: u64, delta: u64, sign: string, width: string, at: CallSite): never {
  println(`panic at ${at}: atomic ${op} overflowed: ${old} ${sign} ${delta} does not fit in ${width} (use the wrapping operation to wrap)`);
  return panicStop();
}

/** A 64-bit unsigned integer shared between CPUs. */
export class AtomicU64 {
  /** The cell's contents: read and written only by the atomic intrinsics (keelc emits them on this field by name). */
  private value: u64;

  constructor(initial: u64) {
    this.value = initial;
  }

  /** Atomically reads the value. */
  load(order: LoadOrder): u64 {
    return atomicLoad64(this, order);
  }

  /** Atomically writes the value. */
  store(value: u64, order: StoreOrder): void {
    atomicStore64(this, value, order);
  }

  /** Atomically writes `value` and returns the value it replaced (xchg). */
  swap(value: u64, order: RmwOrder): u64 {
    return atomicSwap64(this, value, order);
  }

  /** Writes `desired` if the cell holds `expected` (lock cmpxchg); returns the value found (equal to `expected` exactly when it stored). */
  compareExchange(expected: u64, desired: u64, order: RmwOrder): u64 {
    return atomicCompareExchange64(this, expected, desired, order);
  }

  /** Writes `desired` if the cell holds `expected`; true when it did. */
  compareAndSet(expected: u64, desired: u64, order: RmwOrder): bool {
    return atomicCompareExchange64(this, expected, desired, order) === expected;
  }

  /** Adds `delta` (lock xadd) and returns the previous value; panics when the sum exceeds 2^64-1. */
  fetchAdd(delta: u64, order: RmwOrder, at: CallSite = callSite()): u64 {
    const old = atomicFetchAdd64(this, delta, order);
    if (old > U64_MAX - delta) atomicOverflow("fetchAdd", old, delta, "+", "a u64", at);
    return old;
  }

  /** Subtracts `delta` and returns the previous value; panics when the difference is below 0. */
  fetchSub(delta: u64, order: RmwOrder, at: CallSite = callSite()): u64 {
    const old = atomicFetchSub64(this, delta, order);
    if (old < delta) atomicOverflow("fetchSub", old, delta, "-", "a u64", at);
    return old;
  }

  /** Adds `delta` modulo 2^64 and returns the previous value. */
  wrappingFetchAdd(delta: u64, order: RmwOrder): u64 {
    return atomicFetchAdd64(this, delta, order);
  }

  /** Subtracts `delta` modulo 2^64 and returns the previous value. */
  wrappingFetchSub(delta: u64, order: RmwOrder): u64 {
    return atomicFetchSub64(this, delta, order);
  }

  /** ANDs `mask` into the value (lock and / cmpxchg loop) and returns the previous value. */
  fetchAnd(mask: u64, order: RmwOrder): u64 {
    return atomicFetchAnd64(this, mask, order);
  }

  /** ORs `mask` into the value and returns the previous value. */
  fetchOr(mask: u64, order: RmwOrder): u64 {
    return atomicFetchOr64(this, mask, order);
  }
}

/** A 32-bit unsigned integer shared between CPUs. */
export class AtomicU32 {
  /** The cell's contents: read and written only by the atomic intrinsics (keelc emits them on this field by name). */
  private value: u32;

  constructor(initial: u32) {
    this.value = initial;
  }

  /** Atomically reads the value. */
  load(order: LoadOrder): u32 {
    return atomicLoad32(this, order);
  }

  /** Atomically writes the value. */
  store(value: u32, order: StoreOrder): void {
    atomicStore32(this, value, order);
  }

  /** Atomically writes `value` and returns the value it replaced (xchg). */
  swap(value: u32, order: RmwOrder): u32 {
    return atomicSwap32(this, value, order);
  }

  /** Writes `desired` if the cell holds `expected` (lock cmpxchg); returns the value found (equal to `expected` exactly when it stored). */
  compareExchange(expected: u32, desired: u32, order: RmwOrder): u32 {
    return atomicCompareExchange32(this, expected, desired, order);
  }

  /** Writes `desired` if the cell holds `expected`; true when it did. */
  compareAndSet(expected: u32, desired: u32, order: RmwOrder): bool {
    return atomicCompareExchange32(this, expected, desired, order) === expected;
  }

  /** Adds `delta` (lock xadd) and returns the previous value; panics when the sum exceeds 2^32-1. */
  fetchAdd(delta: u32, order: RmwOrder, at: CallSite = callSite()): u32 {
    const old = atomicFetchAdd32(this, delta, order);
    if (old > U32_MAX - delta) atomicOverflow("fetchAdd", u64(old), u64(delta), "+", "a u32", at);
    return old;
  }

  /** Subtracts `delta` and returns the previous value; panics when the difference is below 0. */
  fetchSub(delta: u32, order: RmwOrder, at: CallSite = callSite()): u32 {
    const old = atomicFetchSub32(this, delta, order);
    if (old < delta) atomicOverflow("fetchSub", u64(old), u64(delta), "-", "a u32", at);
    return old;
  }

  /** Adds `delta` modulo 2^32 and returns the previous value. */
  wrappingFetchAdd(delta: u32, order: RmwOrder): u32 {
    return atomicFetchAdd32(this, delta, order);
  }

  /** Subtracts `delta` modulo 2^32 and returns the previous value. */
  wrappingFetchSub(delta: u32, order: RmwOrder): u32 {
    return atomicFetchSub32(this, delta, order);
  }

  /** ANDs `mask` into the value and returns the previous value. */
  fetchAnd(mask: u32, order: RmwOrder): u32 {
    return atomicFetchAnd32(this, mask, order);
  }

  /** ORs `mask` into the value and returns the previous value. */
  fetchOr(mask: u32, order: RmwOrder): u32 {
    return atomicFetchOr32(this, mask, order);
  }
}
