import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// qemuExit(127): the process exits with status ((code << 1) | 1) & 0xff, as QEMU does.
import { qemuExit } from "../../../kernel/lib/intrinsics";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println("exiting with 127");
  qemuExit(127);
}
