// Whether the debug checks run: off in the run kernel, switched on by test builds
// (kernel/test_main.ts and the debug fixtures) before memory init.
import type { bool } from "../../lib/int";

let enabled: bool = false;

/** Turns the debug checks on (W^X scan at boot, freed-frame poisoning); call before initMemory. */
export function enableDebugChecks(): void {
  enabled = true;
}

/** True once enableDebugChecks ran. */
export function debugChecksEnabled(): bool {
  return enabled;
}
