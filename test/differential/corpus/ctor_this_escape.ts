// A value-class constructor that passes `this` to a function once every field is set.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

class Pt {
  readonly x: u32;
  readonly y: u32;
  constructor(x: u32, y: u32) {
    this.x = x;
    this.y = y;
    show(this);
  }
}

function show(p: Pt): void {
  println(`Pt(${p.x}, ${p.y})`);
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  const p = new Pt(1, 2);
  println(`${p.x + p.y}`);
}
