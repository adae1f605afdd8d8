// A module-level const holding a function: a C constant declared after the prototypes.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
function dbl(x: u32): u32 { return x * 2; }
const table: (x: u32) => u32 = dbl;
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${table(21)}`);
}
