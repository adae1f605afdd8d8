// Table-driven differential programs: for every integer kind, every operator over pairs
// of edge values (0, 1, 2^31, 2^32, 2^53+1, 2^63, 2^64-1, min, max, … where in range),
// every conversion, and one program per way each operation can panic. The reference model
// (model.ts) says which cases panic and what the others print, so each generated program
// also has an expected output, checked next to the C-vs-JS comparison.
//
// Values live in module-level `let`s, so gcc cannot constant-fold the checks away: the
// native run executes the real helpers.
import * as fs from "node:fs";
import * as path from "node:path";
import type { IntKind } from "../../compiler/src/ir";
import * as M from "./model";

export interface GenProgram {
  name: string;
  /** Path of the .ts file, relative to the repository root. */
  file: string;
  source: string;
  /** Model's expected stdout of a program that does not panic. */
  stdout?: string;
  /** Model's expected panic (the program's last output line), for panicking programs. */
  panic?: { line: number; what: string };
}

export const GEN_DIR = path.join("build", "differential", "gen");
const LIB = "../../../kernel/lib";

const HEADER = [
  `import { u8, u16, u32, u64, i8, i16, i32, i64, truncU8, truncU16, truncU32, wrappingAdd, wrappingSub, wrappingMul } from "${LIB}/int";`,
  `import { println } from "${LIB}/console";`,
  `import { hex } from "${LIB}/fmt";`,
  `import { serialInit } from "../../../kernel/arch/x86_64/serial";`,
];

/** At most `n` values spread over the list (always keeping both ends). */
function spread<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (n - 1))]!);
  return [...new Set(out)];
}

/** Builds one program: globals holding values, then kernelMain's body lines. */
class Builder {
  private readonly globals: string[] = [];
  private readonly names = new Map<string, string>();
  readonly body: string[] = [];
  readonly expected: string[] = [];

  /** A module-level variable holding `v` of `kind`. */
  value(kind: IntKind, v: bigint): string {
    const key = `${kind}:${v}`;
    let name = this.names.get(key);
    if (!name) {
      name = `${kind}_${v < 0n ? "m" + -v : v}`;
      this.names.set(key, name);
      this.globals.push(`let ${name}: ${kind} = ${M.tsLit(kind, v)};`);
    }
    return name;
  }

  /** Adds a println of `expr` whose model output is `expect`; returns its 1-based line. */
  line(template: string, expect: string): void {
    this.body.push(`  println(\`${template}\`);`);
    this.expected.push(expect);
  }

  /** Line number (in the final source) of body line `i`. */
  lineOf(i: number): number {
    return HEADER.length + 1 + this.globals.length + 2 + i + 1;
  }

  source(comment: string): string {
    return [...HEADER, `// ${comment}`, ...this.globals, "export function kernelMain(bootInfo: u64): void {", "  serialInit();", ...this.body, "}", ""].join("\n");
  }
}

function program(name: string, b: Builder, comment: string, extra: Partial<GenProgram>): GenProgram {
  const file = path.join(GEN_DIR, `${name}.ts`).split(path.sep).join("/");
  return { name, file, source: b.source(comment), ...extra };
}

type Case = { template: (a: string, b: string) => string; eval: (a: bigint, b: bigint) => bigint | M.ModelPanic | string; op: string };

function casesFor(kind: IntKind, group: string): Case[] {
  const i = M.info(kind);
  const bin = (op: M.ArithOp): Case => ({ op, template: (a, b) => `\${${a} ${op} ${b}}`, eval: (a, b) => M.binop(op, kind, a, b) });
  const wrap = (op: M.WrapOp): Case => ({ op, template: (a, b) => `\${${op}(${a}, ${b})}`, eval: (a, b) => M.wrapping(op, kind, a, b) });
  switch (group) {
    case "add_sub":
      return [bin("+"), bin("-"), wrap("wrappingAdd"), wrap("wrappingSub")];
    case "mul":
      return [bin("*"), wrap("wrappingMul")];
    case "div_rem":
      return [bin("/"), bin("%")];
    case "shift":
      return [bin("<<"), bin(">>")];
    case "bits": {
      const cs = [bin("&"), bin("|"), bin("^")];
      cs.push({ op: "~", template: (a) => `\${~${a}}`, eval: (a) => M.bitnot(kind, a) });
      if (i.signed) cs.push({ op: "neg", template: (a) => `\${-${a}}`, eval: (a) => M.neg(kind, a) });
      return cs;
    }
    case "cmp":
      return [
        {
          op: "cmp",
          template: (a, b) => `\${${a} < ${b}} \${${a} <= ${b}} \${${a} > ${b}} \${${a} >= ${b}} \${${a} === ${b}} \${${a} !== ${b}} \${hex(${a})}`,
          eval: (a, b) => `${a < b} ${a <= b} ${a > b} ${a >= b} ${a === b} ${a !== b} ${M.hexOf(a)}`,
        },
      ];
  }
  throw new Error(group);
}

function pairsFor(kind: IntKind, group: string): [bigint, bigint][] {
  const edges = spread(M.edgeValues(kind), group === "cmp" ? 9 : 12);
  const bits = BigInt(M.info(kind).bits);
  const rights = group === "shift" ? [0n, 1n, bits / 2n - 1n, bits - 1n, bits, ...(M.info(kind).signed ? [-1n] : [])] : edges;
  const out: [bigint, bigint][] = [];
  // Comparing a variable with itself trips gcc's -Wtautological-compare (see known/).
  for (const a of edges) for (const b of rights) if (group !== "cmp" || a !== b) out.push([a, b]);
  return out;
}

const show = (v: bigint | string) => (typeof v === "string" ? v : M.dec(v));

/** All generated programs. */
export function generatePrograms(): GenProgram[] {
  const out: GenProgram[] = [];
  for (const kind of M.KINDS) {
    for (const group of ["add_sub", "mul", "div_rem", "shift", "bits", "cmp"]) {
      const ok = new Builder();
      const panics = new Map<string, [bigint, bigint, Case]>();
      for (const c of casesFor(kind, group)) {
        for (const [a, b] of pairsFor(kind, group)) {
          if (c.op === "~" || c.op === "neg") {
            if (b !== pairsFor(kind, group)[0]![1]) continue; // unary: once per a
          }
          const r = c.eval(a, b);
          if (r instanceof M.ModelPanic) {
            const key = `${c.op}: ${r.what}`;
            if (!panics.has(key)) panics.set(key, [a, b, c]);
            continue;
          }
          ok.line(c.template(ok.value(kind, a), ok.value(kind, b)), show(r));
        }
      }
      out.push(program(`ops_${kind}_${group}`, ok, `${group} of ${kind} over edge values`, { stdout: ok.expected.map((l) => l + "\n").join("") }));
      // One program per way to panic, plus shifts by exactly the width.
      const bits = BigInt(M.info(kind).bits);
      if (group === "shift") {
        for (const c of casesFor(kind, group)) panics.set(`${c.op}: by width`, [1n, bits, c]);
      }
      let n = 0;
      for (const [key, [a, b, c]] of panics) {
        const p = new Builder();
        p.line(`start`, "start");
        const r = c.eval(a, b) as M.ModelPanic;
        p.line(c.template(p.value(kind, a), p.value(kind, b)), "");
        p.line(`not reached`, "");
        out.push(program(`panic_${kind}_${group}_${n++}`, p, `${kind} ${key}`, { panic: { line: p.lineOf(1), what: r.what } }));
      }
    }
  }
  // Conversions: every edge value of every kind to every kind, checked (where it fits)
  // and truncating; then one panicking program per pair that can fail.
  for (const from of M.KINDS) {
    const ok = new Builder();
    for (const v of M.edgeValues(from)) {
      const name = ok.value(from, v);
      for (const to of M.KINDS) {
        if (M.fits(to, v)) ok.line(`\${${M.convName(to)}(${name})}`, M.dec(v));
      }
      for (const [fn, to] of Object.entries(M.TRUNCS)) ok.line(`\${${fn}(${name})}`, M.dec(M.wrapTo(to, v)));
    }
    out.push(program(`conv_${from}`, ok, `conversions from ${from}`, { stdout: ok.expected.map((l) => l + "\n").join("") }));
    for (const to of M.KINDS) {
      const bad = M.edgeValues(from).find((v) => !M.fits(to, v));
      if (bad === undefined) continue;
      const p = new Builder();
      p.line("start", "start");
      p.line(`\${${M.convName(to)}(${p.value(from, bad)})}`, "");
      out.push(program(`panic_conv_${from}_${to}`, p, `${to}(${bad}: ${from}) does not fit`, { panic: { line: p.lineOf(1), what: `value does not fit in ${to}` } }));
    }
  }
  return out;
}

/** Writes the programs (only files whose text changed). */
export function writePrograms(programs: GenProgram[]): void {
  fs.mkdirSync(GEN_DIR, { recursive: true });
  for (const p of programs) {
    if (!fs.existsSync(p.file) || fs.readFileSync(p.file, "utf8") !== p.source) fs.writeFileSync(p.file, p.source);
  }
}
