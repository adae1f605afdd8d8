// A compound assignment evaluates its target once: `a[f()] += x`, `a[f()]++` and
// `g().n += 3` call f and g one time each, as TypeScript does.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
class Cell {
  n: u32 = 0;
}
const cell: Cell = new Cell();
const table: u32[] = new Array<u32>(4).fill(0);
let calls: u32 = 0;
function f(): u32 {
  calls += 1;
  println(`f() call ${calls}`);
  return calls & 3;
}
function g(): Cell {
  println("g()");
  return cell;
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  table[f()] += 10;
  table[f()]++;
  g().n += 3;
  g().n++;
  println(`calls=${calls} table=${table[0]} ${table[1]} ${table[2]} ${table[3]} n=${cell.n}`);
}
