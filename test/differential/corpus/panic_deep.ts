import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// A panic deep in a recursion stops everything; nothing after it runs.
import { panic } from "../../../kernel/lib/panic";
function down(n: u32): u32 {
  if (n === 0) panic(`bottom reached`);
  if (n > 100000) return 0;
  return down(n - 1) + 1;
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${down(500)}`);
  println("never");
}
