// Comparing a variable with itself: constant-folded in C (no tautology warning).
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
let x: u32 = 5;
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${x < x} ${x === x}`);
}
