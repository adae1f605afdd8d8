import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Shifts by 0, 31, 32 and 63 where they are in range and lose no bits (`<<` is checked like
// `*`: see shift_overflow_*.ts); arithmetic vs logical right shifts.
import { hex } from "../../../kernel/lib/fmt";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const a: u32 = 0x8000_0001; const a1: u32 = 1;
  const z: u32 = 0; const t1: u32 = 31;
  println(`${hex(a << z)} ${hex(a1 << t1)} ${hex(a >> z)} ${hex(a >> t1)}`);
  const b: i32 = -2147483647; const bm1: i32 = -1;
  const bz: i32 = 0; const b31: i32 = 31;
  println(`${b << bz} ${bm1 << b31} ${b >> bz} ${b >> b31} ${(b >> 4)}`);
  const c: u64 = 0x8000_0000_0000_0001n; const c1: u64 = 1n; const c3: u64 = 3n;
  println(`${hex(c << 0n)} ${hex(c3 << 31n)} ${hex(c3 << 32n)} ${hex(c1 << 63n)} ${hex(c >> 0n)} ${hex(c >> 31n)} ${hex(c >> 32n)} ${hex(c >> 63n)}`);
  const d: i64 = -9223372036854775807n; const dm: i64 = -3n; const dm1: i64 = -1n;
  println(`${d << 0n} ${dm << 31n} ${dm << 32n} ${dm1 << 63n} ${d >> 0n} ${d >> 31n} ${d >> 32n} ${d >> 63n}`);
  const e: u8 = 0x81; const e1: u8 = 1; const f: i8 = -127; const fm1: i8 = -1; const s7: u8 = 7; const s7i: i8 = 7;
  println(`${e1 << s7} ${e >> s7} ${fm1 << s7i} ${f >> s7i}`);
  const g: u16 = 0x8001; const g1: u16 = 1; const h: i16 = -32767; const hm1: i16 = -1;
  println(`${g1 << 15} ${g >> 15} ${hm1 << 15} ${h >> 15}`);
}
