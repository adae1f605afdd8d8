import type { bool, u32, u64 } from "../../../kernel/lib/int";
import { i32, u32 as toU32, wrappingAdd } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
// Module-level variables without annotations, read by a function declared before them: their
// types come from the type query (compiler/src/type_of.ts), which lowers nothing.
function report(): void {
  println(`${PAGE} ${TWICE} ${BIG} ${SMALLER} ${NAME} ${pairSum(PAIR)} ${FIRST.v} ${COUNT} ${NEG} ${FLIPPED} ${SLOTS.length} ${SLOTS[1]} ${SPAN.size}`);
}
class Pair<T> {
  constructor(readonly a: T, readonly b: T) {}
}
class Box {
  constructor(readonly v: u64) {}
}
class Span {
  constructor(readonly start: u64, readonly end: u64) {}
  get size(): u64 {
    return this.end - this.start;
  }
}
function pairSum(p: Pair<u64>): u64 {
  return p.a + p.b;
}
function first<T>(p: Pair<T>): T {
  return p.a;
}
const PAGE = toU32(4096);
const TWICE = wrappingAdd(PAGE, PAGE);
const BIG: bool = TWICE > PAGE;
const SMALLER = BIG ? PAGE : TWICE;
const NAME = "globals";
const PAIR = new Pair<u64>(3n, 4n);
const FIRST = new Box(first(PAIR));
let COUNT = (PAGE >> 4) + 1;
const NEG = -i32(5);
const FLIPPED = ~PAGE;
const SLOTS = new Array<u32>(3).fill(PAGE);
const SPAN = new Span(PAIR.a, PAIR.b + 10n);
export function kernelMain(bootInfo: u64): void {
  serialInit();
  COUNT = COUNT + 1;
  report();
}
