// Panics: unrecoverable errors. keelc lowers `panic(msg)` to printing
// `panic at <file>:<line>:<col>: <msg>` on the console and then stopping the machine
// (QEMU exit status 3 natively, a thrown KernelPanic under Node).
import { println } from "./console";
import { qemuExit } from "./intrinsics";

/** QEMU isa-debug-exit code written on panic: QEMU exits with status 3. */
export const PANIC_EXIT_CODE = 1;

/** Stops the kernel after printing the message; never returns. */
export function panic(message: string): never {
  println(`panic: ${message}`);
  return qemuExit(PANIC_EXIT_CODE);
}
