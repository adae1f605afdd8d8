// Random arithmetic expression programs for the differential tests (fast-check arbitraries):
// random widths, every operator, wrapping ops, checked and truncating conversions,
// comparisons under ?:, literals including the edge values. The model evaluates each
// expression; a program prints many expressions that do not panic, then ends with one that
// panics, so a few gcc runs cover hundreds of expressions.
//
// C leaves the evaluation order of operands unspecified (see known/eval_order.ts): an
// expression in which two different operations could fail first is order-dependent, so
// the generator keeps only expressions with at most one reachable failure.
import { ts } from "ts-morph";
import fc from "fast-check";
import * as path from "node:path";
import type { IntKind } from "../../compiler/src/ir";
import * as M from "./model";

export type RExpr =
  | { k: "var"; kind: IntKind; v: bigint }
  | { k: "lit"; kind: IntKind; v: bigint }
  | { k: "bin"; kind: IntKind; op: M.ArithOp; l: RExpr; r: RExpr }
  | { k: "wrap"; kind: IntKind; op: M.WrapOp; l: RExpr; r: RExpr }
  | { k: "un"; kind: IntKind; op: "~" | "neg"; x: RExpr }
  | { k: "conv"; kind: IntKind; fn: string; x: RExpr }
  | { k: "cond"; kind: IntKind; op: "<" | "<=" | ">" | ">=" | "===" | "!=="; cl: RExpr; cr: RExpr; a: RExpr; b: RExpr };

const ARITH: M.ArithOp[] = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"];
const WRAPS: M.WrapOp[] = ["wrappingAdd", "wrappingSub", "wrappingMul"];
const CMPS = ["<", "<=", ">", ">=", "===", "!=="] as const;

/** Values of a kind: mostly edges and small numbers, sometimes anything in range. */
function valueOf(kind: IntKind): fc.Arbitrary<bigint> {
  const i = M.info(kind);
  const bits = BigInt(i.bits);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...M.edgeValues(kind)) },
    { weight: 2, arbitrary: fc.bigInt({ min: i.signed ? -16n : 0n, max: 16n }) },
    { weight: 1, arbitrary: fc.constantFrom(bits - 1n, bits, bits / 2n) },
    { weight: 2, arbitrary: fc.bigInt({ min: i.min, max: i.max }) },
  );
}

const cache = new Map<string, fc.Arbitrary<RExpr>>();

/** Expressions of a kind up to a depth (arbitraries are immutable: built once, reused). */
function exprOf(kind: IntKind, depth: number): fc.Arbitrary<RExpr> {
  const key = `${kind}:${Math.max(depth, 0)}`;
  let arb = cache.get(key);
  if (!arb) cache.set(key, (arb = makeExprOf(kind, depth)));
  return arb;
}

function makeExprOf(kind: IntKind, depth: number): fc.Arbitrary<RExpr> {
  const leaf: fc.Arbitrary<RExpr> = valueOf(kind).map((v) => ({ k: "var", kind, v }));
  if (depth <= 0) return leaf;
  const sub = () => exprOf(kind, depth - 1);
  const anyKind = fc.constantFrom(...M.KINDS);
  const lit = valueOf(kind).map((v): RExpr => ({ k: "lit", kind, v }));
  const right = fc.oneof({ weight: 3, arbitrary: sub() }, { weight: 1, arbitrary: lit });
  const options: fc.WeightedArbitrary<RExpr>[] = [
    { weight: 3, arbitrary: leaf },
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...ARITH), sub(), right).map(([op, l, r]): RExpr => ({ k: "bin", kind, op, l, r })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...WRAPS), sub(), sub()).map(([op, l, r]): RExpr => ({ k: "wrap", kind, op, l, r })) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom<"~" | "neg">(...(M.info(kind).signed ? (["~", "neg"] as const) : (["~"] as const))), sub()).map(([op, x]): RExpr => ({ k: "un", kind, op, x })),
    },
    {
      weight: 3,
      arbitrary: anyKind.chain((from) => exprOf(from, depth - 1)).chain((x) => {
        const fns = [kind as string];
        for (const [fn, to] of Object.entries(M.TRUNCS)) if (to === kind) fns.push(fn);
        return fc.constantFrom(...fns).map((fn): RExpr => ({ k: "conv", kind, fn, x }));
      }),
    },
    {
      weight: 1,
      arbitrary: anyKind.chain((ck) =>
        fc.tuple(fc.constantFrom(...CMPS), exprOf(ck, depth - 2), exprOf(ck, depth - 2), sub(), sub()).map(([op, cl, cr, a, b]): RExpr => ({ k: "cond", kind, op, cl, cr, a, b })),
      ),
    },
  ];
  return fc.oneof(...options);
}

/** A random expression of a random kind. */
export function exprArb(depth = 4): fc.Arbitrary<RExpr> {
  return fc.constantFrom(...M.KINDS).chain((k) => exprOf(k, depth));
}

/** Model evaluation: the value, or the failures reachable first under some evaluation order. */
type Eval = { ok: true; v: bigint } | { ok: false; fails: { node: RExpr; what: string }[] };

export function evaluate(e: RExpr): Eval {
  const both = (l: Eval, r: Eval, f: (a: bigint, b: bigint) => bigint | M.ModelPanic): Eval => {
    if (!l.ok || !r.ok) return { ok: false, fails: [...(l.ok ? [] : l.fails), ...(r.ok ? [] : r.fails)] };
    const v = f(l.v, r.v);
    return v instanceof M.ModelPanic ? { ok: false, fails: [{ node: e, what: v.what }] } : { ok: true, v };
  };
  switch (e.k) {
    case "var":
    case "lit":
      return { ok: true, v: e.v };
    case "bin":
      return both(evaluate(e.l), evaluate(e.r), (a, b) => M.binop(e.op, e.kind, a, b));
    case "wrap":
      return both(evaluate(e.l), evaluate(e.r), (a, b) => M.wrapping(e.op, e.kind, a, b));
    case "un":
      return both(evaluate(e.x), { ok: true, v: 0n }, (a) => (e.op === "~" ? M.bitnot(e.kind, a) : M.neg(e.kind, a)));
    case "conv":
      return both(evaluate(e.x), { ok: true, v: 0n }, (a) => (e.fn in M.TRUNCS ? M.wrapTo(e.kind, a) : M.convChecked(e.kind, a)));
    case "cond": {
      const c = both(evaluate(e.cl), evaluate(e.cr), (a, b) => {
        const t = e.op === "<" ? a < b : e.op === "<=" ? a <= b : e.op === ">" ? a > b : e.op === ">=" ? a >= b : e.op === "===" ? a === b : a !== b;
        return t ? 1n : 0n;
      });
      if (!c.ok) return c;
      return evaluate(c.v === 1n ? e.a : e.b);
    }
  }
}

const big = (_k: string, v: unknown) => (typeof v === "bigint" ? `${v}n` : v);

/** False when the expression has a literal where keelc cannot type it, a checked conversion
 *  keelc would fold (a literal argument), or a comparison of an expression with itself. */
function litOk(e: RExpr): boolean {
  switch (e.k) {
    case "var":
    case "lit":
      return true;
    case "bin":
    case "wrap":
      return e.l.k !== "lit" && litOk(e.l) && litOk(e.r);
    case "un":
      return e.x.k !== "lit" && litOk(e.x);
    case "conv":
      return e.x.k !== "lit" && litOk(e.x);
    case "cond":
      // Comparing an expression with itself trips gcc's -Wtautological-compare (known/).
      if (JSON.stringify(e.cl, big) === JSON.stringify(e.cr, big)) return false;
      // So does comparing `~x` of a u8/u16 (-Wsign-compare, see known/compare_bitnot_u16.ts).
      if ([e.cl, e.cr].some((x) => x.k === "un" && x.op === "~" && (x.kind === "u8" || x.kind === "u16"))) return false;
      return e.cl.k !== "lit" && [e.cl, e.cr, e.a, e.b].every(litOk) && e.a.k !== "lit" && e.b.k !== "lit";
  }
}

/** True when TypeScript parses `text` as one expression with no type arguments anywhere. */
function parsesAsExpression(text: string): boolean {
  const sf = ts.createSourceFile("x.ts", `const x = ${text};`, ts.ScriptTarget.ES2022, true);
  const diagnostics = (sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics;
  let typeArguments = false;
  const visit = (n: ts.Node): void => {
    if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && n.typeArguments) typeArguments = true;
    if (ts.isExpressionWithTypeArguments(n) && n.typeArguments) typeArguments = true;
    n.forEachChild(visit);
  };
  visit(sf);
  return diagnostics.length === 0 && !typeArguments;
}

/** Renders programs: module-level variables for the values, kernelMain printing each. */
export class RandomProgram {
  private readonly globals = new Map<string, string>();
  private readonly lines: string[] = [];
  readonly expected: string[] = [];
  panic: { line: number; what: string } | null = null;
  count = 0;

  private name(kind: IntKind, v: bigint): string {
    const n = `${kind}_${v < 0n ? "m" + -v : v}`;
    if (!this.globals.has(n)) this.globals.set(n, `let ${n}: ${kind} = ${M.tsLit(kind, v)};`);
    return n;
  }

  render(e: RExpr): string {
    switch (e.k) {
      case "var":
        return this.name(e.kind, e.v);
      case "lit":
        return M.tsLit(e.kind, e.v);
      case "bin":
        return `(${this.render(e.l)} ${e.op} ${this.render(e.r)})`;
      case "wrap":
        return `${e.op}(${this.render(e.l)}, ${this.render(e.r)})`;
      case "un":
        return e.op === "~" ? `(~${this.render(e.x)})` : `(-${this.render(e.x)})`;
      case "conv":
        return `${e.fn}(${this.render(e.x)})`;
      case "cond":
        return `(${this.render(e.cl)} ${e.op} ${this.render(e.cr)} ? ${this.render(e.a)} : ${this.render(e.b)})`;
    }
  }

  /** Adds an expression if it is usable; returns whether it was added. */
  add(e: RExpr): boolean {
    if (!litOk(e)) return false;
    // Some operator sequences read as type arguments to TypeScript (`a << (b) > (c)` is the
    // generic call `a<(b)>(c)`); such an expression is not the program we meant to write.
    if (!parsesAsExpression(this.render(e))) return false;
    const r = evaluate(e);
    if (!r.ok && (this.panic || r.fails.length !== 1)) return false;
    const hexed = this.count % 5 === 4;
    this.lines.push(`  println(\`${hexed ? `\${hex(${this.render(e)})}` : `\${${this.render(e)}}`}\`);`);
    this.count++;
    if (r.ok) this.expected.push(hexed ? M.hexOf(r.v) : M.dec(r.v));
    else this.panic = { line: this.lines.length, what: r.fails[0]!.what };
    return true;
  }

  private header(): string[] {
    return [
      `import { u8, u16, u32, u64, i8, i16, i32, i64, truncU8, truncU16, truncU32, wrappingAdd, wrappingSub, wrappingMul } from "../../../kernel/lib/int";`,
      `import { println } from "../../../kernel/lib/console";`,
      `import { hex } from "../../../kernel/lib/fmt";`,
      `import { serialInit } from "../../../kernel/arch/x86_64/serial";`,
      "// Random expressions (test/differential/random_exprs.ts).",
      ...this.globals.values(),
      "export function kernelMain(bootInfo: u64): void {",
      "  serialInit();",
    ];
  }

  source(): string {
    return [...this.header(), ...this.lines, "}", ""].join("\n");
  }

  /** The final panic: its source line and message. */
  expectedPanic(): { line: number; what: string } | null {
    return this.panic && { line: this.header().length + this.panic.line, what: this.panic.what };
  }

  expectedStdout(): string {
    return this.expected.map((l) => l + "\n").join("");
  }
}

export const RANDOM_DIR = path.join("build", "differential", "random");
