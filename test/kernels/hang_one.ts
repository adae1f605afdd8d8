// Harness fixture: a suite whose second test hangs, with the timer and the per-test watchdog
// running and a one-second budget. The watchdog must abandon that test and report it
// `not ok 2 ... # TIMEOUT`, and the third test must still run and pass.
import type { bool, u64 } from "../../kernel/lib/int";
import { expect, KtapOptions, KtapSuite, ktapWatchdogTick, TICKS_PER_SECOND } from "../../kernel/lib/ktap";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { readTsc } from "../../kernel/lib/intrinsics";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";
import { startTimer, timerTicks } from "../../kernel/arch/x86_64/interrupts";

let spinning: bool = true;

function passes(): void {
  expect(true, "true holds");
}

function spinsForever(): void {
  while (spinning) {
    // Spins forever: `spinning` is never cleared; only the watchdog ends this test.
  }
}

function timerStillTicks(): void {
  // Interrupts are enabled again after the abandoned test (the guarded call restored RFLAGS).
  // The tick count changes under the loop's feet (in the interrupt handler): the call to
  // readTsc, an external function, makes the C compiler load it again on every turn.
  const before = timerTicks();
  for (let waited: u64 = 0n; waited < 100_000_000n && timerTicks() === before; waited++) readTsc();
  expect(timerTicks() !== before, "the timer ticks after the watchdog abandoned a test");
}

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  installExceptionHandlers();
  startTimer(TICKS_PER_SECOND, ktapWatchdogTick);
  const options = KtapOptions.all();
  options.timeoutSeconds = 1;
  const suite = new KtapSuite();
  suite.test("passes", passes);
  suite.test("spins forever", spinsForever);
  suite.test("the timer still ticks and the suite goes on", timerStillTicks);
  suite.run(options);
}
