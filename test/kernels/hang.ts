// Harness fixture: a kernel that hangs in its first test with no timer running (so no
// watchdog). The harness must time out, kill QEMU, report a timeout and name the test that
// was running (its start line was the last).
import type { bool, u64 } from "../../kernel/lib/int";
import { KtapOptions, KtapSuite } from "../../kernel/lib/ktap";
import { serialInit } from "../../kernel/arch/x86_64/serial";

let spinning: bool = true;

function spinsForever(): void {
  while (spinning) {
    // Spins forever: `spinning` is never cleared.
  }
}

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const suite = new KtapSuite();
  suite.test("spins forever", spinsForever);
  suite.run(KtapOptions.all());
}
