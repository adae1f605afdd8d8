import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Output before the console exists is dropped; returning from kernelMain ends with 0.
export function kernelMain(bootInfo: u64): void {
  println("dropped: no console sink yet");
}
