// Harness fixture: a kernel that hangs after starting its suite. The harness must time out,
// kill QEMU and report a timeout.
import type { bool, u64 } from "../../kernel/lib/int";
import { ktapPlan } from "../../kernel/lib/ktap";
import { serialInit } from "../../kernel/arch/x86_64/serial";

let spinning: bool = true;

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  ktapPlan(1);
  while (spinning) {
    // Spins forever: `spinning` is never cleared.
  }
}
