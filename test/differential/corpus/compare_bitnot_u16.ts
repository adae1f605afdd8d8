// Comparing `~x` of a u16: the complement stays in 16 bits (and the C builds under -Werror).
import type { u16, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
let a: u16 = 5;
let b: u16 = 0xfffa;
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${b === ~a}`);
}
