// `x === null` on a mutable object is well defined in both executions, also after an
// assignment narrowed x to the non-null type.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
class Node {
  value: u32;
  constructor(value: u32) {
    this.value = value;
  }
}
function make(v: u32): Node {
  return new Node(v);
}
export function kernelMain(bootInfo: u64): void {
  serialInit();
  let x: Node | null = null;
  println(`start null: ${x === null}`);
  x = make(7);
  if (x === null) println("never");
  else println(`made ${x.value}`);
}
