// The randomized allocator suite as a whole program, for the JS backend and the hosted
// native build (test/mm/allocator_native.test.ts); the QEMU build runs the same tests from
// kernel/test_main.ts.
import type { u64 } from "../../../kernel/lib/int";
import { KtapOptions, KtapSuite } from "../../../kernel/lib/ktap";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
import { testAllocatorRandomEarly, testAllocatorRandomUpgraded } from "../../../kernel/tests/allocator_random_tests";

export function kernelMain(bootInfo: u64): void {
  serialInit();
  const suite = new KtapSuite();
  suite.test("random operations (early arrays)", testAllocatorRandomEarly);
  suite.test("random operations (across the upgrade to trees)", testAllocatorRandomUpgraded);
  suite.run(KtapOptions.all());
}
