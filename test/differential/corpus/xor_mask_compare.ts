// A small unsigned value xor'd with its all-ones mask (gcc folds it to a complement) and
// compared: the C builds under -Werror and agrees with JavaScript.
import { u16, type u32, type u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

let x: u16 = 34856;
let y: u32 = 255;

export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${(x ^ 65535) !== u16(y)} ${x ^ 65535}`);
}
