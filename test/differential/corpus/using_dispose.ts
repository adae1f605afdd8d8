// `using` disposes at every scope exit (end of block, return, break, continue), last
// declared first; a `using` variable is only borrowed, never moved (keelc rejects moving it);
// the output is the same in Node and C.
import type { bool, u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { qemuExit } from "../../../kernel/lib/intrinsics";
import { Owned, type Consumed } from "../../../kernel/lib/owned";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

class Resource extends Owned {
  private readonly id: u32;

  constructor(id: u32) {
    super();
    this.id = id;
  }

  name(): u32 {
    return this.id;
  }

  release(this: Consumed<Resource>): void {
    println(`release ${this.id}`);
  }
}

function show(r: Resource): void {
  println(`borrowed ${r.name()}`);
}

function early(flag: bool): u32 {
  using a = new Resource(1);
  using b = new Resource(2);
  if (flag) return 10;
  println("no early return");
  return 20;
}

function loop(): void {
  for (let i: u32 = 0; i < 3; i++) {
    using r = new Resource(100 + i);
    if (i === 0) continue;
    if (i === 2) break;
    println(`body ${i}`);
  }
}

function borrowed(): void {
  using r = new Resource(7);
  show(r);
  println("after the borrow: dispose releases it");
}

export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`early(true) = ${early(true)}`);
  println(`early(false) = ${early(false)}`);
  loop();
  borrowed();
  qemuExit(0x10);
}
