// The in-kernel randomized allocator test (kernel/tests/allocator_random_tests.ts), run in
// Node on the simulated machine: the same kernel TypeScript that runs on the metal over KTAP.
import { describe, expect, it } from "vitest";
import { testAllocatorRandomEarly, testAllocatorRandomUpgraded } from "../../kernel/tests/allocator_random_tests";
import { machine } from "../sim/machine";
import { useSimulatedConsole } from "./support";

/** Failed expectations print `# file:line:col: message` on the console. */
function failedExpectations(): string[] {
  return machine.serial.split("\n").filter((l) => /^# \S+:\d+:\d+: /.test(l));
}

describe("the in-kernel randomized allocator test, run in Node", () => {
  useSimulatedConsole();

  it("early arrays: every step matches the reference model", () => {
    testAllocatorRandomEarly();
    expect(failedExpectations()).toEqual([]);
    expect(machine.serial).toMatch(/# \d+ random allocator operations checked so far/);
  });

  it("across the upgrade to trees: every step matches the reference model", () => {
    testAllocatorRandomUpgraded();
    expect(failedExpectations()).toEqual([]);
  });
});
