import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// && and || short-circuit; ?: evaluates one branch.
let calls: u32 = 0;
function t(tag: string): bool { calls += 1; print(`t${tag} `); return true; }
function f(tag: string): bool { calls += 1; print(`f${tag} `); return false; }
function v(x: u32): u32 { print(`v${x} `); return x; }
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${f("1") && t("2")}`);
  println(`${t("3") || f("4")}`);
  println(`${t("5") && f("6") || t("7")}`);
  println(`${!(f("8") || f("9")) && t("10")}`);
  println(`calls=${calls}`);
  const c: bool = calls > 5;
  println(`${c ? v(1) : v(2)} ${!c ? v(3) : v(4)}`);
  const z: u32 = 0;
  println(`${z !== 0 && 10 / z > 1} ${z === 0 || 10 / z > 1}`);
}
