import { type u32, type i32, u64, truncU8, wrappingAdd, wrappingMul, wrappingSub } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Exact 64-bit wrapping arithmetic: FNV-1a, xorshift64*, a 32-bit LCG.
import { hex } from "../../../kernel/lib/fmt";
function fnv(n: u32): u64 {
  let h: u64 = 0xcbf2_9ce4_8422_2325n;
  for (let i: u32 = 0; i < n; i++) {
    h = h ^ u64(truncU8(i * 7));
    h = wrappingMul(h, 0x100_0000_01b3n);
  }
  return h;
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`fnv ${hex(fnv(0))} ${hex(fnv(1))} ${hex(fnv(100))}`);
  let x: u64 = 88172645463325252n;
  for (let i: u32 = 0; i < 8; i++) {
    x = x ^ (x >> 12n); x = x ^ (x << 25n & 0xffff_ffff_ffff_ffffn); x = x ^ (x >> 27n);
    print(`${hex(wrappingMul(x, 0x2545_f491_4f6c_dd1dn))} `);
  }
  println("");
  let s: u32 = 12345;
  for (let i: u32 = 0; i < 8; i++) { s = wrappingAdd(wrappingMul(s, 1103515245), 12345); print(`${s} `); }
  println("");
  const m: i32 = -2147483648;
  println(`${wrappingSub(m, 1)} ${wrappingAdd(m, m)} ${wrappingMul(m, -1)} ${wrappingMul(m, 1431655765)}`);
}
