// Constant folding of module-level integer constants (`1n << 52n`, `A | B`): the lowering
// replaces such an initialiser by its value, so C gets a `static const` gcc folds into every
// use instead of a global set by the module init and loaded at each use. An operation that
// would panic (overflow, division by zero, a shift out of range) is not folded: it stays at
// run time, where it panics as written.
import type { Expr, IntKind } from "./ir";
import { intInfo } from "./types";

/** The value `v` takes in `kind` when arithmetic wraps (two's complement). */
function wrapTo(v: bigint, kind: IntKind): bigint {
  const { bits, signed } = intInfo(kind);
  return signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

/**
 * The value of an integer expression made of literals, folded constants (`consts`, by C
 * name) and operators, or null when it is not one or an operation would fail at run time
 * (overflow, division by zero, a shift out of range): that is left to run time, where it
 * panics as written.
 */
export function foldInt(x: Expr, consts: Map<string, bigint>): bigint | null {
  switch (x.e) {
    case "int":
      return x.value;
    case "global":
      return consts.get(x.cname) ?? null;
    case "conv": {
      const v = foldInt(x.x, consts);
      if (v === null) return null;
      const { min, max } = intInfo(x.ty.kind);
      if (v >= min && v <= max) return v;
      return x.checked ? null : wrapTo(v, x.ty.kind);
    }
    case "bitnot": {
      const v = foldInt(x.x, consts);
      return v === null ? null : wrapTo(~v, x.ty.kind);
    }
    case "bin": {
      const l = foldInt(x.l, consts);
      const r = foldInt(x.r, consts);
      if (l === null || r === null) return null;
      const { bits, min, max } = intInfo(x.ty.kind);
      let v: bigint;
      switch (x.op) {
        case "+": v = l + r; break;
        case "-": v = l - r; break;
        case "*": v = l * r; break;
        case "/": if (r === 0n) return null; v = l / r; break;
        case "%": if (r === 0n) return null; v = l % r; break;
        case "<<": if (r < 0n || r >= BigInt(bits) || l < 0n) return null; v = l << r; break;
        case ">>": if (r < 0n || r >= BigInt(bits) || l < 0n) return null; v = l >> r; break;
        case "&": v = l & r; break;
        case "|": v = l | r; break;
        case "^": v = l ^ r; break;
      }
      if (v >= min && v <= max) return v;
      return x.wrapping ? wrapTo(v, x.ty.kind) : null;
    }
    default:
      return null;
  }
}

