// Containers of owned values (value classes holding them) move as a whole or field by
// field; `Consumed<T> | null` parameters take optional values; a `let` holding an owned value
// revives on reassignment; `using` releases at scope exit. Same output in C and JavaScript.
import { u32, type u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { qemuExit } from "../../../kernel/lib/intrinsics";
import { Owned, type Consumed } from "../../../kernel/lib/owned";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

let live: u32 = 0;

class Ticket extends Owned {
  private readonly seat: u32;

  constructor(seat: u32) {
    super();
    this.seat = seat;
    live += 1;
  }

  number(): u32 {
    return this.seat;
  }

  override release(this: Consumed<Ticket>): void {
    live -= 1;
    println(`ticket ${this.seat} released`);
  }
}

/** A container: two owned values and a plain one. */
class Pair {
  readonly left: Ticket;
  readonly right: Ticket | null;
  readonly label: u32;

  constructor(left: Consumed<Ticket>, right: Consumed<Ticket> | null, label: u32) {
    this.left = left;
    this.right = right;
    this.label = label;
  }
}

function makePair(base: u32): Pair {
  return new Pair(new Ticket(base), new Ticket(base + 1), base * 10);
}

/** Takes the whole container (containers always move). */
function releasePair(p: Pair): u32 {
  p.left.release();
  if (p.right !== null) p.right.release();
  return p.label;
}

function maybe(t: Consumed<Ticket> | null): u32 {
  if (t === null) return 0;
  const n = t.number();
  t.release();
  return n;
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  const p = makePair(1);
  const left = p.left; // a partial move: p.label stays usable
  println(`left ${left.number()}, label ${p.label}, live ${live}`);
  left.release();
  if (p.right !== null) p.right.release();

  println(`pair label ${releasePair(makePair(5))}, live ${live}`);
  println(`maybe ${maybe(new Ticket(9))} and ${maybe(null)}`);

  let t = new Ticket(20);
  for (let i: u32 = 0; i < 3; i++) {
    println(`round ${i} holds ${t.number()}`);
    t.release();
    t = new Ticket(21 + i);
  }
  {
    using last = t;
    println(`using ${last.number()}`);
  }
  println(`live at the end ${live + u32(bootInfo & 0n)}`);
  qemuExit(0x10);
}
