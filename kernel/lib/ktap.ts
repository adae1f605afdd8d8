// In-kernel tests reported as KTAP version 1 on the console (Linux
// Documentation/dev-tools/ktap.rst). Tests register in one table (KtapSuite), in run order,
// with the setup steps between them; the plan is the number of selected tests, computed
// from the table, never typed. The host harness turns each result into a test and judges
// the run by QEMU's exit status: 33 only when every planned test passed.
//
// A per-test watchdog: with a timer ticking (kernel/arch/x86_64/interrupts.ts calls
// ktapWatchdogTick), a test that runs past its budget is abandoned (its stack unwound by
// runGuarded/abandonGuarded, boot/guarded_call.S), reported `not ok N name # TIMEOUT`, and
// the suite moves on. What the abandoned test left half done stays so: later failures may
// follow from it, and the run has failed anyway.
import type { bool, u32, u64 } from "./int";
import { println } from "./console";
import { abandonGuarded, qemuExit, runGuarded } from "./intrinsics";
import { callSite, type CallSite } from "./callsite";
import { hex } from "./fmt";
import { panic } from "./panic";

/** isa-debug-exit code for "all tests passed" (QEMU exit status 33). */
export const EXIT_PASS: u32 = 0x10;
/** isa-debug-exit code for "some test failed" (QEMU exit status 35). */
export const EXIT_FAIL: u32 = 0x11;

/** Most entries (tests and steps) one suite holds. */
const SUITE_CAPACITY: u32 = 64;
/** Default budget of one test: the watchdog abandons it after this many seconds. */
export const DEFAULT_TEST_SECONDS: u32 = 20;

/** Which tests of a suite run, and each test's time budget. */
export class KtapOptions {
  /** selected[i]: the test numbered i + 1 in the table runs. */
  private readonly selected: bool[] = new Array<bool>(SUITE_CAPACITY).fill(true);
  /** True once `only` narrowed the selection. */
  private narrowed: bool = false;
  /** Seconds a test may run before the watchdog abandons it (only with a ticking timer). */
  timeoutSeconds: u32 = DEFAULT_TEST_SECONDS;

  /** Every test, with the default budget. */
  static all(): KtapOptions {
    return new KtapOptions();
  }

  /** Runs only the tests numbered `first`..`last` (1-based, inclusive) among those selected by `only`. */
  only(first: u32, last: u32): void {
    if (first === 0 || last < first || last > SUITE_CAPACITY) panic(`test selection ${first}-${last}: test numbers run from 1 to ${SUITE_CAPACITY}`);
    if (!this.narrowed) {
      for (let i: u32 = 0; i < SUITE_CAPACITY; i++) this.selected[i] = false;
      this.narrowed = true;
    }
    for (let n: u32 = first; n <= last; n++) this.selected[n - 1] = true;
  }

  /** True when test number `n` (1-based, in table order) runs. */
  runs(n: u32): bool {
    return n >= 1 && n <= SUITE_CAPACITY && this.selected[n - 1];
  }
}

function nothing(): void {}

/** The in-kernel test table: tests and the setup steps between them, in run order. */
export class KtapSuite {
  private readonly names: string[] = new Array<string>(SUITE_CAPACITY).fill("");
  private readonly bodies: (() => void)[] = new Array<() => void>(SUITE_CAPACITY).fill(nothing);
  private readonly isTest: bool[] = new Array<bool>(SUITE_CAPACITY).fill(false);
  private entries: u32 = 0;

  /** Registers a test. qemu/ktap_manifest.ts reads these calls from the entry file. */
  test(name: string, body: () => void): void {
    this.add(name, body, true);
  }

  /** Registers a setup step: it runs at its place whichever tests are selected, and is no test. */
  step(name: string, body: () => void): void {
    this.add(name, body, false);
  }

  /** Runs the selected tests and steps in order, then exits QEMU with the verdict. */
  run(options: KtapOptions): never {
    let planned: u32 = 0;
    let number: u32 = 0;
    for (let i: u32 = 0; i < this.entries; i++) {
      if (!this.isTest[i]) continue;
      number += 1;
      if (options.runs(number)) planned += 1;
    }
    println("KTAP version 1");
    println(`1..${planned}`);
    watchdog.budgetTicks = options.timeoutSeconds * TICKS_PER_SECOND;
    let ran: u32 = 0;
    let failedTests: u32 = 0;
    number = 0;
    for (let i: u32 = 0; i < this.entries; i++) {
      const body = this.bodies[i];
      if (!this.isTest[i]) {
        println(`# step: ${this.names[i]}`);
        body();
        continue;
      }
      number += 1;
      if (!options.runs(number)) continue;
      ran += 1;
      println(`# start ${ran} ${this.names[i]}`);
      currentFailed = false;
      const timedOut = guarded(body);
      if (timedOut) {
        failedTests += 1;
        println(`not ok ${ran} ${this.names[i]} # TIMEOUT after ${options.timeoutSeconds} s`);
      } else if (currentFailed) {
        failedTests += 1;
        println(`not ok ${ran} ${this.names[i]}`);
      } else {
        println(`ok ${ran} ${this.names[i]}`);
      }
    }
    println(`# ${ran - failedTests} passed, ${failedTests} failed`);
    return qemuExit(failedTests === 0 && ran === planned ? EXIT_PASS : EXIT_FAIL);
  }

  private add(name: string, body: () => void, isTest: bool): void {
    if (this.entries === SUITE_CAPACITY) panic(`KtapSuite: more than ${SUITE_CAPACITY} tests and steps (raise SUITE_CAPACITY in kernel/lib/ktap.ts)`);
    this.names[this.entries] = name;
    this.bodies[this.entries] = body;
    this.isTest[this.entries] = isTest;
    this.entries += 1;
  }
}

/** Timer ticks per second the watchdog assumes (kernel/arch/x86_64/interrupts.ts programs the PIT so). */
export const TICKS_PER_SECOND: u32 = 100;

/** The watchdog's state: the running test's ticks and its budget. */
class Watchdog {
  running: bool = false;
  ticks: u32 = 0;
  budgetTicks: u32 = 0;
}
const watchdog = new Watchdog();

/** Runs one test body under the watchdog; true when the watchdog abandoned it. */
function guarded(body: () => void): bool {
  watchdog.ticks = 0;
  watchdog.running = true;
  const abandoned = runGuarded(body);
  watchdog.running = false;
  return abandoned;
}

/** Called on every timer tick: abandons the running test once it is over its budget. */
export function ktapWatchdogTick(): void {
  if (!watchdog.running) return;
  watchdog.ticks += 1;
  if (watchdog.ticks <= watchdog.budgetTicks) return;
  watchdog.running = false;
  println("");
  println(`# watchdog: the test ran past its budget of ${watchdog.budgetTicks / TICKS_PER_SECOND} s, abandoning it`);
  abandonGuarded();
}

let currentFailed: bool = false;

/** Fails the current test with `message` unless `cond` holds. */
export function expect(cond: bool, message: string, at: CallSite = callSite()): void {
  if (!cond) {
    currentFailed = true;
    println(`# ${at}: ${message}`);
  }
}

/** Fails the current test unless two u64 values are equal, printing both in hex. */
export function expectEqU64(actual: u64, expected: u64, what: string, at: CallSite = callSite()): void {
  if (actual !== expected) {
    currentFailed = true;
    println(`# ${at}: ${what}: expected ${hex(expected)}, got ${hex(actual)}`);
  }
}

/** Fails the current test unless two u32 values are equal. */
export function expectEqU32(actual: u32, expected: u32, what: string, at: CallSite = callSite()): void {
  if (actual !== expected) {
    currentFailed = true;
    println(`# ${at}: ${what}: expected ${expected}, got ${actual}`);
  }
}
