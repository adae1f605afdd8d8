// KNOWN C-BACKEND BUG: a module-level `const` holding a function is emitted as a static
// const in keel_program.h before the function's prototype: "undeclared here".
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
function dbl(x: u32): u32 { return x * 2; }
const table: (x: u32) => u32 = dbl;
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${table(21)}`);
}
