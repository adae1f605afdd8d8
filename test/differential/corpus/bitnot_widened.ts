// `~` of a small unsigned value widened first (i64(u8)), then compared: the C builds under
// -Werror (the complement goes through a helper) and agrees with JavaScript.
import { i64, type i16, type u8, type u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

let small: u8 = 128;
let other: i16 = 127;

export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${~i64(small) !== i64(other)} ${~i64(small)} ${~small}`);
}
