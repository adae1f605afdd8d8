// A generic function whose parameter is a generic alias of a generic class: the type
// argument is inferred through the alias (`Tagged<S>` is `Pair<u64, S>`, so S is the
// pair's second argument, not its first). keelc once bound S to the alias's first position.
import type { u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

class Small {
  width(): u64 {
    return 2n;
  }
}

class Large {
  width(): u64 {
    return 1024n;
  }
}

class Pair<A, B> {
  readonly a: A;
  readonly b: B;
  constructor(a: A, b: B) {
    this.a = a;
    this.b = b;
  }
}

type Tagged<S> = Pair<u64, S>;

function widthOf<S extends Small | Large>(t: Tagged<S>): u64 {
  return t.a * t.b.width();
}

export function kernelMain(): void {
  serialInit();
  const s: Tagged<Small> = new Pair<u64, Small>(3n, new Small());
  const l: Tagged<Large> = new Pair<u64, Large>(5n, new Large());
  println(`${widthOf(s)} ${widthOf(l)}`);
}
