import type { u32, u64 } from "../../../kernel/lib/int";
import { print, println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
import { hex } from "../../../kernel/lib/fmt";
// Classes (value and mutable), optional values, fixed-length arrays with bounds checks.
class Point {
  constructor(readonly x: u64, readonly y: u64) {}
  plus(o: Point): Point { return new Point(this.x + o.x, this.y + o.y); }
  toString(): string { return `(${hex(this.x)}, ${this.y})`; }
}
class Counter {
  count: u32 = 0;
  bump(by: u32): u32 { this.count += by; return this.count; }
}
const counter = new Counter();
function find(xs: u32[], want: u32): Point | null {
  for (let i: u32 = 0; i < xs.length; i++) if (xs[i] === want) return new Point(u64val(i), 1n);
  return null;
}
function u64val(i: u32): u64 { let r: u64 = 0n; for (let k: u32 = 0; k < i; k++) r += 1n; return r; }
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const p = new Point(0x1000n, 2n).plus(new Point(0xffff_0000_0000_0000n, 3n));
  println(`p=${p} x=${p.x}`);
  println(`${counter.bump(3)} ${counter.bump(4)} ${counter.count}`);
  const xs: u32[] = new Array<u32>(5).fill(7);
  xs[2] = 42;
  for (let i: u32 = 0; i < xs.length; i++) print(`${xs[i]} `);
  println("");
  const f = find(xs, 42);
  if (f !== null) println(`found at ${f.x}`); else println("none");
  const g = find(xs, 43);
  println(`${g === null}`);
  xs[5] = 1;
}
