// Test support for kernel/mm: the console goes to the simulated serial port, so a kernel
// panic surfaces as a QemuExit whose message ends with the panic line.
import { beforeEach, expect } from "vitest";
import { setConsoleSink } from "../../kernel/lib/console";
import { machine, QemuExit, resetMachine } from "../sim/machine";

/** Before each test: a fresh simulated machine with the console on COM1. */
export function useSimulatedConsole(): void {
  beforeEach(() => {
    resetMachine();
    setConsoleSink((b) => machine.out(0x3f8, b));
  });
}

/** Runs `fn` and expects a kernel panic whose message contains `text`. */
export function expectPanic(fn: () => unknown, text: string): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a panic containing "${text}"`).toBeInstanceOf(QemuExit);
  expect((caught as QemuExit).message).toContain(`panic: `);
  expect((caught as QemuExit).message).toContain(text);
}

/** Runs `fn`, expects it to stop the machine (a panic's QemuExit), and returns the exit's message (it ends with the panic line). */
export function panicOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QemuExit);
    return (e as QemuExit).message;
  }
  throw new Error("expected a panic");
}

/** The value of a nullable, failing the test when it is null. */
export function some<T>(x: T | null): T {
  expect(x).not.toBeNull();
  return x as T;
}
