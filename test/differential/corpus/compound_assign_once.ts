// Compound assignments and ++/-- evaluate their target once, as TypeScript does: the
// index or object expression runs once, the old value is read before the right-hand side.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

class Cell {
  n: u32 = 0;
}
const cell: Cell = new Cell();
const arr: u32[] = new Array<u32>(4).fill(1);
let calls: u32 = 0;

function idx(): u32 {
  calls += 1;
  println(`idx call ${calls}`);
  return calls % 4;
}

function getCell(): Cell {
  println("getCell");
  return cell;
}

function sideRhs(): u32 {
  arr[1] = 50;
  cell.n = 7;
  println("rhs");
  return 2;
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  arr[idx()] += 5;
  arr[idx()]++;
  arr[idx()]--;
  getCell().n += 3;
  getCell().n++;
  println(`arr=${arr[0]},${arr[1]},${arr[2]},${arr[3]} cell=${cell.n} calls=${calls}`);
  calls = 0;
  arr[idx()] += sideRhs();
  getCell().n += sideRhs();
  arr[1] = arr[1] + sideRhs();
  println(`arr=${arr[0]},${arr[1]},${arr[2]},${arr[3]} cell=${cell.n} calls=${calls}`);
  arr[idx()] = sideRhs() + arr[1];
  println(`arr=${arr[0]},${arr[1]},${arr[2]},${arr[3]} calls=${calls}`);
}
