// `using` disposes at every exit of its scope, as TypeScript does: end of block, return of
// a local, return of an expression, return from a nested block, break, continue, and
// labelled break/continue out of nested loops.
import type { bool, u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { qemuExit } from "../../../kernel/lib/intrinsics";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

class Res {
  readonly id: u32;
  constructor(id: u32) {
    this.id = id;
  }
  [Symbol.dispose](): void {
    println(`dispose ${this.id}`);
  }
}

function returnLocal(): u32 {
  using r = new Res(1);
  const v: u32 = 41;
  return v;
}

function returnExpr(x: u32): u32 {
  using r = new Res(2);
  return x + 1;
}

function returnNested(flag: bool): u32 {
  using a = new Res(3);
  {
    using b = new Res(4);
    if (flag) {
      using c = new Res(5);
      const k: u32 = 9;
      return k;
    }
  }
  return 0;
}

function returnParam(p: u32): u32 {
  using a = new Res(6);
  return p;
}

function labelled(): void {
  outer: for (let i: u32 = 0; i < 3; i++) {
    using o = new Res(100 + i);
    for (let j: u32 = 0; j < 3; j++) {
      using n = new Res(200 + j);
      if (j === 1 && i === 0) continue outer;
      if (i === 1) break outer;
      println(`body ${i} ${j}`);
    }
  }
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`returnLocal ${returnLocal()}`);
  println(`returnExpr ${returnExpr(1)}`);
  println(`returnNested ${returnNested(true)}`);
  println(`returnNested ${returnNested(false)}`);
  println(`returnParam ${returnParam(8)}`);
  labelled();
  {
    using e = new Res(300);
    println("end of block");
  }
  qemuExit(0x10);
}
