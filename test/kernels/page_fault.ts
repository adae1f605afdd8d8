// Fault fixture: a write to an unmapped address must be reported as a page fault with the
// address, the decoded error code and this file's line, then stop with status 3.
import type { u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { store64 } from "../../kernel/lib/intrinsics";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";

/** Canonical, but above the early identity map and outside the higher half: not mapped. */
const UNMAPPED: u64 = 0x0000_5555_0000_1000n;

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  installExceptionHandlers();
  println("# about to write to an unmapped address");
  store64(UNMAPPED, bootInfo); // fault-here
  println("# unreachable: the write did not fault");
}
