import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// 21! does not fit in u64: the checked multiplication panics inside the recursion.
function fact(n: u64): u64 { return n === 0n ? 1n : n * fact(n - 1n); }
export function kernelMain(bootInfo: u64): void {
  serialInit();
  for (let i: u64 = 18n; i < 25n; i++) println(`${i}! = ${fact(i)}`);
}
