// A reference model of Keel integer semantics (docs/subset.md), written independently of
// both backends with plain bigint arithmetic. The generated differential programs use it to
// know which cases panic (a panic ends a program, so panicking cases get programs of their
// own) and what every non-panicking case prints: a third opinion next to C and JavaScript.
import type { IntKind } from "../../compiler/src/ir";

export const KINDS: readonly IntKind[] = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];

export interface KindInfo {
  bits: number;
  signed: boolean;
  min: bigint;
  max: bigint;
  big: boolean;
}

export function info(kind: IntKind): KindInfo {
  const bits = Number(kind.slice(1));
  const signed = kind[0] === "i";
  return {
    bits,
    signed,
    min: signed ? -(1n << BigInt(bits - 1)) : 0n,
    max: signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n,
    big: bits === 64,
  };
}

/** Reduces v modulo 2^bits into the kind's range (a C cast). */
export function wrapTo(kind: IntKind, v: bigint): bigint {
  const { bits, signed } = info(kind);
  return signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

export function fits(kind: IntKind, v: bigint): boolean {
  const i = info(kind);
  return v >= i.min && v <= i.max;
}

/** Interesting values of a kind: the edges the issue names, where they are in range. */
export function edgeValues(kind: IntKind): bigint[] {
  const i = info(kind);
  const cands = [
    0n, 1n, 2n, 3n, 7n, 10n, 100n, 127n, 128n, 255n, 256n, 0x7fffn, 0x8000n, 0xffffn,
    1n << 31n, (1n << 31n) - 1n, 1n << 32n, (1n << 32n) - 1n, (1n << 53n) + 1n, 1n << 63n, (1n << 64n) - 1n, 0x5555_5555_5555_5555n,
    -1n, -2n, -7n, -100n, -128n, -129n, -(1n << 31n), -(1n << 53n) - 1n,
    i.min, i.min + 1n, i.max, i.max - 1n, i.max / 2n, i.max / 3n,
  ];
  return [...new Set(cands.filter((v) => fits(kind, v)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A panic: the message after `panic at LOC: `. */
export class ModelPanic {
  constructor(readonly what: string) {}
}

export type ArithOp = "+" | "-" | "*" | "/" | "%" | "<<" | ">>" | "&" | "|" | "^";
export type WrapOp = "wrappingAdd" | "wrappingSub" | "wrappingMul";

/** A checked (or exact) binary operation; a ModelPanic when the C helper would fail. */
export function binop(op: ArithOp, kind: IntKind, a: bigint, b: bigint): bigint | ModelPanic {
  const i = info(kind);
  const overflow = (v: bigint) => (fits(kind, v) ? v : new ModelPanic(`integer overflow in ${op} (${kind})`));
  switch (op) {
    case "+":
      return overflow(a + b);
    case "-":
      return overflow(a - b);
    case "*":
      return overflow(a * b);
    case "/":
    case "%":
      if (b === 0n) return new ModelPanic(`${op === "/" ? "division" : "remainder"} by zero`);
      if (i.signed && a === i.min && b === -1n) return new ModelPanic(`integer overflow in ${op} (${kind})`);
      return op === "/" ? a / b : a % b; // bigint division truncates toward zero, as C
    case "<<":
    case ">>":
      if (b < 0n || b >= BigInt(i.bits)) return new ModelPanic(`shift count out of range for ${kind}`);
      // `<<` is checked like `*` (no bits lost); `>>` is arithmetic for signed, logical for unsigned (a >= 0).
      return op === "<<" ? overflow(a << b) : a >> b;
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
  }
}

export function wrapping(op: WrapOp, kind: IntKind, a: bigint, b: bigint): bigint {
  const v = op === "wrappingAdd" ? a + b : op === "wrappingSub" ? a - b : a * b;
  return wrapTo(kind, v);
}

export function neg(kind: IntKind, a: bigint): bigint | ModelPanic {
  return a === info(kind).min ? new ModelPanic(`integer overflow in negation (${kind})`) : -a;
}

export function bitnot(kind: IntKind, a: bigint): bigint {
  return wrapTo(kind, ~a);
}

/** Checked conversion u8(x), i64(x), …  */
export function convChecked(to: IntKind, a: bigint): bigint | ModelPanic {
  return fits(to, a) ? a : new ModelPanic(`value does not fit in ${to}`);
}

/** The name of the checked conversion function to a kind. */
export function convName(to: IntKind): string {
  return to;
}

/** Truncating conversions and their target kinds. */
export const TRUNCS: Record<string, IntKind> = { truncU8: "u8", truncU16: "u16", truncU32: "u32" };

/** TypeScript literal of a value of a kind (bigint literal for 64-bit kinds). */
export function tsLit(kind: IntKind, v: bigint): string {
  const s = v < 0n ? `-${-v}` : String(v);
  return info(kind).big ? `${s}n` : s;
}

/** What `${x}` prints. */
export function dec(v: bigint): string {
  return v.toString();
}

/** What `${hex(x)}` prints: sign and magnitude in hex, as JavaScript does (-0x80). */
export function hexOf(v: bigint): string {
  return v < 0n ? "-0x" + (-v).toString(16) : "0x" + v.toString(16);
}
