// `<<` that moves set bits out of a u8 panics: no silent wraparound.
import type { u8, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

function shl(a: u8, b: u8): u8 {
  return a << b;
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${shl(0x40, 1)}`);
  println(`${shl(0x80, 1)}`);
}
