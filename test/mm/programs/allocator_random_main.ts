// The randomized allocator suite as a whole program, for the JS backend and the hosted
// native build (test/mm/allocator_native.test.ts); the QEMU build runs the same tests from
// kernel/test_main.ts.
import type { u64 } from "../../../kernel/lib/int";
import { ktapFinish, ktapPlan, ktapRun } from "../../../kernel/lib/ktap";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
import { testAllocatorRandomEarly, testAllocatorRandomUpgraded } from "../../../kernel/tests/allocator_random_tests";

export function kernelMain(bootInfo: u64): void {
  serialInit();
  ktapPlan(2);
  ktapRun("random operations (early arrays)", testAllocatorRandomEarly);
  ktapRun("random operations (across the upgrade to trees)", testAllocatorRandomUpgraded);
  ktapFinish();
}
