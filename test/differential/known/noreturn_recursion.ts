// KNOWN C-BACKEND BUG: valid recursion whose only base case panics. panic() lowers to a
// _Noreturn call, so gcc -Wall (-Winfinite-recursion, gcc 12) reports "infinite recursion
// detected" and -Werror rejects the emitted C.
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
