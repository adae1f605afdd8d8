// The test kernel's options on the boot command line:
//   tests=1,4-6   runs only these tests (numbers in table order, the build manifest's order;
//                 the host harness computes them from a vitest -t pattern or KEEL_TEST)
//   timeout=S     each test's watchdog budget, in seconds
// A malformed value stops the kernel with what was expected: a test run must never
// silently run other tests than asked for.
import { type bool, type u8, u32, type u64 } from "../lib/int";
import { KtapOptions } from "../lib/ktap";
import { panic } from "../lib/panic";
import { type CommandLine, NO_OPTION } from "../boot/command_line";

// Keys packed as CommandLine packs them (first byte lowest).
const KEY_TESTS: u64 = 0x73_74_73_65_74n; // "tests"
const KEY_TIMEOUT: u64 = 0x74_75_6f_65_6d_69_74n; // "timeout"
const COMMA: u8 = 0x2c;
const DASH: u8 = 0x2d;
/** Largest number accepted in an option (no test table or budget comes near it). */
const MAX_NUMBER: u32 = 100_000;

/** The test options of the boot command line: every test and the default budget without any. */
export function ktapOptionsFrom(line: CommandLine): KtapOptions {
  const options = KtapOptions.all();
  const tests = line.find(KEY_TESTS);
  if (tests !== NO_OPTION) selectTests(line, tests, options);
  const timeout = line.find(KEY_TIMEOUT);
  if (timeout !== NO_OPTION) {
    const scan = new NumberScan(line, timeout);
    const seconds = scan.number();
    if (!scan.atEnd() || seconds === 0) panic(`boot command line: timeout= takes a number of seconds (1 to ${MAX_NUMBER})`);
    options.timeoutSeconds = seconds;
  }
  return options;
}

/** Parses `N` and `N-M` items separated by commas into the selection. */
function selectTests(line: CommandLine, option: u32, options: KtapOptions): void {
  const scan = new NumberScan(line, option);
  do {
    const first = scan.number();
    const last = scan.skip(DASH) ? scan.number() : first;
    if (first === 0 || last < first) panic(`boot command line: tests= takes test numbers from 1, like tests=1,4-6`);
    options.only(first, last);
  } while (scan.skip(COMMA));
  if (!scan.atEnd()) panic(`boot command line: tests= takes test numbers from 1, like tests=1,4-6`);
}

/** Reads decimal numbers and separators from one option's value. */
class NumberScan {
  private readonly line: CommandLine;
  private readonly option: u32;
  private at: u32 = 0;

  constructor(line: CommandLine, option: u32) {
    this.line = line;
    this.option = option;
  }

  /** True when the whole value was read. */
  atEnd(): bool {
    return this.at === this.line.valueLength(this.option);
  }

  /** Consumes `byte` when it comes next. */
  skip(byte: u8): bool {
    if (this.atEnd() || this.line.valueByte(this.option, this.at) !== byte) return false;
    this.at++;
    return true;
  }

  /** A decimal number (0 when no digit comes next, which every caller refuses). */
  number(): u32 {
    let value: u32 = 0;
    let digits: u32 = 0;
    while (!this.atEnd()) {
      const b = this.line.valueByte(this.option, this.at);
      if (b < 0x30 || b > 0x39) break;
      value = value * 10 + u32(b - 0x30);
      if (value > MAX_NUMBER) panic(`boot command line: a number above ${MAX_NUMBER} in a test option`);
      digits++;
      this.at++;
    }
    return digits === 0 ? 0 : value;
  }
}
