// Fault fixture: an undefined instruction (ud2) must be reported as an invalid opcode with
// this file's line, then stop with status 3.
import type { u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { ud2 } from "../../kernel/lib/intrinsics";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  installExceptionHandlers();
  println(`# about to execute ud2 (boot information at ${bootInfo})`);
  ud2(); // fault-here
}
