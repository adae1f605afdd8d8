// In-place heap sort of u64 keys: O(n log n) comparisons in the worst case, no extra
// storage, usable before any heap exists. Boot code packs what it sorts into one u64 key
// (position in the high bits, a small tag in the low ones), so one sort serves every use.
import { u32, u64 } from "./int";
import type { U64Array } from "./fixed_array";
import { panic } from "./panic";

let comparisons: u64 = 0n;

/** Key comparisons made by every sort so far (the boot-time cost measure of the tests). */
export function sortComparisons(): u64 {
  return comparisons;
}

/** Sorts the first `n` keys of `a` ascending. */
export function sortU64(a: U64Array, n: u32): void {
  if (n > a.length()) panic(`sortU64: ${n} keys requested, the array holds ${a.length()}`);
  if (n < 2) return;
  for (let i: u32 = n >> 1; i > 0; i--) siftDown(a, i - 1, n);
  for (let end: u32 = n - 1; end > 0; end--) {
    const top: u64 = a.get(0);
    a.set(0, a.get(end));
    a.set(end, top);
    siftDown(a, 0, end);
  }
}

/** Restores the max-heap property below `root` within the first `n` keys. */
function siftDown(a: U64Array, root: u32, n: u32): void {
  let i: u32 = root;
  while (true) {
    // n <= 2^32 - 1, so 2i + 1 is computed in u64 to stay exact near the top.
    const left: u64 = 2n * u64(i) + 1n;
    if (left >= u64(n)) return;
    let child: u32 = u32(left);
    if (child + 1 < n) {
      comparisons += 1n;
      if (a.get(child + 1) > a.get(child)) child += 1;
    }
    comparisons += 1n;
    if (a.get(child) <= a.get(i)) return;
    const t: u64 = a.get(i);
    a.set(i, a.get(child));
    a.set(child, t);
    i = child;
  }
}
