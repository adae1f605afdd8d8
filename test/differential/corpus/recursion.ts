import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Recursion: factorial, Fibonacci, gcd, Ackermann, mutual recursion.
function fact(n: u64): u64 { return n === 0n ? 1n : n * fact(n - 1n); }
function fib(n: u32): u32 { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }
function gcd(a: u64, b: u64): u64 { if (b === 0n) return a; return gcd(b, a % b); }
function ack(m: u32, n: u32): u32 {
  if (m === 0) return n + 1;
  if (n === 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}
function isEven(n: u32): bool { return n === 0 ? true : isOdd(n - 1); }
function isOdd(n: u32): bool { return n === 0 ? false : isEven(n - 1); }
function sumTo(n: u64): u64 { if (n === 0n) return 0n; return n + sumTo(n - 1n); }
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`20! = ${fact(20n)}`);
  println(`fib(20) = ${fib(20)}`);
  println(`gcd = ${gcd(0xffff_ffff_ffff_fffen, 0x7fff_ffff_ffff_ffffn)} ${gcd(1071n, 462n)}`);
  println(`ack(2,3) = ${ack(2, 3)} ack(3,3) = ${ack(3, 3)}`);
  println(`${isEven(100)} ${isOdd(77)} ${isEven(7)}`);
  println(`sumTo(3000) = ${sumTo(3000n)}`);
}
