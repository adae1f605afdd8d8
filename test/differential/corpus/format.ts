import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Formatting: strings with escapes and non-ASCII text, dec and hex of every width, booleans.
import { hex } from "../../../kernel/lib/fmt";
let GREETING: string = "gr\u00fc\u00dfe, \u65e5\u672c";
function name(b: bool): string { return b ? "yes" : "no"; }
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println("quote \" backslash \\ tab \t question ??= ??/ end");
  println(GREETING);
  println(`${GREETING}!`);
  const a: u8 = 255; const b: u16 = 65535; const c: u32 = 4294967295; const d: u64 = 18446744073709551615n;
  const e: i8 = -128; const f: i16 = -32768; const g: i32 = -2147483648; const h: i64 = -9223372036854775808n;
  println(`${a} ${b} ${c} ${d} ${e} ${f} ${g} ${h}`);
  println(`${hex(a)} ${hex(b)} ${hex(c)} ${hex(d)}`);
  println(`${hex(e)} ${hex(f)} ${hex(g)} ${hex(h)}`);
  const zero: u32 = 0;
  const zero64: u64 = 0n;
  println(`${hex(zero)} ${hex(zero64)} ${zero}${zero64}`);
  println(`${true} ${false} ${a > 3} ${name(true)} ${name(false)}`);
  println(`${a}${b}`);
  println(`[${""}] [${"x"}]`);
  println(`\${not a substitution}`);
  print(`line1
line2
`);
}
