// The console's line editor on COM1: echo, backspace, Enter; a line never outgrows its
// buffer (extra characters are refused with a bell, as a terminal does).
import type { u8, u32 } from "../lib/int";
import { print, println, writeByte } from "../lib/console";
import { serialReadByte } from "../arch/x86_64/serial";

const BACKSPACE: u8 = 0x08;
const DELETE: u8 = 0x7f;
const CR: u8 = 0x0d;
const LF: u8 = 0x0a;
const BELL: u8 = 0x07;
const SPACE: u8 = 0x20;
const TILDE: u8 = 0x7e;

/** Reads one line into `buf` with echo; returns its length (the line ends at Enter). */
export function readLine(buf: u8[]): u32 {
  let length: u32 = 0;
  while (true) {
    const key: u8 = serialReadByte();
    if (key === CR || key === LF) {
      println("");
      return length;
    }
    if (key === BACKSPACE || key === DELETE) {
      if (length > 0) {
        length--;
        print("\b \b");
      }
    } else if (key >= SPACE && key <= TILDE) {
      if (length < buf.length) {
        buf[length] = key;
        length++;
        writeByte(key);
      } else {
        writeByte(BELL);
      }
    }
  }
}
