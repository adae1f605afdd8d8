// Recursion whose only base case panics is legal and builds (gcc's recursion warning is off).
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { panic } from "../../../kernel/lib/panic";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
function down(n: u32): u32 {
  if (n === 0) panic(`bottom reached`);
  return down(n - 1) + 1;
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${down(5)}`);
}
