import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Comparisons of every width at the edges; bool equality.
function cmpU64(a: u64, b: u64): void { println(`${a < b} ${a <= b} ${a > b} ${a >= b} ${a === b} ${a !== b}`); }
function cmpI64(a: i64, b: i64): void { println(`${a < b} ${a <= b} ${a > b} ${a >= b} ${a === b} ${a !== b}`); }
function cmpU32(a: u32, b: u32): void { println(`${a < b} ${a <= b} ${a > b} ${a >= b} ${a === b} ${a !== b}`); }
function cmpI32(a: i32, b: i32): void { println(`${a < b} ${a <= b} ${a > b} ${a >= b} ${a === b} ${a !== b}`); }
function cmpI8(a: i8, b: i8): void { println(`${a < b} ${a <= b} ${a > b} ${a >= b} ${a === b} ${a !== b}`); }
function cmpU8(a: u8, b: u8): void { println(`${a < b} ${a <= b} ${a > b} ${a >= b} ${a === b} ${a !== b}`); }
function yes(): bool { return true; }
export function kernelMain(bootInfo: u64): void {
  serialInit();
  cmpU64(0n, 18446744073709551615n);
  cmpU64(9007199254740993n, 9007199254740992n);
  cmpU64(9223372036854775808n, 9223372036854775807n);
  cmpI64(-9223372036854775808n, 9223372036854775807n);
  cmpI64(-1n, 0n);
  cmpU32(4294967295, 2147483648);
  cmpI32(-2147483648, 2147483647);
  cmpI32(-1, -1);
  cmpI8(-128, 127);
  cmpU8(255, 0);
  println(`${yes() === true} ${yes() !== false} ${yes() === !yes()} ${yes() !== yes()}`);
}
