// Panics: unrecoverable errors. keelc lowers `panic(msg)` to printing
// `panic at <file>:<line>:<col>: <msg>` on the console and then calling panicStop
// (QEMU exit status 3 natively, a thrown QemuExit under Node).
import type { u32 } from "./int";
import { println } from "./console";
import { qemuExit } from "./intrinsics";

/** QEMU isa-debug-exit code written on panic: QEMU exits with status 3. */
export const PANIC_EXIT_CODE: u32 = 1;

/** Stops the machine after a panic message; never returns. */
export function panicStop(): never {
  return qemuExit(PANIC_EXIT_CODE);
}

/** Stops the kernel after printing the message; never returns. */
export function panic(message: string): never {
  println(`panic: ${message}`);
  return panicStop();
}
