import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Imports: functions, constants and a mutable global of another module.
import { calls, mean, scaled, SCALE } from "./lib/mathlib";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${scaled(3)} ${scaled(4_294_967)} SCALE=${SCALE}`);
  println(`calls=${calls}`);
  println(`mean=${mean(0xffff_ffff_ffff_ffffn, 0xffff_ffff_ffff_fffdn)}`);
  println(`${scaled(4_294_968)}`);
}
