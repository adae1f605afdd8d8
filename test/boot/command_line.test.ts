// The boot command line (kernel/boot/command_line.ts) and the test kernel's options read from
// it (kernel/tests/ktap_options.ts): tests= selects by table number, timeout= sets the
// watchdog's budget, anything malformed stops the kernel with what was expected.
import { describe, expect, it } from "vitest";
import { parseBootInfo } from "../../kernel/boot/boot_info";
import { CommandLine, NO_OPTION } from "../../kernel/boot/command_line";
import { DEFAULT_TEST_SECONDS } from "../../kernel/lib/ktap";
import { ktapOptionsFrom } from "../../kernel/tests/ktap_options";
import { expectPanic, useSimulatedConsole } from "../mm/support";
import { BootInfoBuilder } from "./builder";

useSimulatedConsole();

const AT = 0x20000n;

/** The command line `text` as the kernel reads it from boot information (no tag when null). */
function commandLine(text: string | null): CommandLine {
  const b = new BootInfoBuilder().memoryMap([{ base: 0n, length: 0x100000n, type: 1 }]);
  if (text !== null) b.string(1, text);
  return CommandLine.fromTag(parseBootInfo(b.store(AT)).commandLineTag());
}

/** Packs a key as the kernel does (first byte lowest). */
const key = (s: string) => [...s].reduceRight((code, c) => (code << 8n) | BigInt(c.charCodeAt(0)), 0n);

/** The test numbers 1..n the options run. */
const runs = (text: string | null, n = 12) => {
  const options = ktapOptionsFrom(commandLine(text));
  return Array.from({ length: n }, (_, i) => i + 1).filter((k) => options.runs(k));
};

describe("boot command line", () => {
  it("splits key=value words; a word without = is a key with an empty value; no tag is an empty line", () => {
    const line = commandLine("  tests=1,3  quiet timeout=5 ");
    expect(line.count()).toBe(3);
    const tests = line.find(key("tests"));
    expect(tests).not.toBe(NO_OPTION);
    expect(Array.from({ length: line.valueLength(tests) }, (_, i) => String.fromCharCode(line.valueByte(tests, i))).join("")).toBe("1,3");
    expect(line.valueLength(line.find(key("quiet")))).toBe(0);
    expect(line.find(key("missing"))).toBe(NO_OPTION);
    expect(commandLine(null).count()).toBe(0);
    expect(commandLine("").count()).toBe(0);
  });

  it("a key longer than 8 bytes matches no key", () => {
    const line = commandLine("verylongkey=1");
    expect(line.count()).toBe(1);
    expect(line.find(key("verylong"))).toBe(NO_OPTION);
  });
});

describe("test kernel options", () => {
  it("run every test with the default budget when the line says nothing", () => {
    expect(runs(null)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(ktapOptionsFrom(commandLine("other=1")).timeoutSeconds).toBe(DEFAULT_TEST_SECONDS);
  });

  it("tests= selects single numbers and inclusive ranges", () => {
    expect(runs("tests=2")).toEqual([2]);
    expect(runs("tests=1,4-6,9")).toEqual([1, 4, 5, 6, 9]);
    expect(runs("tests=3-3")).toEqual([3]);
  });

  it("timeout= sets the budget in seconds", () => {
    expect(ktapOptionsFrom(commandLine("timeout=7 tests=1")).timeoutSeconds).toBe(7);
  });

  it("stops on a malformed value, saying what it takes", () => {
    for (const bad of ["tests=", "tests=0", "tests=3-1", "tests=1,", "tests=a", "tests=1-", "tests=1;2"]) {
      expectPanic(() => ktapOptionsFrom(commandLine(bad)), "tests= takes test numbers from 1, like tests=1,4-6");
    }
    expectPanic(() => ktapOptionsFrom(commandLine("tests=65")), "test numbers run from 1 to 64");
    expectPanic(() => ktapOptionsFrom(commandLine("tests=99999999")), "a number above 100000");
    expectPanic(() => ktapOptionsFrom(commandLine("timeout=0")), "timeout= takes a number of seconds");
    expectPanic(() => ktapOptionsFrom(commandLine("timeout=5s")), "timeout= takes a number of seconds");
  });
});
