// Harness fixture: a kernel that panics in the middle of its suite. The KTAP stream is cut
// off, and the harness must report it with the panic's TypeScript file:line; the panic's
// backtrace names the function that panicked.
import type { u64 } from "../../kernel/lib/int";
import { expect, ktapFinish, ktapPlan, ktapRun } from "../../kernel/lib/ktap";
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
  ktapPlan(3);
  ktapRun("passes", passes);
  ktapRun("panics on purpose", panicsOnPurpose);
  ktapRun("never runs", passes);
  ktapFinish();
}
