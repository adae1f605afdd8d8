import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Module initialisers run once, in import order, before kernelMain.
import { A1, A2 } from "./lib/init_a";
import { B1, B2, bBig, bCount } from "./lib/init_b";
const MINE: u32 = A1 + A2 + B1;
let counter: u64 = bBig + 1n;
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`B1=${B1} B2=${B2} bCount=${bCount} A1=${A1} A2=${A2} MINE=${MINE} counter=${counter}`);
}
