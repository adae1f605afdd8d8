// KNOWN C-BACKEND BUG: comparing a variable with itself is valid TypeScript, but the C
// `(x < x)` trips gcc's -Wtautological-compare, and -Werror rejects the emitted C.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
let x: u32 = 5;
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${x < x} ${x === x}`);
}
