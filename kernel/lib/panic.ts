// Panics: unrecoverable errors. keelc lowers `panic(msg)` to printing
// `panic at <file>:<line>:<col>: <msg>` on the console and then calling panicStop
// (QEMU exit status 3 natively, a thrown QemuExit under Node).
import type { u32 } from "./int";
import { println } from "./console";
import { qemuExit } from "./intrinsics";

/** QEMU isa-debug-exit code written on panic: QEMU exits with status 3. */
export const PANIC_EXIT_CODE: u32 = 1;

/** What a panic prints after its message (the architecture's backtrace), if registered. */
let panicHook: (() => void) | null = null;

/** Registers what every panic prints after its message; lib/ sits below arch/, so arch registers itself. */
export function setPanicHook(hook: () => void): void {
  panicHook = hook;
}

/** Stops the machine after a panic message; never returns. */
export function panicStop(): never {
  const hook = panicHook;
  // Cleared first: a panic inside the hook stops plainly instead of recursing.
  panicHook = null;
  if (hook !== null) hook();
  return qemuExit(PANIC_EXIT_CODE);
}

/** Stops the machine without the panic hook (a report that already printed its backtrace). */
export function panicStopQuietly(): never {
  panicHook = null;
  return qemuExit(PANIC_EXIT_CODE);
}

/** Stops the kernel after printing the message; never returns. */
export function panic(message: string): never {
  println(`panic: ${message}`);
  return panicStop();
}
