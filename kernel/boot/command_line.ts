// The boot command line (multiboot2 tag 1): GRUB passes the words after the kernel's path
// on its `multiboot2` line. Copied out of the boot information once (which the kernel's own
// page tables no longer map) and split into `key=value` options, keys compared by their
// packed code (up to 8 bytes in a u64, first byte lowest, as the console's words).
import { type bool, type u8, type u32, u64 } from "../lib/int";
import { load8, load32 } from "../lib/intrinsics";
import { panic } from "../lib/panic";
import { TAG_HEADER_SIZE } from "./multiboot2";

/** Bytes of command line kept; a longer one is refused. */
const CAPACITY: u32 = 512;
/** Options kept; more are refused. */
const MAX_OPTIONS: u32 = 16;
const SPACE: u8 = 0x20;
const EQUALS: u8 = 0x3d;
/** Returned by `find` for an absent option. */
export const NO_OPTION: u32 = 0xffff_ffff;

/** The command line's `key=value` options (a word without `=` is a key with an empty value). */
export class CommandLine {
  private readonly text: u8[] = new Array<u8>(CAPACITY).fill(0);
  private readonly keys: u64[] = new Array<u64>(MAX_OPTIONS).fill(0n);
  private readonly starts: u32[] = new Array<u32>(MAX_OPTIONS).fill(0);
  private readonly ends: u32[] = new Array<u32>(MAX_OPTIONS).fill(0);
  private options: u32 = 0;

  /** Copies and splits the string of the command-line tag at `tag` (0: an empty command line). */
  static fromTag(tag: u64): CommandLine {
    const line = new CommandLine();
    if (tag === 0n) return line;
    const size: u64 = u64(load32(tag + 4n));
    let length: u32 = 0;
    for (let at: u64 = TAG_HEADER_SIZE; at < size && load8(tag + at) !== 0; at++) {
      if (length === CAPACITY) panic(`the boot command line is longer than ${CAPACITY} bytes`);
      line.text[length] = load8(tag + at);
      length++;
    }
    line.split(length);
    return line;
  }

  /** Number of options. */
  count(): u32 {
    return this.options;
  }

  /** The option whose key packs to `key`, or NO_OPTION. */
  find(key: u64): u32 {
    for (let i: u32 = 0; i < this.options; i++) if (this.keys[i] === key) return i;
    return NO_OPTION;
  }

  /** Length of option `option`'s value. */
  valueLength(option: u32): u32 {
    return this.ends[option] - this.starts[option];
  }

  /** Byte `i` of option `option`'s value. */
  valueByte(option: u32, i: u32): u8 {
    if (i >= this.valueLength(option)) panic(`command-line option ${option}: byte ${i} is past its value`);
    return this.text[this.starts[option] + i];
  }

  private split(length: u32): void {
    let i: u32 = 0;
    while (i < length) {
      while (i < length && this.text[i] === SPACE) i++;
      if (i === length) break;
      let key: u64 = 0n;
      let keyLength: u32 = 0;
      while (i < length && this.text[i] !== SPACE && this.text[i] !== EQUALS) {
        if (keyLength < 8) key = key | (u64(this.text[i]) << (8n * u64(keyLength)));
        keyLength++;
        i++;
      }
      const hasValue: bool = i < length && this.text[i] === EQUALS;
      if (hasValue) i++;
      const start = i;
      while (i < length && this.text[i] !== SPACE) i++;
      if (this.options === MAX_OPTIONS) panic(`the boot command line has more than ${MAX_OPTIONS} options`);
      // A key longer than 8 bytes matches no constant: code 0, as the console's words.
      this.keys[this.options] = keyLength > 8 ? 0n : key;
      this.starts[this.options] = start;
      this.ends[this.options] = i;
      this.options++;
    }
  }
}
