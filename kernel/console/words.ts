// A console line split into words, without strings: each word is a range of the line's
// bytes. Commands compare a word's packed code (up to 8 lowercase ASCII bytes in a u64,
// first byte lowest) with constants; numbers are decimal or 0x hexadecimal, checked.
import { type bool, type u8, type u32, u64 } from "../lib/int";
import { println } from "../lib/console";
import { hex } from "../lib/fmt";
import { VirtualAddress } from "../mm/addr";

/** Words a line holds at most (more are ignored by the parser: see count). */
export const MAX_WORDS: u32 = 8;
const SPACE: u8 = 0x20;

/** A parsed number: `ok` false when the word is not a number or does not fit in a u64. */
export class Parsed {
  readonly ok: bool;
  readonly value: u64;
  constructor(ok: bool, value: u64) {
    this.ok = ok;
    this.value = value;
  }
}

/** The words of one line (the buffer is shared with the line editor). */
export class Words {
  private readonly line: u8[];
  private readonly starts: u32[] = new Array<u32>(MAX_WORDS).fill(0);
  private readonly lengths: u32[] = new Array<u32>(MAX_WORDS).fill(0);
  private words: u32 = 0;
  private tooMany: bool = false;

  constructor(line: u8[]) {
    this.line = line;
  }

  /** Splits the first `length` bytes of the line at spaces. */
  split(length: u32): void {
    this.words = 0;
    this.tooMany = false;
    let i: u32 = 0;
    while (i < length) {
      while (i < length && this.line[i] === SPACE) i++;
      if (i === length) break;
      const start = i;
      while (i < length && this.line[i] !== SPACE) i++;
      if (this.words === MAX_WORDS) {
        this.tooMany = true;
        return;
      }
      this.starts[this.words] = start;
      this.lengths[this.words] = i - start;
      this.words++;
    }
  }

  /** Number of words. */
  count(): u32 {
    return this.words;
  }

  /** True when the line had more than MAX_WORDS words. */
  overflowed(): bool {
    return this.tooMany;
  }

  /** Word `i`'s code: its bytes (lowercased) packed into a u64; 0 for a missing word or one longer than 8 bytes. */
  code(i: u32): u64 {
    if (i >= this.words || this.lengths[i] > 8) return 0n;
    let code: u64 = 0n;
    for (let k: u32 = 0; k < this.lengths[i]; k++) {
      let b: u8 = this.line[this.starts[i] + k];
      if (b >= 0x41 && b <= 0x5a) b = b + 0x20;
      code = code | (u64(b) << (8n * u64(k)));
    }
    return code;
  }

  /** The first byte of word `i` (0 when missing). */
  firstByte(i: u32): u8 {
    return i < this.words ? this.line[this.starts[i]] : 0;
  }

  /** Word `i` from byte `skip` on, as a number (decimal, or hexadecimal after 0x). */
  number(i: u32, skip: u32): Parsed {
    if (i >= this.words || this.lengths[i] <= skip) return new Parsed(false, 0n);
    let at: u32 = this.starts[i] + skip;
    const end: u32 = this.starts[i] + this.lengths[i];
    let base: u64 = 10n;
    if (end - at > 2 && this.line[at] === 0x30 && (this.line[at + 1] === 0x78 || this.line[at + 1] === 0x58)) {
      base = 16n;
      at += 2;
    }
    let value: u64 = 0n;
    while (at < end) {
      const digit = digitValue(this.line[at]);
      if (digit >= base) return new Parsed(false, 0n);
      // Checked before it can overflow: value * base + digit <= 2^64 - 1.
      if (value > (0xffff_ffff_ffff_ffffn - digit) / base) return new Parsed(false, 0n);
      value = value * base + digit;
      at++;
    }
    return new Parsed(true, value);
  }
}

/** A digit's value (0-15), or 99 for a byte that is no digit. */
function digitValue(b: u8): u64 {
  if (b >= 0x30 && b <= 0x39) return u64(b - 0x30);
  if (b >= 0x61 && b <= 0x66) return u64(b - 0x61 + 10);
  if (b >= 0x41 && b <= 0x46) return u64(b - 0x41 + 10);
  return 99n;
}


/** Word 1 of a `COMMAND ADDR` line as a canonical virtual address, or null after printing why not (`usage` when the line is not a command and one number). */
export function addressArgument(w: Words, usage: string): VirtualAddress | null {
  const n = w.number(1, 0);
  if (w.count() !== 2 || !n.ok) {
    println(`error: usage: ${usage}`);
    return null;
  }
  const va = VirtualAddress.checked(n.value);
  if (va === null) println(`error: ${hex(n.value)} is not a canonical virtual address`);
  return va;
}
