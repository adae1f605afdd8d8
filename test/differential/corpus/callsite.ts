import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// CallSite parameters receive the caller's file:line:col; an explicit argument wins.
import { callSite, type CallSite } from "../../../kernel/lib/callsite";
function where(tag: string, at: CallSite = callSite()): void {
  println(`${tag} called at ${at}`);
}
function check(ok: bool, at: CallSite = callSite()): void {
  if (!ok) println(`check failed at ${at}`);
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  where("first");
  where("second");
  where("explicit", "somewhere:1:2");
  check(true);
  check(false);
  for (let i: u32 = 0; i < 2; i++) where("loop");
}
