// Zeroing memory by address, for the kernel's own storage (page tables, heap objects): 64
// bytes a step, then 16. The end is computed with a checked add, so every address below it
// is in range and the stores use wrapping adds: about 11 instructions per 64 bytes, where a
// checked add per store took 5 per 8.
import { u64, wrappingAdd } from "./int";
import { store64 } from "./intrinsics";

/** Zeroes the `size` bytes at `start` (both multiples of 16: the callers' alignment). */
export function zeroBytes(start: u64, size: u64): void {
  const end: u64 = start + size;
  const end64: u64 = start + (size & ~63n);
  let p: u64 = start;
  for (; p < end64; p = wrappingAdd(p, 64n)) {
    store64(p, 0n);
    store64(wrappingAdd(p, 8n), 0n);
    store64(wrappingAdd(p, 16n), 0n);
    store64(wrappingAdd(p, 24n), 0n);
    store64(wrappingAdd(p, 32n), 0n);
    store64(wrappingAdd(p, 40n), 0n);
    store64(wrappingAdd(p, 48n), 0n);
    store64(wrappingAdd(p, 56n), 0n);
  }
  for (; p < end; p = wrappingAdd(p, 16n)) {
    store64(p, 0n);
    store64(wrappingAdd(p, 8n), 0n);
  }
}
