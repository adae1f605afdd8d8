// KNOWN C-BACKEND BUG: operands and arguments are evaluated left to right in TypeScript,
// but emit_c puts them directly in C expressions (helper-call arguments, call arguments),
// whose evaluation order is unspecified: gcc evaluates f(2) before f(1) here.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
function f(x: u32): u32 { println(`f(${x})`); return x; }
function g(a: u32, b: u32): u32 { return a - b; }
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const s: u32 = f(1) + f(2);
  println(`s=${s}`);
  println(`${g(f(3), f(4))}`);
}
