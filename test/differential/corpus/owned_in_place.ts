// Owned values live in place: in a local, a field of a mutable object, an array slot and a
// `T | null`; methods change them where they live (C passes a pointer to the place), borrows
// see the change, moves copy. C and JavaScript (references) must print the same.
import type { bool, u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { qemuExit } from "../../../kernel/lib/intrinsics";
import { Owned, take, type Consumed } from "../../../kernel/lib/owned";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

let released: u64 = 0n;

class Counter extends Owned {
  private count: u64;
  private readonly id: u32;

  constructor(id: u32, count: u64) {
    super();
    this.id = id;
    this.count = count;
  }

  bump(by: u64): void {
    this.count += by;
  }

  value(): u64 {
    return this.count;
  }

  /** Absorbs `other`'s count; `other` is consumed. */
  absorb(other: Consumed<Counter>): void {
    this.count += other.value();
    other.release();
  }

  override release(this: Consumed<Counter>): void {
    released += this.count;
    println(`release ${this.id} with ${this.count}`);
  }

  override toString(): string {
    return `Counter(${this.id}: ${this.count})`;
  }
}

class Holder {
  counter: Counter | null = null;
  readonly fixed: Counter;

  constructor(fixed: Consumed<Counter>) {
    this.fixed = fixed;
  }
}

/** A borrow: changes the caller's value in place. */
function bumpTwice(c: Counter): void {
  c.bump(1n);
  c.bump(1n);
}

function isEmpty(slots: (Counter | null)[], i: u32): bool {
  return slots[i] === null;
}

/** An optional slot, narrowed where it lives. */
function bumpSlot(slots: (Counter | null)[], i: u32): void {
  slots[i] = make(5);
  const c = take(slots, i);
  if (c !== null) {
    bumpTwice(c);
    println(`took ${c}`);
    c.release();
  }
}

function make(id: u32): Counter {
  const c = new Counter(id, 10n);
  c.bump(5n);
  return c;
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  const a = make(1);
  bumpTwice(a);
  println(`local ${a} = ${a.value()}`);

  const h = new Holder(make(2));
  h.fixed.bump(100n);
  bumpTwice(h.fixed);
  println(`field ${h.fixed}`);
  h.counter = a;
  h.counter.bump(1000n);
  println(`moved into a field: ${h.counter}`);

  const slots = new Array<Counter | null>(3).fill(null);
  slots[1] = make(3);
  slots[1].bump(7n); // in the slot: TypeScript narrowed it by the assignment
  println(`slot ${slots[1].value()}`);
  const taken = slots[1];
  slots[1] = null;
  println(`slot after take is empty: ${isEmpty(slots, 1)}`);
  taken.absorb(make(4));
  println(`absorbed: ${taken}`);
  taken.release();
  bumpSlot(slots, 2);
  const inner = h.counter;
  h.counter = null;
  inner.release();
  const fixed = h.fixed.value();
  println(`fixed still in place: ${fixed}`);
  println(`released in total ${released + bootInfo}`);
  qemuExit(0x10);
}
