// Random whole programs for the differential tests (Csmith/YARPGen style, seeded PRNG of
// our own): each program is two modules (state and main, importing each other) with
// module-level state, value, mutable and disposable classes, nullable objects, functions
// whose calls change globals that other operands and arguments read, compound assignments
// on array elements and fields reached through calls, `using` left by every kind of exit,
// labelled loops, switch, and a trace line after every step so that any difference shows.
//
// Arithmetic is made safe by construction (operands masked before `+ * <<`, divisors made
// non-zero, loops and call depth bounded), so a program runs to its end and a batch of
// programs can share one executable. Features that keelc does not accept yet can be turned
// off by an option (all on by default).
import * as path from "node:path";

/** Features that can be switched off (each was rejected by keelc at some point). */
export interface GenOptions {
  /** `label: for (…)` with `break label` / `continue label`. */
  labels: boolean;
  /** `x === null` on a mutable object narrowed by an assignment (`x = make()`). */
  nullCompareNarrowed: boolean;
  /** `for (const x of range)` whose loop variable is not used. */
  unusedForOf: boolean;
  /** A value-class constructor that passes `this` to a function. */
  thisEscape: boolean;
  /** `import { run as run0 }`: an import under another name. */
  importAlias: boolean;
  /** `break label` of a loop from inside a switch case (not as the case's last statement). */
  breakInCase: boolean;
}

export const ALL_FEATURES: GenOptions = { labels: true, nullCompareNarrowed: true, unusedForOf: true, thisEscape: true, importAlias: true, breakInCase: true };

/** mulberry32: small, fast, seeded; the same seed gives the same programs everywhere. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

type K = "u32" | "u64";

const CONSTANTS = [0, 1, 2, 3, 7, 100, 255, 1000, 4095, 65535];

interface Fn {
  name: string;
  params: K[];
}

/** One function body under construction: its locals and how deep it is nested. */
interface Scope {
  locals: { name: string; kind: K; mutable: boolean }[];
  nullables: string[];
  loops: { label: string | null }[];
  depth: number;
  /** Calls of other functions left in this body (bounds the size of the call tree). */
  callBudget: number;
  /** Index of the function being generated: it calls only functions before it. */
  fnIndex: number;
  /** Loops entered since the innermost switch (a plain `break` there would leave the switch). */
  sinceSwitch: number;
}

/** Generates one program (two modules) named `p<index>`; `run()` prints its trace. */
export class ProgramGen {
  private readonly out: string[] = [];
  private ids = 0;
  private readonly fns: Fn[] = [];
  private readonly p: string;

  constructor(private readonly rng: Rng, index: number, private readonly opts: GenOptions) {
    this.p = `p${index}`;
  }

  private id(): number {
    return this.ids++;
  }

  // ---- expressions (always in range: masks before + * <<, non-zero divisors) ----

  /** A constant: a module-level `const` (keelc wants a literal's width from its context,
   *  which an operand on its own does not give). */
  private lit(k: K): string {
    return `${k === "u64" ? "d" : "c"}${this.rng.pick(CONSTANTS)}`;
  }

  private m(k: K, mask: string): string {
    return k === "u64" ? `${mask}n` : mask;
  }

  private leaf(k: K, s: Scope): string {
    const mine = s.locals.filter((l) => l.kind === k);
    const options: (() => string)[] = [() => this.lit(k)];
    if (mine.length) options.push(() => this.rng.pick(mine).name, () => this.rng.pick(mine).name);
    if (k === "u32") options.push(() => "gA", () => "cell.n", () => `table[${this.rng.int(8)}]`, () => "calls");
    else options.push(() => "gB");
    return this.rng.pick(options)();
  }

  /** An expression with a variable in it: operations on literals alone have no width
   *  where nothing else gives one (a conversion's argument, a template substitution). */
  private nonLit(k: K, s: Scope, depth: number): string {
    for (let i = 0; i < 4; i++) {
      const e = this.expr(k, s, depth);
      if (/[A-Za-z_]/.test(e.replace(/\b(0x[0-9a-f]+|\d+)n?\b/g, ""))) return e;
    }
    return k === "u32" ? "gA" : "gB";
  }

  expr(k: K, s: Scope, depth: number): string {
    if (depth <= 0 || this.rng.chance(0.25)) return this.leaf(k, s);
    const a = () => this.expr(k, s, depth - 1);
    const m = (mask: string) => this.m(k, mask);
    const forms: (() => string)[] = [
      () => `(${a()} & ${m("0xffff")}) + (${a()} & ${m("0xffff")})`,
      () => `(${a()} & ${m("0xff")}) * (${a()} & ${m("0xff")})`,
      () => `(${a()} | ${m("0x10000")}) - (${a()} & ${m("0xffff")})`,
      () => `(${a()} ^ ${a()})`,
      () => `(${a()} & ${a()})`,
      () => `((${a()} | ${a()}) & ${m("0xfffff")})`,
      () => `((${a()} & ${m("0xffff")}) << (${a()} & ${m("7")}))`,
      () => `(${a()} >> (${a()} & ${m("15")}))`,
      () => `(${a()} / ((${a()} & ${m("7")}) + ${m("1")}))`,
      () => `(${a()} % ((${a()} & ${m("15")}) + ${m("1")}))`,
      () => `(${a()} < ${a()} ? ${a()} : ${a()})`,
    ];
    if (k === "u32") {
      forms.push(
        () => `setA(${a()})`,
        () => `table[idx(${a()})]`,
        () => `getCell().n`,
        () => `truncU32(${this.nonLit("u64", s, depth - 1)})`,
        () => `u32(${this.nonLit("u64", s, depth - 1)} & 0xffffn)`,
        () => `u32(i32(${this.nonLit(k, s, depth - 1)} & 0xffff) - i32(${this.nonLit(k, s, depth - 1)} & 0xffff) + 70000)`,
        () => `(u32(truncU8(${this.nonLit(k, s, depth - 1)})) + u32(u8(${this.nonLit(k, s, depth - 1)} & 0x7f)))`,
        () => `new Pair(${a()}, ${this.expr("u64", s, depth - 1)}).mix()`,
        () => `(((${a()} & 0xffff) + gA) & 0xfffff)`,
        () => `(gA + setA(${a()}))`,
        () => `(wrappingMul(${a()}, ${a()}) >> 20)`, // parenthesised: `>>` binds looser than a `+` after it
      );
    } else {
      forms.push(
        () => `addB(${a()})`,
        () => `u64(${this.nonLit("u32", s, depth - 1)})`,
        () => `(gB & 0xffffn) + (addB(${a()}) & 0xffffn)`,
        () => `u64(i64(${this.nonLit(k, s, depth - 1)} & 0xffffn) - i64(${this.nonLit(k, s, depth - 1)} & 0xfffffn) + 0x100000n)`,
        () => `(wrappingSub(${a()}, ${a()}) >> 40n)`,
      );
    }
    const callees = this.fns.slice(0, s.fnIndex);
    if (callees.length && s.callBudget > 0 && s.loops.length === 0) {
      forms.push(() => {
        s.callBudget--;
        const f = this.rng.pick(callees);
        const call = `${f.name}(${f.params.map((pk) => this.expr(pk, s, depth - 1)).join(", ")})`;
        return k === "u32" ? call : `u64(${call})`;
      });
    }
    return this.rng.pick(forms)();
  }

  private cond(s: Scope): string {
    const k: K = this.rng.chance(0.7) ? "u32" : "u64";
    const op = this.rng.pick(["<", "<=", ">", ">=", "===", "!=="]);
    // A global in the left operand: an operation on literals alone has no width in the subset.
    return `((${k === "u32" ? "gA" : "gB"} ^ ${this.expr(k, s, 1)}) & ${this.m(k, "0xf")}) ${op} ${this.m(k, String(this.rng.int(16)))}`;
  }

  // ---- statements ----

  private line(s: Scope, text: string): void {
    this.out.push("  ".repeat(s.depth + 1) + text);
  }

  private trace(s: Scope, tag: string, values: string[]): void {
    this.line(s, `println(\`${this.p} ${tag}${values.map((v) => ` \${${v}}`).join("")}\`);`);
  }

  private block(s: Scope, n: number, f: () => void): void {
    const saved = s.locals.length;
    const savedN = s.nullables.length;
    s.depth++;
    for (let i = 0; i < n; i++) f();
    s.depth--;
    s.locals.length = saved;
    s.nullables.length = savedN;
  }

  private stmt(s: Scope): void {
    const nested = s.depth < 2;
    const forms: [number, () => void][] = [
      [3, () => this.declare(s)],
      [2, () => this.assign(s)],
      [3, () => this.compound(s)],
      [2, () => this.trace(s, `t${this.id()}`, [this.nonLit("u32", s, 2), this.nonLit("u64", s, 1)])],
      [1, () => this.nullable(s)],
    ];
    if (nested) {
      forms.push(
        [2, () => this.ifStmt(s)],
        [2, () => this.loop(s)],
        [1, () => this.switchStmt(s)],
        [2, () => this.usingBlock(s)],
      );
      forms.push([1, () => this.forOf(s)]);
    }
    if (s.loops.length) forms.push([2, () => this.jump(s)]);
    const total = forms.reduce((n, [w]) => n + w, 0);
    let r = this.rng.int(total);
    for (const [w, f] of forms) {
      if ((r -= w) < 0) return f();
    }
  }

  /** A value kept below 2^24 (u32) or 2^48 (u64), so that later `+=` of small values fit. */
  private bounded(k: K, s: Scope): string {
    return `(${this.expr(k, s, 2)}) & ${k === "u32" ? "0xffffff" : "0xffffffffffffn"}`;
  }

  private declare(s: Scope): void {
    const k: K = this.rng.chance(0.7) ? "u32" : "u64";
    const name = `v${this.id()}`;
    this.line(s, `let ${name}: ${k} = ${this.bounded(k, s)};`);
    s.locals.push({ name, kind: k, mutable: true });
    this.trace(s, `d${this.id()}`, [name]);
  }

  private assign(s: Scope): void {
    const mine = s.locals.filter((l) => l.mutable);
    if (!mine.length) return this.declare(s);
    const l = this.rng.pick(mine);
    this.line(s, `${l.name} = ${this.bounded(l.kind, s)};`);
  }

  /** Compound assignments, on locals and on targets reached through calls. */
  private compound(s: Scope): void {
    const small = () => `(${this.expr("u32", s, 1)} & 0xff)`;
    const forms: (() => string)[] = [
      () => `table[idx(${this.expr("u32", s, 1)})] += ${small()};`,
      () => `table[idx(${this.expr("u32", s, 1)})]++;`,
      () => `table[${this.rng.int(8)}] ^= (${this.expr("u32", s, 1)} & 0xffff);`,
      () => `getCell().n += ${small()};`,
      () => `cell.n |= ${small()};`,
      () => `getCell().n++;`,
    ];
    // Locals only (not parameters or loop counters), kept below 2^24 / 2^48 so that `+=` fits.
    const mine = s.locals.filter((l) => l.mutable);
    if (mine.length) {
      const l = this.rng.pick(mine);
      const m = (x: string) => this.m(l.kind, x);
      forms.push(
        () => `${l.name} += (${this.expr(l.kind, s, 1)} & ${m("0xff")});`,
        () => `${l.name} ^= (${this.expr(l.kind, s, 1)} & ${m(l.kind === "u32" ? "0xffffff" : "0xffffffffffff")});`,
        () => `${l.name} &= ${this.expr(l.kind, s, 1)};`,
        () => `${l.name} -= (${l.name} & ${this.expr(l.kind, s, 1)});`,
        () => `${l.name} >>= (${this.expr(l.kind, s, 1)} & ${m("3")});`,
        () => `${l.name} %= ((${this.expr(l.kind, s, 1)} & ${m("0xff")}) + ${m("1")});`,
        () => `${l.name}++;`,
      );
    }
    this.line(s, this.rng.pick(forms)());
    const shown = mine.length ? [this.rng.pick(mine).name] : [];
    this.trace(s, `c${this.id()}`, [...shown, `table[${this.rng.int(8)}]`, this.rng.pick(["cell.n", "gA"])]);
  }

  private nullable(s: Scope): void {
    const name = `n${this.id()}`;
    this.line(s, `let ${name}: Counter | null = find(${this.expr("u32", s, 1)});`);
    this.line(s, `if (${name} !== null) {`);
    this.block(s, 1, () => {
      this.line(s, `${name}.n += ${this.rng.int(5)};`);
      this.trace(s, `some${this.id()}`, [`${name}.n`]);
    });
    this.line(s, `} else {`);
    this.block(s, 1, () => this.trace(s, `none${this.id()}`, ["gA"]));
    this.line(s, "}");
    if (this.opts.nullCompareNarrowed) {
      this.line(s, `${name} = make(${this.expr("u32", s, 1)});`);
      this.line(s, `if (${name} === null) {`);
      this.block(s, 1, () => this.trace(s, `never${this.id()}`, []));
      this.line(s, "} else {");
      this.block(s, 1, () => this.trace(s, `made${this.id()}`, [`${name}.n`]));
      this.line(s, "}");
    }
  }

  private ifStmt(s: Scope): void {
    this.line(s, `if (${this.cond(s)}) {`);
    this.block(s, 1 + this.rng.int(2), () => this.stmt(s));
    if (this.rng.chance(0.5)) {
      this.line(s, "} else {");
      this.block(s, 1 + this.rng.int(2), () => this.stmt(s));
    }
    this.line(s, "}");
  }

  private loop(s: Scope): void {
    if (s.loops.length >= 2) return this.compound(s);
    const i = `k${this.id()}`;
    const label = this.opts.labels && this.rng.chance(0.5) ? `L${this.id()}` : null;
    const n = 1 + this.rng.int(3);
    const head = this.rng.chance(0.7) ? `for (let ${i}: u32 = 0; ${i} < ${n}; ${i}++) {` : null;
    if (head) this.line(s, `${label ? `${label}: ` : ""}${head}`);
    else {
      this.line(s, `let ${i}: u32 = 0;`);
      this.line(s, `${label ? `${label}: ` : ""}while (${i} < ${n}) {`);
    }
    s.loops.push({ label });
    s.sinceSwitch++;
    s.locals.push({ name: i, kind: "u32", mutable: false });
    this.block(s, 1 + this.rng.int(2), () => {
      if (!head && this.out[this.out.length - 1]!.endsWith("{")) this.line(s, `${i}++;`);
      this.stmt(s);
    });
    s.locals.pop();
    s.loops.pop();
    s.sinceSwitch--;
    this.line(s, "}");
  }

  /** break or continue, of the innermost loop or of a labelled one around it. */
  private jump(s: Scope): void {
    const labelled = s.loops.filter((l) => l.label !== null);
    const label = labelled.length && this.rng.chance(0.6) ? ` ${this.rng.pick(labelled).label}` : "";
    // A plain `break` in a case would leave the switch: continue instead. keelc took
    // `break label` in a case only as the case's last statement (option breakInCase).
    const inCase = s.sinceSwitch === 0;
    const kw = inCase && (!label || !this.opts.breakInCase) ? "continue" : this.rng.pick(["break", "continue"]);
    this.line(s, `if (${this.cond(s)}) {`);
    this.block(s, 1, () => {
      this.trace(s, `${kw}${this.id()}`, ["gA"]);
      this.line(s, `${kw}${label};`);
    });
    this.line(s, "}");
  }

  private switchStmt(s: Scope): void {
    this.line(s, `switch (${this.nonLit("u32", s, 1)} & 3) {`);
    s.depth++;
    const since = s.sinceSwitch;
    s.sinceSwitch = 0;
    const cases = this.rng.pick([["case 0:"], ["case 1:", "case 2:"], ["default:"]]);
    for (const head of [["case 0:"], ["case 1:", "case 2:"], ["default:"]]) {
      for (const h of head) this.line(s, h);
      this.line(s, "{");
      this.block(s, 1 + this.rng.int(2), () => this.stmt(s));
      this.line(s, head === cases && this.rng.chance(0.3) ? `return ${this.expr("u32", s, 1)};` : "break;");
      this.line(s, "}");
    }
    s.sinceSwitch = since;
    s.depth--;
    this.line(s, "}");
  }

  /** A `using` scope left by its end, a return (of a local or an expression), a nested
   *  block's return, or a break/continue of the loop around it. */
  private usingBlock(s: Scope): void {
    const r = `r${this.id()}`;
    this.line(s, "{");
    this.block(s, 1, () => {
      this.line(s, `using ${r} = new Res(${this.p.slice(1)}, ${this.id()});`);
      if (this.rng.chance(0.3)) this.line(s, `using ${r}b = new Res(${this.p.slice(1)}, ${this.id()});`);
      this.stmt(s);
      const exits: (() => void)[] = [
        () => undefined,
        () => {
          const v = `v${this.id()}`;
          this.line(s, `const ${v}: u32 = ${this.expr("u32", s, 1)};`);
          this.line(s, `if (${this.cond(s)}) return ${v};`);
        },
        () => this.line(s, `if (${this.cond(s)}) return ${this.expr("u32", s, 1)} + ${r}.id;`),
        () => {
          this.line(s, `if (${this.cond(s)}) {`);
          this.block(s, 1, () => {
            this.line(s, `using ${r}n = new Res(${this.p.slice(1)}, ${this.id()});`);
            this.line(s, `return ${r}n.id;`);
          });
          this.line(s, "}");
        },
      ];
      if (s.loops.length) exits.push(() => this.jump(s));
      this.rng.pick(exits)();
      this.stmt(s);
    });
    this.line(s, "}");
  }

  private forOf(s: Scope): void {
    const x = `x${this.id()}`;
    const used = !this.opts.unusedForOf || this.rng.chance(0.5);
    this.line(s, `for (const ${x} of new Span(${this.rng.int(3)}n)) {`);
    this.block(s, 1, () => this.trace(s, `span${this.id()}`, used ? [x, "gB"] : ["gB"]));
    this.line(s, "}");
  }

  // ---- modules ----

  private fn(index: number): void {
    const f = this.fns[index]!;
    const s: Scope = { locals: f.params.map((kind, i) => ({ name: `a${i}`, kind, mutable: false })), nullables: [], loops: [], depth: 0, callBudget: 2, fnIndex: index, sinceSwitch: 1 };
    this.out.push(`function ${f.name}(${f.params.map((k, i) => `a${i}: ${k}`).join(", ")}): u32 {`);
    this.trace(s, `enter ${f.name}`, f.params.map((_, i) => `a${i}`));
    const n = 2 + this.rng.int(2);
    for (let i = 0; i < n; i++) this.stmt(s);
    this.line(s, `return ${this.expr("u32", s, 2)};`);
    this.out.push("}", "");
  }

  /** The two modules' text: `<p>_state.ts` and `<p>_main.ts`, `libPath` leading to kernel/. */
  generate(libPath: string): { state: string; main: string } {
    const p = this.p;
    const lib = `${libPath}/lib`;
    const state = [
      `// Random program ${p}: module-level state, read and changed by its other module.`,
      `import type { u32, u64 } from "${lib}/int";`,
      `import { println } from "${lib}/console";`,
      `import { Counter } from "./common";`,
      `import { traceCall } from "./${p}_main";`,
      `export let gA: u32 = ${this.rng.int(1000)};`,
      `export let gB: u64 = ${this.rng.int(100000)}n;`,
      `export let calls: u32 = 0;`,
      `export const table: u32[] = new Array<u32>(8).fill(${this.rng.int(10)});`,
      `export const cell: Counter = new Counter(${this.rng.int(50)});`,
      `export function setA(v: u32): u32 {`,
      `  calls = (calls + 1) & 0xffff;`,
      `  gA = v & 0xffff;`,
      `  traceCall("setA", gA);`,
      `  return gA;`,
      `}`,
      `export function addB(v: u64): u64 {`,
      `  gB = (gB & 0xffffffffn) + (v & 0xffffn);`,
      `  println(\`${p} addB \${gB}\`);`,
      `  return gB;`,
      `}`,
      `export function idx(k: u32): u32 {`,
      `  gA = (gA + 1) & 0xffff;`,
      `  println(\`${p} idx \${k & 7} gA=\${gA}\`);`,
      `  return k & 7;`,
      `}`,
      `export function getCell(): Counter {`,
      `  cell.n = cell.n & 0xffff;`,
      `  println(\`${p} getCell \${cell.n}\`);`,
      `  return cell;`,
      `}`,
      "",
    ].join("\n");
    const nFns = 1 + this.rng.int(3);
    for (let i = 0; i < nFns; i++) this.fns.push({ name: `f${i}`, params: Array.from({ length: this.rng.int(3) }, () => (this.rng.chance(0.7) ? "u32" : "u64")) });
    this.out.push(
      `// Random program ${p} (test/differential/random_programs.ts).`,
      `import { u8, u32, u64, i32, i64, truncU8, truncU32, wrappingMul, wrappingSub } from "${lib}/int";`,
      `import { println } from "${lib}/console";`,
      `import { ${CONSTANTS.map((v) => `c${v}, d${v}`).join(", ")}, Counter, Pair, Res, Span, find, make, lastPair } from "./common";`,
      `import { gA, gB, calls, table, cell, setA, addB, idx, getCell } from "./${p}_state";`,
      "",
      `/** Called back by the state module (an import cycle, used only after both ran). */`,
      `export function traceCall(what: string, v: u32): void {`,
      `  println(\`${p} \${what} \${v}\`);`,
      `}`,
      "",
    );
    for (let i = 0; i < nFns; i++) this.fn(i);
    const s: Scope = { locals: [], nullables: [], loops: [], depth: 0, callBudget: 3, fnIndex: nFns, sinceSwitch: 1 };
    this.out.push("/** Runs the program: every step prints. */", `export function ${this.opts.importAlias ? "run" : `run_${p}`}(): void {`);
    const n = 1 + this.rng.int(3);
    for (let i = 0; i < n; i++) {
      const f = this.rng.pick(this.fns);
      this.trace(s, `main${i}`, [`${f.name}(${f.params.map((k) => this.expr(k, s, 2)).join(", ")})`, "gA", "gB", "calls"]);
    }
    this.trace(s, "end", ["table[0]", "table[1]", "table[7]", "cell.n", "lastPair()"]);
    this.out.push("}", "");
    return { state, main: this.out.join("\n") };
  }
}

/** The module every program of a batch shares: constants and the classes. */
function commonModule(libPath: string, opts: GenOptions): string {
  const lib = `${libPath}/lib`;
  return [
    `// Shared by the random programs of a batch (test/differential/random_programs.ts).`,
    `import { truncU32, type u32, type u64 } from "${lib}/int";`,
    `import { println } from "${lib}/console";`,
    `import { rangeIterator } from "${lib}/iter";`,
    ...CONSTANTS.map((v) => `export const c${v}: u32 = ${v};`),
    ...CONSTANTS.map((v) => `export const d${v}: u64 = ${v}n;`),
    `/** A mutable object. */`,
    `export class Counter {`,
    `  n: u32;`,
    `  constructor(n: u32) {`,
    `    this.n = n;`,
    `  }`,
    `}`,
    `let lastA: u32 = 0;`,
    `export function lastPair(): u32 {`,
    `  return lastA;`,
    `}`,
    `function notePair(q: Pair): void {`,
    `  lastA = q.a & 0xffff;`,
    `}`,
    `/** A value class. */`,
    `export class Pair {`,
    `  readonly a: u32;`,
    `  readonly b: u64;`,
    `  constructor(a: u32, b: u64) {`,
    `    this.a = a;`,
    `    this.b = b;`,
    ...(opts.thisEscape ? [`    notePair(this);`] : [`    lastA = a & 0xffff;`]),
    `  }`,
    `  mix(): u32 {`,
    `    return (this.a & 0xffff) + truncU32(this.b & 0xffffn) + lastA;`,
    `  }`,
    `}`,
    `/** Disposable: says when it is opened and disposed. */`,
    `export class Res {`,
    `  readonly p: u32;`,
    `  readonly id: u32;`,
    `  constructor(p: u32, id: u32) {`,
    `    this.p = p;`,
    `    this.id = id;`,
    `    println(\`p\${p} open \${id}\`);`,
    `  }`,
    `  [Symbol.dispose](): void {`,
    `    println(\`p\${this.p} dispose \${this.id}\`);`,
    `  }`,
    `}`,
    `/** A range for for…of. */`,
    `export class Span {`,
    `  readonly n: u64;`,
    `  constructor(n: u64) {`,
    `    this.n = n;`,
    `  }`,
    `  iterLength(): u64 {`,
    `    return this.n;`,
    `  }`,
    `  iterAt(i: u64): u64 {`,
    `    return i;`,
    `  }`,
    `  [Symbol.iterator](): Iterator<u64> {`,
    `    return rangeIterator(this);`,
    `  }`,
    `}`,
    `export function find(k: u32): Counter | null {`,
    `  return (k & 1) === 0 ? new Counter(k & 0xff) : null;`,
    `}`,
    `export function make(k: u32): Counter {`,
    `  return new Counter(k & 0xff);`,
    `}`,
    "",
  ].join("\n");
}

export const PROGRAMS_DIR = path.join("build", "differential", "programs");

/** A batch: several programs behind one entry (one compilation, one executable). */
export interface Batch {
  entry: string;
  files: Map<string, string>;
  /** The seed of each program, in order. */
  seeds: number[];
}

/** Program `seed` of a batch; the entry runs the programs one after the other. */
export function generateBatch(dir: string, seeds: number[], opts: GenOptions = ALL_FEATURES): Batch {
  const files = new Map<string, string>();
  const libPath = path.relative(dir, "kernel").split(path.sep).join("/");
  const lines = [
    `// Random programs, seeds ${seeds.join(" ")} (test/differential/random_programs.ts).`,
    `import type { u64 } from "${libPath}/lib/int";`,
    `import { serialInit } from "${libPath}/arch/x86_64/serial";`,
  ];
  seeds.forEach((seed, i) => {
    const { state, main } = new ProgramGen(new Rng(seed), i, opts).generate(libPath);
    files.set(path.join(dir, `p${i}_state.ts`), state);
    files.set(path.join(dir, `p${i}_main.ts`), main);
    lines.push(opts.importAlias ? `import { run as run${i} } from "./p${i}_main";` : `import { run_p${i} as run${i} } from "./p${i}_main";`.replace(` as run${i}`, ""));
  });
  lines.push("export function kernelMain(bootInfo: u64): void {", "  serialInit();", ...seeds.map((_, i) => `  ${opts.importAlias ? "run" : "run_p"}${i}();`), "}", "");
  files.set(path.join(dir, "common.ts"), commonModule(libPath, opts));
  const entry = path.join(dir, "batch.ts").split(path.sep).join("/");
  files.set(entry, lines.join("\n"));
  return { entry, files, seeds };
}
