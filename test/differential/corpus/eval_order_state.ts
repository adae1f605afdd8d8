// Operands and arguments that read state a later operand changes: TypeScript reads them
// first (left to right); C would be free to call first. keelc evaluates such reads into
// temporaries before the effect.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

let counter: u32 = 0;

class Box {
  n: u32 = 0;
}
const box: Box = new Box();
const arr: u32[] = new Array<u32>(4).fill(0);

function bump(): u32 {
  counter += 1;
  box.n += 10;
  arr[0] = arr[0] + 100;
  return counter;
}

function pair(a: u32, b: u32): u32 {
  println(`pair(${a}, ${b})`);
  return a * 1000 + b;
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${pair(counter, bump())}`);
  println(`${pair(bump(), counter)}`);
  const s: u32 = counter + bump();
  println(`s=${s}`);
  const t: u32 = bump() + counter;
  println(`t=${t}`);
  println(`${pair(box.n, bump())}`);
  println(`${pair(arr[0], bump())}`);
  const c: bool = counter < bump();
  println(`c=${c}`);
}
import type { bool } from "../../../kernel/lib/int";
