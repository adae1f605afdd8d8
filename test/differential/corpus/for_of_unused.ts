// A for…of whose loop variable is not used compiles (no unused-variable warning in C).
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
    return i;
  }
  [Symbol.iterator](): Iterator<u64> {
    return rangeIterator(this);
  }
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  let ticks: u32 = 0;
  for (const x of new Span(3n)) ticks += 1;
  println(`ticks=${ticks}`);
}
