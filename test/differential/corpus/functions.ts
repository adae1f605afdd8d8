import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Functions: parameters of every type, return values, void functions, nested calls.
function add3(a: u32, b: u32, c: u32): u32 { return a + b + c; }
function mix(a: u8, b: u16, c: i32, d: i64, e: bool, s: string): void {
  println(`mix ${a} ${b} ${c} ${d} ${e} ${s}`);
}
function twice(x: u64): u64 { return x * 2n; }
function choose(c: bool, a: i16, b: i16): i16 { if (c) { return a; } return b; }
function nothing(): void {}
function early(x: u32): u32 {
  if (x > 10) return 10;
  return x;
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${add3(1, 2, 3)} ${add3(add3(1, 1, 1), 4, 5)}`);
  mix(255, 65535, -2147483648, -9223372036854775808n, true, "str");
  println(`${twice(twice(0x4000_0000_0000_0000n / 4n))}`);
  println(`${choose(true, -5, 7)} ${choose(false, -5, 7)}`);
  nothing();
  println(`${early(3)} ${early(300)}`);
}
