// Comparisons gcc proves constant only after folding (an unsigned value against a wrapping
// difference of a value with itself, against 0) and comparisons of an expression with itself
// (random_programs found `(g | g) < (g | g)`): legal TypeScript, so the C must build.
import { wrappingSub, type u8, type u32, type u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

let a: u8 = 1;
let b: u8 = 10;
let zero: u32 = 0;

export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${(a ^ b) >= wrappingSub(a, a)} ${zero >= 0} ${wrappingSub(b, b) <= a}`);
  println(`${(b | b) < (b | b)} ${(b | b) <= (b | b)} ${(zero & 0xfffff) !== (zero & 0xfffff)}`);
}
