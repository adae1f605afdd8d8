// Fuzz target (test/fuzz/driver.c, KEEL_FUZZ_ALLOC): a byte string decoded into allocator
// operations (allocate, allocateAt, allocateReserved, release, split, merge; early arrays or
// across the upgrade to trees), each checked against a per-chunk reference model
// (kernel/tests/allocator_random_tests.ts): no chunk handed out twice, reserved chunks never
// to ordinary requests, chunks conserved, everything back after releasing all.
import { u64, type u32 } from "../../kernel/lib/int";
import { load64 } from "../../kernel/lib/intrinsics";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { randomRunOnInput } from "../../kernel/tests/allocator_random_tests";
import { invariantBroken } from "./verdict";

/** Fuzz entry: the input's length (u64) at `input`, its bytes after it. */
export function kernelMain(input: u64): void {
  serialInit();
  const failed: u32 = randomRunOnInput(input + 8n, load64(input));
  if (failed !== 0) invariantBroken("allocator checks failed against the model", u64(failed));
}
