// V8's tiering for a cold keelc: a process that lives for one compilation, a few seconds.
// By default V8 hands every function that has run a little (an interrupt budget of 66 KB
// of bytecode executed) to TurboFan, its optimising compiler, on a second thread: a cold
// keelc had about 2,000 functions optimised (tsc --noEmit on the kernel: 1,400), and
// TurboFan's own work was half of all the instructions of the run (counted by valgrind on
// one thread): CPU time that a compilation sharing two cores (make -j2, QEMU) waits for,
// spent on code that mostly runs for a moment and is done before optimising it pays back.
// With a budget 4.4 times V8's, only the functions that stay hot are optimised (about 700),
// and a cold keelc took about a sixth less CPU time. It is set only for a compilation run
// in this process: never for the resident keelc (compiler/src/server.ts), which lives for
// hours and gains from optimising everything, nor for run-node/run-hosted, which run a
// program. KEELC_TIERING=0 keeps V8's defaults.
import { setFlagsFromString } from "node:v8";

/** Bytecode a function must execute before V8 optimises it (V8's default: 67,584). */
const INTERRUPT_BUDGET = 300_000;

/** Sets V8's tiering for a process that compiles once and exits (call before the compiler is loaded). */
export function tierForOneCompilation() {
  if (process.env.KEELC_TIERING === "0") return;
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
