// A helper module of the differential corpus (imported, never an entry).
import type { u32, u64 } from "../../../../kernel/lib/int";

export const SCALE: u32 = 1000;
export let calls: u32 = 0;

export function scaled(x: u32): u32 {
  calls += 1;
  return x * SCALE;
}

export function mean(a: u64, b: u64): u64 {
  return a / 2n + b / 2n + (a % 2n + b % 2n) / 2n;
}
