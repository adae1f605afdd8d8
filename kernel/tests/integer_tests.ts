// In-kernel tests of integer semantics: what the C backend must do exactly like Node.
import { truncU32, u64, wrappingAdd, wrappingMul, wrappingSub, type u32 } from "../lib/int";
import { expect, expectEqU32, expectEqU64 } from "../lib/ktap";

/** u64 arithmetic is exact above 2^53, where a JavaScript number would round. */
export function testU64ExactAbove2To53(): void {
  const big: u64 = 0x20_0000_0000_0001n; // 2^53 + 1
  expectEqU64(big + 1n, 0x20_0000_0000_0002n, "2^53 + 1 + 1");
  expectEqU64(big * 3n, 0x60_0000_0000_0003n, "(2^53 + 1) * 3");
  const top: u64 = 0xffff_ffff_ffff_fffen;
  expectEqU64(top + 1n, 0xffff_ffff_ffff_ffffn, "2^64 - 2 + 1");
}

/** Bit operations on u64 use all 64 bits. */
export function testU64BitOperations(): void {
  const x: u64 = 0x8000_0000_0000_0001n;
  expectEqU64(x >> 63n, 1n, "logical shift right of the top bit");
  expectEqU64(~x, 0x7fff_ffff_ffff_fffen, "bitwise not stays in 64 bits");
  expectEqU64(x & 0xffn, 1n, "and");
  expectEqU64(x | 0x10n, 0x8000_0000_0000_0011n, "or");
  expectEqU64(x ^ x, 0n, "xor");
  expectEqU64(1n << 63n, 0x8000_0000_0000_0000n, "shift into the top bit");
}

/** Wrapping operations wrap at the width; checked ones never do. */
export function testWrappingArithmetic(): void {
  const max: u64 = 0xffff_ffff_ffff_ffffn;
  expectEqU64(wrappingAdd(max, 2n), 1n, "u64 wrapping add");
  expectEqU64(wrappingSub(0n, 1n), max, "u64 wrapping sub");
  expectEqU64(wrappingMul(0x1_0000_0000n, 0x1_0000_0000n), 0n, "u64 wrapping mul");
  const m32: u32 = 0xffff_ffff;
  expectEqU32(wrappingAdd(m32, 1), 0, "u32 wrapping add");
}

/** u32 division truncates and explicit conversions keep exact values. */
export function testU32DivisionAndConversions(): void {
  const seven: u32 = 7;
  expectEqU32(seven / 2, 3, "7 / 2");
  expectEqU32(seven % 4, 3, "7 % 4");
  expectEqU64(u64(seven) << 32n, 0x7_0000_0000n, "widening before a shift");
  expectEqU32(truncU32(0x1_2345_6789n), 0x2345_6789, "truncation keeps the low 32 bits");
  expect(seven > 6 && !(seven < 7), "comparisons");
}
