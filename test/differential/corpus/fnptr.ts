import { type u8, type u16, type u32, type u64, type i8, type i16, type i32, type i64, type bool } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Function values: locals, parameters, results, globals, nullable ones, calls through them.
function inc(x: u32): u32 { return x + 1; }
function dbl(x: u32): u32 { return x * 2; }
function apply(f: (x: u32) => u32, x: u32, times: u32): u32 {
  let r: u32 = x;
  for (let i: u32 = 0; i < times; i++) r = f(r);
  return r;
}
function pick(which: bool): (x: u32) => u32 { return which ? inc : dbl; }
let hook: ((x: u32) => u32) | null = null;
let table: (x: u32) => u32 = dbl;
function runHook(x: u32): u32 {
  const h = hook;
  if (h === null) return 0;
  return h(x);
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${apply(inc, 0, 10)} ${apply(dbl, 1, 20)} ${apply(pick(true), 5, 3)} ${apply(pick(false), 5, 3)}`);
  println(`hook=${runHook(7)}`);
  hook = inc;
  println(`hook=${runHook(7)}`);
  hook = table;
  println(`hook=${runHook(7)} same=${hook === table} diff=${hook === inc}`);
  const f: (x: u32) => u32 = pick(false);
  println(`${f(21)}`);
  println(`${apply(dbl, 1, 32)}`);
}
