// Labelled break and continue leave or continue an outer loop, with while, do-while and for.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

export function kernelMain(bootInfo: u64): void {
  serialInit();
  let total: u32 = 0;
  outer: for (let i: u32 = 0; i < 5; i++) {
    let j: u32 = 0;
    inner: while (j < 5) {
      j++;
      if (j === 2) continue inner;
      if (i === 1) continue outer;
      if (i === 3 && j === 3) break outer;
      do {
        total += i * 10 + j;
        if (total > 1000) break inner;
      } while (false);
    }
    println(`i=${i} total=${total}`);
  }
  println(`total=${total}`);
  let k: u32 = 0;
  block: {
    k = 1;
    if (k === 1) break block;
    k = 2;
  }
  println(`k=${k}`);
}
