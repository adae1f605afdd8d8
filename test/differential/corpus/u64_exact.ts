import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// 64-bit exactness: values above 2^53, near 2^63 and 2^64, signed min/max.
import { hex } from "../../../kernel/lib/fmt";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const p53: u64 = 9007199254740993n; // 2^53 + 1
  println(`${p53} ${p53 + 1n} ${p53 * 3n} ${p53 - 2n} ${p53 / 3n} ${p53 % 10n}`);
  const top: u64 = 18446744073709551615n;
  println(`${top} ${top - 1n} ${top / 2n} ${top % 1000n} ${hex(top >> 1n)} ${hex(top << 4n)} ${~top}`);
  const p63: u64 = 9223372036854775808n;
  println(`${p63} ${hex(p63)} ${p63 - 1n} ${p63 + (p63 - 1n)} ${p63 >> 63n} ${p63 | 1n}`);
  const imin: i64 = -9223372036854775808n;
  const imax: i64 = 9223372036854775807n;
  println(`${imin} ${imax} ${imin + imax} ${imin / 2n} ${imax % -7n} ${imin >> 1n} ${imin >> 63n} ${~imin} ${~imax}`);
  const p32: u64 = 4294967296n;
  println(`${p32 * (p32 - 1n) + (p32 - 1n) === top}`);
  const p31: i64 = 2147483648n;
  println(`${p31 * p31} ${-(p31 * p31 * 2n - 1n)}`);
  const mix: u64 = 0xaaaa_aaaa_aaaa_aaaan;
  println(`${hex(mix & 0xffff_0000_ffff_0000n)} ${hex(mix ^ top)} ${hex(mix | 0x5555_5555_5555_5555n)}`);
}
