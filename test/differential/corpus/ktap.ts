import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// The kernel's KTAP library as a program uses it (CallSite locations included).
import { expect, expectEqU32, expectEqU64, KtapOptions, KtapSuite } from "../../../kernel/lib/ktap";
function passes(): void { expect(true, "true holds"); expectEqU64(0x20_0000_0000_0001n + 1n, 0x20_0000_0000_0002n, "2^53+2"); }
function fails(): void { const two: u32 = 2; expectEqU32(two + two, 5, "deliberately wrong"); }
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const suite = new KtapSuite();
  suite.test("passes", passes);
  suite.test("fails", fails);
  suite.test("passes again", passes);
  suite.run(KtapOptions.all());
}
