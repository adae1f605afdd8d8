// `<<` is checked like `*`: shifting bits out of a u8 panics (docs/subset.md).
import type { u8, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
let x: u8 = 0x40;
let one: u8 = 1;
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${x << one}`);
  x = 0x80;
  println(`${x << one}`);
  println("not reached");
}
