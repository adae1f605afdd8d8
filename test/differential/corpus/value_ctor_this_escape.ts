// A value-class constructor that passes `this` to a function: the function sees the
// fields assigned so far.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
let seen: u32 = 0;
function note(p: Point): void {
  seen = p.x + 1;
}
class Point {
  readonly x: u32;
  readonly y: u32;
  constructor(x: u32, y: u32) {
    this.x = x;
    this.y = y;
    note(this);
  }
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const p: Point = new Point(4, 5);
  println(`p=${p.x},${p.y} seen=${seen}`);
}
