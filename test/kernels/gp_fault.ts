// Fault fixture: a load from a non-canonical address must be reported as a general
// protection fault with this file's line, then stop with status 3.
import type { u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { load64 } from "../../kernel/lib/intrinsics";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  installExceptionHandlers();
  println("# about to load from a non-canonical address");
  const value: u64 = load64(0x8000_0000_0000_0000n); // fault-here
  println(`# unreachable: read ${value} (boot information at ${bootInfo})`);
}
