// Operands and arguments are evaluated left to right, as TypeScript does (C leaves the order
// unspecified, so keelc evaluates effectful operands into temporaries in order).
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
