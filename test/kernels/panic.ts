// Harness fixture: a kernel that panics in the middle of its suite. The KTAP stream is cut
// off, and the harness must report it with the panic's TypeScript file:line; the panic's
// backtrace names the function that panicked.
import type { u64 } from "../../kernel/lib/int";
import { expect, KtapOptions, KtapSuite } from "../../kernel/lib/ktap";
import { panic } from "../../kernel/lib/panic";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";

function passes(): void {
  expect(true, "true holds");
}

function panicsOnPurpose(): void {
  panic("deliberate panic in the middle of the suite");
}

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  installExceptionHandlers(); // panics print a backtrace
  const suite = new KtapSuite();
  suite.test("passes", passes);
  suite.test("panics on purpose", panicsOnPurpose);
  suite.test("never runs", passes);
  suite.run(KtapOptions.all());
}
