// Labelled break and continue leave or continue the named loop.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  outer: for (let i: u32 = 0; i < 4; i++) {
    for (let j: u32 = 0; j < 4; j++) {
      if (j === 2) continue outer;
      if (i === 3) break outer;
      println(`i=${i} j=${j}`);
    }
  }
  let k: u32 = 0;
  scan: while (k < 10) {
    k++;
    if (k === 5) break scan;
  }
  println(`k=${k}`);
}
