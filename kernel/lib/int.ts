// Integer types of the Keel subset (docs/subset.md). keelc reads these annotations
// syntactically (TypeScript erases primitive aliases) and treats the functions below as
// built-ins; their bodies here are what Node runs, and must agree with the C backend.
import { panic } from "./panic";

/** Unsigned 8-bit integer (`uint8_t`). */
export type u8 = number;
/** Unsigned 16-bit integer (`uint16_t`). */
export type u16 = number;
/** Unsigned 32-bit integer (`uint32_t`). */
export type u32 = number;
/** Signed 8-bit integer (`int8_t`). */
export type i8 = number;
/** Signed 16-bit integer (`int16_t`). */
export type i16 = number;
/** Signed 32-bit integer (`int32_t`). */
export type i32 = number;
/** Unsigned 64-bit integer (`uint64_t`), exact as a bigint. */
export type u64 = bigint;
/** Signed 64-bit integer (`int64_t`), exact as a bigint. */
export type i64 = bigint;
/** Pointer-sized unsigned integer: the same Keel type as `u64`. */
export type usize = bigint;
/** Boolean (`bool`). */
export type bool = boolean;

/** Any integer value, for the conversion functions. */
type AnyInt = number | bigint;

function fits(x: AnyInt, lo: bigint, hi: bigint, what: string): bigint {
  const v = BigInt(x);
  if (v < lo || v > hi) panic(`${what}: ${v} does not fit`);
  return v;
}

/** Checked conversion to u8. */
export function u8(x: AnyInt): u8 { return Number(fits(x, 0n, 0xffn, "u8")); }
/** Checked conversion to u16. */
export function u16(x: AnyInt): u16 { return Number(fits(x, 0n, 0xffffn, "u16")); }
/** Checked conversion to u32. */
export function u32(x: AnyInt): u32 { return Number(fits(x, 0n, 0xffff_ffffn, "u32")); }
/** Checked conversion to i8. */
export function i8(x: AnyInt): i8 { return Number(fits(x, -0x80n, 0x7fn, "i8")); }
/** Checked conversion to i16. */
export function i16(x: AnyInt): i16 { return Number(fits(x, -0x8000n, 0x7fffn, "i16")); }
/** Checked conversion to i32. */
export function i32(x: AnyInt): i32 { return Number(fits(x, -0x8000_0000n, 0x7fff_ffffn, "i32")); }
/** Checked conversion to u64. */
export function u64(x: AnyInt): u64 { return fits(x, 0n, 0xffff_ffff_ffff_ffffn, "u64"); }
/** Checked conversion to i64. */
export function i64(x: AnyInt): i64 { return fits(x, -(1n << 63n), (1n << 63n) - 1n, "i64"); }
/** Checked conversion to usize. */
export function usize(x: AnyInt): usize { return u64(x); }

/** Keeps the low 8 bits. */
export function truncU8(x: AnyInt): u8 { return Number(BigInt(x) & 0xffn); }
/** Keeps the low 16 bits. */
export function truncU16(x: AnyInt): u16 { return Number(BigInt(x) & 0xffffn); }
/** Keeps the low 32 bits. */
export function truncU32(x: AnyInt): u32 { return Number(BigInt(x) & 0xffff_ffffn); }

// Wrapping arithmetic: explicit, because the ordinary operators panic on overflow. keelc
// takes the width from the operands; run as written, Node wraps bigint at 64 bits and
// number at 32 bits (so as-written Node is exact for u64 and u32).
const MASK64 = 0xffff_ffff_ffff_ffffn;
function wrap<T extends number | bigint>(a: T, b: T, op: (x: bigint, y: bigint) => bigint): T {
  if (typeof a === "bigint") return (op(a, b as bigint) & MASK64) as T;
  return Number(op(BigInt(a), BigInt(b)) & 0xffff_ffffn) as T;
}

/** a + b modulo 2^width. */
export function wrappingAdd<T extends number | bigint>(a: T, b: T): T { return wrap(a, b, (x, y) => x + y); }
/** a - b modulo 2^width. */
export function wrappingSub<T extends number | bigint>(a: T, b: T): T { return wrap(a, b, (x, y) => x - y); }
/** a * b modulo 2^width. */
export function wrappingMul<T extends number | bigint>(a: T, b: T): T { return wrap(a, b, (x, y) => x * y); }
