import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// if / else if / else chains, nested conditions, bool locals.
function classify(x: i32): string {
  if (x < -100) return "very negative";
  else if (x < 0) return "negative";
  else if (x === 0) return "zero";
  else if (x <= 100) {
    if (x % 2 === 0) return "small even";
    return "small odd";
  }
  return "big";
}
function truth(x: u32): bool { return x !== 0; }
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(classify(-2147483648));
  println(classify(-5));
  println(classify(0));
  println(classify(42));
  println(classify(43));
  println(classify(2147483647));
  const t: bool = truth(1);
  const f: bool = truth(0);
  if (f) println("wrong"); else println("right");
  if (!f && t) println("and");
  if (f || !t) println("wrong"); else if (t !== truth(0)) println("ne");
}
