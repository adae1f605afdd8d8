// Comparing a (narrowed or not) mutable object with null is well defined in both executions.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

class Item {
  v: u32 = 0;
  next: Item | null = null;
}

const items: Item = new Item();

function find(v: u32): Item | null {
  let cur: Item | null = items;
  while (cur !== null) {
    if (cur.v === v) return cur;
    cur = cur.next;
  }
  return null;
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  const second = new Item();
  second.v = 2;
  items.next = second;
  let x = find(2);
  println(`found 2: ${x !== null}`);
  if (x !== null) println(`v=${x.v} ${x === null}`);
  x = find(3);
  println(`found 3: ${x === null ? "no" : "yes"}`);
  if (x === null) {
    x = second;
    println(`now ${x === null} ${x !== null}`);
  }
}
