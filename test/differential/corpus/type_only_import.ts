import type { u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// A class used only as a type: its module is never evaluated, but a call of its method
// through a field that stays null must still compile (and never run).
import { Counter } from "./lib/counter";

class Holder {
  counter: Counter | null = null;
  total(): u64 {
    return this.counter === null ? 0n : this.counter.bump();
  }
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  const h = new Holder();
  println(`total ${h.total()}`);
}
