// Harness fixture: a kernel whose suite has one failing test among passing ones. The harness
// must report exactly that test as failed, with its TypeScript file:line.
import type { u32, u64 } from "../../kernel/lib/int";
import { expect, expectEqU32, KtapOptions, KtapSuite } from "../../kernel/lib/ktap";
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
  const suite = new KtapSuite();
  suite.test("passes", passes);
  suite.test("fails on purpose", failsOnPurpose);
  suite.test("also passes", alsoPasses);
  suite.run(KtapOptions.all());
}
