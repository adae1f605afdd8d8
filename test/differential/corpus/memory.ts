import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Simulated memory: stores and loads of every width, little-endian, across a page
// boundary, at high addresses, at the top of the address space; untouched memory reads 0.
import { hex } from "../../../kernel/lib/fmt";
import { load16, load32, load64, load8, store16, store32, store64, store8 } from "../../../kernel/lib/intrinsics";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  store64(0x1000n, 0x0123_4567_89ab_cdefn);
  println(`${hex(load8(0x1000n))} ${hex(load16(0x1000n))} ${hex(load32(0x1000n))} ${hex(load64(0x1000n))}`);
  println(`${hex(load8(0x1007n))} ${hex(load16(0x1006n))} ${hex(load32(0x1004n))}`);
  store32(0x1ffen, 0xa1b2_c3d4);
  println(`${hex(load16(0x1ffen))} ${hex(load16(0x2000n))} ${hex(load32(0x1ffen))}`);
  store8(0xffff_8000_0000_1234n, 0x5a);
  store16(0xffff_8000_0000_1236n, 0xbeef);
  println(`${hex(load64(0xffff_8000_0000_1230n))}`);
  store64(0xffff_ffff_ffff_fffcn, 0x1122_3344_5566_7788n);
  println(`${hex(load32(0xffff_ffff_ffff_fffcn))} ${hex(load32(0n))} ${hex(load64(0xffff_ffff_ffff_fffcn))}`);
  println(`${load64(0xdead_0000n)} ${load8(0x7777n)}`);
  let sum: u64 = 0n;
  for (let a: u64 = 0x10_0000n; a < 0x10_0000n + 0x2000n; a += 8n) store64(a, a * 3n);
  for (let a: u64 = 0x10_0000n; a < 0x10_0000n + 0x2000n; a += 8n) sum += load64(a);
  println(`sum=${sum}`);
}
