// KNOWN C-BACKEND BUG: comparing `~x` of a u8 or u16 emits `a != ((uint16_t)~x)`; gcc
// -Wall -Wextra still reports "comparison of promoted bitwise complement of an unsigned
// value with unsigned" (-Wsign-compare) through the cast, and -Werror rejects the C.
import type { u16, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
let a: u16 = 5;
let b: u16 = 0xfffa;
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${b === ~a}`);
}
