// A for…of whose loop variable is not used still counts the iterations (C must not warn).
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
import { rangeIterator } from "../../../kernel/lib/iter";

class Span {
  readonly n: u64;
  constructor(n: u64) {
    this.n = n;
  }
  iterLength(): u64 {
    return this.n;
  }
  iterAt(i: u64): u64 {
    return i * 2n;
  }
  [Symbol.iterator](): Iterator<u64> {
    return rangeIterator(this);
  }
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  let count: u32 = 0;
  for (const _x of new Span(5n)) count++;
  println(`count=${count}`);
}
