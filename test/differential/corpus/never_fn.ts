import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Functions typed never: returned from a value function, called as statements.
import { panic } from "../../../kernel/lib/panic";
function fail(why: string): never { panic(why); }
function checked(x: u32): u32 {
  if (x < 10) return x * 2;
  return fail("too big");
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${checked(3)} ${checked(9)}`);
  println(`${checked(10)}`);
}
