// Fitting a request into one free region: shared by the early array and the tree.
import type { u64 } from "../../lib/int";

/** "No fit": never a chunk number (those stay below 2^52). */
export const NO_FIT: u64 = 0xffff_ffff_ffff_ffffn;

/**
 * The lowest chunk number s with s % align === 0 such that s..s+count-1 lies inside both
 * region [first, last] and [lo, hi], or NO_FIT. Chunk numbers are below 2^52 and align at
 * most 2^52, so no sum here overflows.
 */
export function fitInRegion(first: u64, last: u64, count: u64, align: u64, lo: u64, hi: u64): u64 {
  const s: u64 = first > lo ? first : lo;
  const e: u64 = last < hi ? last : hi;
  if (s > e) return NO_FIT;
  const a: u64 = ((s + (align - 1n)) / align) * align;
  if (a > e || e - a + 1n < count) return NO_FIT;
  return a;
}
