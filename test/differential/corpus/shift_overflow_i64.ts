// `<<` that moves bits out of (or into the sign of) an i64 panics: no silent wraparound.
import type { i64, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

function shl(a: i64, b: i64): i64 {
  return a << b;
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${shl(1n, 62n)}`);
  println(`${shl(-1n, 63n)}`);
  println(`${shl(1n, 63n)}`);
}
