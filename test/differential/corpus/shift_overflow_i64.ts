// `<<` is checked like `*`: `1n << 63n` does not fit in an i64 and panics.
import type { i64, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
let one: i64 = 1n;
let n: i64 = 62n;
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${one << n}`);
  n = 63n;
  println(`${one << n}`);
  println("not reached");
}
