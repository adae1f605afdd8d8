// In-kernel tests reported as KTAP version 1 on the console (Linux
// Documentation/dev-tools/ktap.rst). The host harness turns each result into a test and
// judges the run by QEMU's exit status: 33 only when every planned test passed.
import type { bool, u32, u64 } from "./int";
import { println } from "./console";
import { qemuExit } from "./intrinsics";
import { callSite, type CallSite } from "./callsite";
import { hex } from "./fmt";

/** isa-debug-exit code for "all tests passed" (QEMU exit status 33). */
export const EXIT_PASS: u32 = 0x10;
/** isa-debug-exit code for "some test failed" (QEMU exit status 35). */
export const EXIT_FAIL: u32 = 0x11;

let planned: u32 = 0;
let ran: u32 = 0;
let failedTests: u32 = 0;
let currentFailed: bool = false;

/** Starts a KTAP report of `count` tests. */
export function ktapPlan(count: u32): void {
  println("KTAP version 1");
  println(`1..${count}`);
  planned = count;
}

/** Runs one test and prints its result line. */
export function ktapRun(name: string, test: () => void): void {
  ran += 1;
  currentFailed = false;
  test();
  if (currentFailed) {
    failedTests += 1;
    println(`not ok ${ran} ${name}`);
  } else {
    println(`ok ${ran} ${name}`);
  }
}

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

/** Ends the report and exits QEMU: status 33 when all planned tests ran and passed. */
export function ktapFinish(): never {
  if (ran !== planned) println(`# planned ${planned} tests but ran ${ran}`);
  println(`# ${ran - failedTests} passed, ${failedTests} failed`);
  return qemuExit(failedTests === 0 && ran === planned ? EXIT_PASS : EXIT_FAIL);
}
