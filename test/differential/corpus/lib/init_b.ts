// Init order, the imported module: its initialisers run before the importer's.
import type { u32, u64 } from "../../../../kernel/lib/int";

export let bCount: u32 = 0;
function next(): u32 {
  bCount += 1;
  return bCount * 10;
}
export const B1: u32 = next();
export const B2: u32 = next();
export let bBig: u64 = 0xdead_beefn;
export function bLate(): u32 { return B2 + 1; }
