// How a fuzz target reports a broken invariant to test/fuzz/driver.c: a line saying what
// broke, then qemuExit(FUZZ_INVARIANT) (status 127), distinct from a panic's status 3.
import type { u32, u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { qemuExit } from "../../kernel/lib/intrinsics";

/** qemuExit code of a broken invariant (status 127). */
export const FUZZ_INVARIANT: u32 = 0x3f;

/** Reports the broken invariant `what` at index `at` (of the list it names) and stops. */
export function invariantBroken(what: string, at: u64): void {
  println(`fuzz invariant broken: ${what} (at ${at})`);
  qemuExit(FUZZ_INVARIANT);
}
