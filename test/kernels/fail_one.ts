// Harness fixture: a kernel whose suite has one failing test among passing ones. The harness
// must report exactly that test as failed, with its TypeScript file:line.
import type { u32, u64 } from "../../kernel/lib/int";
import { expect, expectEqU32, ktapFinish, ktapPlan, ktapRun } from "../../kernel/lib/ktap";
import { serialInit } from "../../kernel/arch/x86_64/serial";

function passes(): void {
  const two: u32 = 2;
  expectEqU32(two + two, 4, "2 + 2");
}

function failsOnPurpose(): void {
  const two: u32 = 2;
  expectEqU32(two + two, 5, "deliberately wrong expectation");
}

function alsoPasses(): void {
  expect(true, "true holds");
}

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  ktapPlan(3);
  ktapRun("passes", passes);
  ktapRun("fails on purpose", failsOnPurpose);
  ktapRun("also passes", alsoPasses);
  ktapFinish();
}
