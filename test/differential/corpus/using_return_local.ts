// `return local` inside a `using` scope still disposes (after the value is read).
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
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
function local(): u32 {
  using r = new Res(1);
  const x: u32 = r.id + 41;
  return x;
}
function nested(flag: boolean): u32 {
  using r = new Res(2);
  if (flag) {
    using s = new Res(3);
    const y: u32 = s.id;
    return y;
  }
  return 0;
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`local() = ${local()}`);
  println(`nested(true) = ${nested(true)}`);
}
