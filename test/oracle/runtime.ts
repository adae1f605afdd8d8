// The checked integer helpers of the oracle: what docs/subset.md says each integer operator
// and conversion means, computed exactly with bigint and converted back (≤32-bit kinds are
// JavaScript numbers, 64-bit kinds bigints, as in TypeScript). Written from the document,
// independently of keelc's lowering and emitters. Self-contained (no imports): the runner
// transpiles this file into every program's runtime module, which passes in the program's
// own console writer and qemuExit.

/** An integer kind of the subset. */
export type Kind = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64";

/** Width, signedness and range of a kind. */
export function kindInfo(kind: Kind): { bits: number; signed: boolean; big: boolean; min: bigint; max: bigint } {
  const bits = Number(kind.slice(1));
  const signed = kind[0] === "i";
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  return { bits, signed, big: bits === 64, min, max };
}

type Int = number | bigint;

/** The helpers a transformed program calls (as `__k.<name>`). */
export function makeRuntime(writeByte: (b: number) => void, qemuExit: (code: number) => never) {
  const infos = new Map<string, ReturnType<typeof kindInfo>>();
  const info = (kind: Kind) => {
    let i = infos.get(kind);
    if (!i) infos.set(kind, (i = kindInfo(kind)));
    return i;
  };
  const fits = (kind: Kind, v: bigint) => v >= info(kind).min && v <= info(kind).max;
  const back = (kind: Kind, v: bigint): Int => (info(kind).big ? v : Number(v));
  const wrapTo = (kind: Kind, v: bigint): bigint => (info(kind).signed ? BigInt.asIntN(info(kind).bits, v) : BigInt.asUintN(info(kind).bits, v));

  /** A failed check: the panic line every execution prints, then the panic exit. */
  function fail(loc: string, what: string): never {
    for (const b of new TextEncoder().encode(`panic at ${loc}: ${what}\n`)) writeByte(b);
    return qemuExit(1);
  }

  function bin(op: string, kind: Kind, a: Int, b: Int, loc: string): Int {
    const A = BigInt(a);
    const B = BigInt(b);
    const overflow = (v: bigint): Int => (fits(kind, v) ? back(kind, v) : fail(loc, `integer overflow in ${op} (${kind})`));
    switch (op) {
      case "+":
        return overflow(A + B);
      case "-":
        return overflow(A - B);
      case "*":
        return overflow(A * B);
      case "/":
      case "%":
        if (B === 0n) return fail(loc, op === "/" ? "division by zero" : "remainder by zero");
        if (info(kind).signed && A === info(kind).min && B === -1n) return fail(loc, `integer overflow in ${op} (${kind})`);
        return back(kind, op === "/" ? A / B : A % B); // bigint division truncates toward zero
      case "<<":
      case ">>":
        if (B < 0n || B >= BigInt(info(kind).bits)) return fail(loc, `shift count out of range for ${kind}`);
        // `<<` is checked like `*` by 2^count (docs/subset.md); `>>` is exact (logical on unsigned, as A >= 0).
        return op === "<<" ? overflow(A << B) : back(kind, A >> B);
      case "&":
        return back(kind, A & B);
      case "|":
        return back(kind, A | B);
      case "^":
        return back(kind, A ^ B);
    }
    throw new Error(`oracle: unknown operator ${op}`);
  }

  return {
    bin,
    /** Checked negation. */
    neg(kind: Kind, a: Int, loc: string): Int {
      const v = -BigInt(a);
      return fits(kind, v) ? back(kind, v) : fail(loc, `integer overflow in negation (${kind})`);
    },
    /** `~a`, exact for the width. */
    not(kind: Kind, a: Int): Int {
      return back(kind, wrapTo(kind, ~BigInt(a)));
    },
    /** Checked conversion u8(x) … i64(x). */
    conv(to: Kind, x: Int, loc: string): Int {
      const v = BigInt(x);
      return fits(to, v) ? back(to, v) : fail(loc, `value does not fit in ${to}`);
    },
    /** Truncating conversion truncU8(x) …: the low bits. */
    trunc(to: Kind, x: Int): Int {
      return back(to, wrapTo(to, BigInt(x)));
    },
    /** wrappingAdd/Sub/Mul: modulo 2^width of the operands' kind. */
    wrap(op: string, kind: Kind, a: Int, b: Int): Int {
      const A = BigInt(a);
      const B = BigInt(b);
      return back(kind, wrapTo(kind, op === "+" ? A + B : op === "-" ? A - B : A * B));
    },
    /** Bounds-checked array read. */
    at<T>(a: T[], i: number, loc: string): T {
      if (!(i < a.length)) fail(loc, "array index out of bounds");
      return a[i]!;
    },
    /** Bounds-checked array write (after the value was evaluated, as JavaScript). */
    set<T>(a: T[], i: number, v: T, loc: string): T {
      if (!(i < a.length)) fail(loc, "array index out of bounds");
      return (a[i] = v);
    },
    /** panic(msg): the message with the location of the call, then the panic exit. */
    panic(loc: string, text: string): never {
      return fail(loc, text);
    },
  };
}

/** The helpers' type, for the runner. */
export type Runtime = ReturnType<typeof makeRuntime>;
