import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// A u8 counter counting past 255 panics at the increment.
export function kernelMain(bootInfo: u64): void {
  serialInit();
  let sum: u32 = 0;
  for (let i: u8 = 250; i >= 250; i++) {
    sum += 1;
    print(`${i} `);
  }
  println(`sum=${sum}`);
}
