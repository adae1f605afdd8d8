// Generic functions (monomorphized per type argument, inferred or explicit) and switch over
// integers (shared labels, default in the middle, early return from a case).
import type { bool, u8, u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

class Box {
  readonly v: u64;
  constructor(v: u64) {
    this.v = v;
  }
  toString(): string {
    return `Box(${this.v})`;
  }
}

function pick<T>(first: bool, a: T, b: T): T {
  return first ? a : b;
}

function firstOrNull<T>(ok: bool, x: T): T | null {
  return ok ? x : null;
}

function name(code: u32): string {
  switch (code) {
    case 0:
      return "zero";
    case 1:
    case 2:
      return "small";
    default:
      return "other";
    case 10:
      return "ten";
  }
}

function classify(x: u8): u32 {
  let r: u32 = 0;
  switch (x) {
    case 1:
      r = 100;
      break;
    case 2: {
      r = 200;
      break;
    }
    default:
      r = 1;
  }
  return r;
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  const n: u32 = pick(true, 3, 4);
  const w: u64 = pick(false, 5n, 6n);
  println(`${n} ${w} ${pick(true, new Box(7n), new Box(8n))}`);
  const b = firstOrNull(true, new Box(9n));
  if (b !== null) println(`some ${b}`);
  const c = firstOrNull<Box>(false, new Box(10n));
  println(`${c === null}`);
  for (let i: u32 = 0; i < 12; i++) println(`${i} ${name(i)}`);
  println(`${classify(1)} ${classify(2)} ${classify(3)}`);
}
