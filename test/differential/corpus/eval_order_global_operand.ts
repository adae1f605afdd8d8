// An operand or argument that calls a function changing a global read by an earlier
// operand: TypeScript reads the global first (left to right), then calls.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
let g: u32 = 10;
function bump(): u32 {
  g = g + 5;
  return 1;
}
function pair(a: u32, b: u32): u32 {
  println(`pair(${a}, ${b})`);
  return a * 100 + b;
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const sum: u32 = g + bump();
  println(`g + bump() = ${sum}, g = ${g}`);
  const prod: u32 = g * bump();
  println(`g * bump() = ${prod}, g = ${g}`);
  println(`pair = ${pair(g, bump())}, g = ${g}`);
  println(`template: ${g} ${bump()} ${g}`);
}
