import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// panic() with a template: decimal, hex, bool and string pieces; output before it on the line.
import { panic } from "../../../kernel/lib/panic";
import { hex } from "../../../kernel/lib/fmt";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const frame: u64 = 0x1_0000_0000n;
  const neg: i32 = -42;
  const msg: string = "str";
  print("partial line, then ");
  panic(`frame ${hex(frame)} (${frame}) neg=${neg} ok=${neg > 0} msg=${msg}`);
}
