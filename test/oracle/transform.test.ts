// Tests of the oracle itself: the checked helpers (runtime.ts) against the subset's rules,
// the transform's output (what is replaced, what is left as written), its width inference,
// and whole programs run through the driver.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Oracle } from ".";
import { makeRuntime, type Runtime } from "./runtime";

class Stopped extends Error {}

/** The helpers on a byte sink that records what a failed check prints. */
function runtime(): { k: Runtime; out: () => string } {
  const bytes: number[] = [];
  const k = makeRuntime(
    (b) => void bytes.push(b),
    (code) => {
      throw new Stopped(`qemuExit(${code})`);
    },
  );
  return { k, out: () => Buffer.from(bytes).toString("utf8") };
}

/** What a helper call prints when it fails ("" when it does not). */
function failure(f: (k: Runtime) => unknown): string {
  const { k, out } = runtime();
  try {
    f(k);
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
  }
  return out();
}

describe("checked helpers (runtime.ts)", () => {
  const { k } = runtime();

  it("keep ≤32-bit kinds as numbers and 64-bit kinds as bigints", () => {
    expect(k.bin("+", "u32", 1, 2, "x")).toBe(3);
    expect(k.bin("+", "u64", 1n, 2n, "x")).toBe(3n);
  });

  it("panic on overflow with the location and the kind", () => {
    expect(failure((k) => k.bin("+", "u32", 0xffff_ffff, 1, "a.ts:1:2"))).toBe("panic at a.ts:1:2: integer overflow in + (u32)\n");
    expect(failure((k) => k.bin("-", "u8", 0, 1, "a.ts:1:2"))).toBe("panic at a.ts:1:2: integer overflow in - (u8)\n");
    expect(failure((k) => k.bin("*", "i64", 1n << 62n, 2n, "l"))).toBe("panic at l: integer overflow in * (i64)\n");
    expect(failure((k) => k.neg("i32", -0x8000_0000, "l"))).toBe("panic at l: integer overflow in negation (i32)\n");
    expect(failure((k) => k.bin("+", "u32", 1, 2, "l"))).toBe("");
  });

  it("truncate integer division and panic on zero and on min / -1", () => {
    expect(k.bin("/", "u32", 7, 2, "l")).toBe(3);
    expect(k.bin("/", "i32", -7, 2, "l")).toBe(-3);
    expect(k.bin("%", "i32", -7, 2, "l")).toBe(-1);
    expect(failure((k) => k.bin("/", "u32", 1, 0, "l"))).toBe("panic at l: division by zero\n");
    expect(failure((k) => k.bin("%", "u64", 1n, 0n, "l"))).toBe("panic at l: remainder by zero\n");
    expect(failure((k) => k.bin("/", "i8", -128, -1, "l"))).toBe("panic at l: integer overflow in / (i8)\n");
  });

  it("check << like * and a shift count below the width", () => {
    expect(k.bin("<<", "u8", 0x40, 1, "l")).toBe(0x80);
    expect(failure((k) => k.bin("<<", "u8", 0x80, 1, "l"))).toBe("panic at l: integer overflow in << (u8)\n");
    expect(failure((k) => k.bin("<<", "i64", 1n, 63n, "l"))).toBe("panic at l: integer overflow in << (i64)\n");
    expect(failure((k) => k.bin("<<", "u32", 1, 32, "l"))).toBe("panic at l: shift count out of range for u32\n");
    expect(failure((k) => k.bin(">>", "i32", 1, -1, "l"))).toBe("panic at l: shift count out of range for i32\n");
  });

  it("keep & | ^ ~ >> exact for the width (unsigned >> logical)", () => {
    expect(k.bin(">>", "u32", 0x8000_0000, 4, "l")).toBe(0x0800_0000);
    expect(k.bin(">>", "i32", -16, 2, "l")).toBe(-4);
    expect(k.bin("|", "u32", 0x8000_0000, 1, "l")).toBe(0x8000_0001);
    expect(k.bin("^", "u32", 0xffff_ffff, 0, "l")).toBe(0xffff_ffff);
    expect(k.not("u8", 0)).toBe(0xff);
    expect(k.not("u32", 0)).toBe(0xffff_ffff);
    expect(k.not("u64", 0n)).toBe(0xffff_ffff_ffff_ffffn);
    expect(k.not("i16", 0)).toBe(-1);
  });

  it("convert checked and truncating, and wrap explicitly", () => {
    expect(k.conv("u64", 5, "l")).toBe(5n);
    expect(k.conv("u8", 255n, "l")).toBe(255);
    expect(failure((k) => k.conv("u8", 256, "l"))).toBe("panic at l: value does not fit in u8\n");
    expect(failure((k) => k.conv("u32", -1, "l"))).toBe("panic at l: value does not fit in u32\n");
    expect(k.trunc("u8", 0x1234n)).toBe(0x34);
    expect(k.wrap("+", "u8", 200, 100)).toBe(44);
    expect(k.wrap("*", "i64", 1n << 62n, 2n)).toBe(-(1n << 63n));
    expect(k.wrap("-", "u32", 0, 1)).toBe(0xffff_ffff);
  });

  it("bounds-check arrays", () => {
    expect(k.at([1, 2], 1, "l")).toBe(2);
    expect(failure((k) => k.at([1, 2], 2, "l"))).toBe("panic at l: array index out of bounds\n");
    expect(failure((k) => k.set([1, 2], 5, 0, "l"))).toBe("panic at l: array index out of bounds\n");
  });
});

const DIR = path.join("build", "oracle_unit");
const LIB = "../../kernel/lib";
const HEAD = [
  `import { u8, u32, u64, i32, truncU8, wrappingAdd, type i64 } from "${LIB}/int";`,
  `import { println } from "${LIB}/console";`,
  `import { panic } from "${LIB}/panic";`,
  `import { callSite, type CallSite } from "${LIB}/callsite";`,
  `import { serialInit } from "../../kernel/arch/x86_64/serial";`,
];

/** Writes a program (kernelMain's body and declarations before it) and returns its path. */
function program(name: string, decls: string[], body: string[]): string {
  const file = path.join(DIR, `${name}.ts`).split(path.sep).join("/");
  fs.writeFileSync(file, [...HEAD, ...decls, "export function kernelMain(bootInfo: u64): void {", "  serialInit();", ...body.map((l) => `  ${l}`), "}", ""].join("\n"));
  return file;
}

describe("the transform", () => {
  const files: Record<string, string> = {};
  let oracle: Oracle;

  beforeAll(() => {
    fs.rmSync(DIR, { recursive: true, force: true });
    fs.mkdirSync(DIR, { recursive: true });
    files.ops = program(
      "ops",
      ["type Pfn = u64;", "let a: u32 = 1;", "let p: Pfn = 2n;", "const xs: u32[] = new Array<u32>(4).fill(0);", "class Box<T> {", "  v: T;", "  constructor(v: T) {", "    this.v = v;", "  }", "}", "function id(): i64 {", "  return 5n;", "}"],
      ["const b: Box<u8> = new Box<u8>(3);", "println(`${a + 2} ${p * 3n} ${b.v + 1} ${id() - 1n} ${xs[1]} ${(5 & 3) | 8}`);"],
    );
    files.assign = program(
      "assign",
      ["let n: u32 = 0;", "function f(): u32 {", "  n += 1;", "  return n & 3;", "}", "class C {", "  x: u64 = 0n;", "}", "const c: C = new C();", "function g(): C {", "  return c;", "}", "const xs: u32[] = new Array<u32>(4).fill(0);"],
      ["xs[f()] += 10;", "xs[f()]++;", "g().x += 3n;", "c.x <<= 1n;", "xs[0] = 7;", "println(`${xs[1]} ${xs[2]} ${c.x} ${n}`);"],
    );
    files.calls = program(
      "calls",
      ["function where(at: CallSite = callSite()): void {", "  println(`at ${at}`);", "}", "let big: u64 = 300n;"],
      ["where();", "println(`${u8(truncU8(big))} ${wrappingAdd(u8(200), u8(100))} ${i32(7)}`);", "panic(`stop ${big}`);"],
    );
    files.order = program(
      "order",
      [
        "let g: u32 = 1;",
        "function bump(): u32 {",
        "  g = g + 10;",
        "  return 0;",
        "}",
        "class Res {",
        "  readonly id: u32;",
        "  constructor(id: u32) {",
        "    this.id = id;",
        "  }",
        "  [Symbol.dispose](): void {",
        "    println(`dispose ${this.id}`);",
        "  }",
        "}",
        "function local(): u32 {",
        "  using r = new Res(1);",
        "  const x: u32 = r.id + 1;",
        "  return x;",
        "}",
        "function stops(): void {",
        "  using r = new Res(2);",
        "  const y: u32 = 0xffffffff;",
        "  println(`${y + g}`);",
        "}",
      ],
      ["println(`${g + bump()} ${g}`);", "println(`${local()}`);", "stops();"],
    );
    oracle = new Oracle(Object.values(files));
  }, 120_000);

  const js = (name: string) => oracle.moduleText(files[name]!, files[name]!)!;

  it("transforms every program", () => {
    expect([...oracle.errors]).toEqual([]);
  });

  it("replaces operators by helpers with the kind from annotations (aliases, generics, returns, arrays)", () => {
    const t = js("ops");
    expect(t).toContain(`__k.bin("+", "u32", a, 2, "build/oracle_unit/ops.ts:22:14")`);
    expect(t).toContain(`__k.bin("*", "u64", p, 3n,`);
    expect(t).toContain(`__k.bin("+", "u8", b.v, 1,`);
    expect(t).toContain(`__k.bin("-", "i64", id(), 1n,`);
    expect(t).toContain(`__k.at(xs, 1, "build/oracle_unit/ops.ts:22:57"`);
    // Literals alone: exact operators take the representation TypeScript gives.
    expect(t).toContain(`__k.bin("|", "u32", (__k.bin("&", "u32", 5, 3,`);
  });

  it("evaluates compound-assignment targets once, through an arrow", () => {
    const t = js("assign");
    expect(t).toContain(`((__keel_a, __keel_i) => __k.set(__keel_a, __keel_i, __k.bin("+", "u32", __k.at(__keel_a, __keel_i,`);
    expect(t).toMatch(/\(\(__keel_a, __keel_i\) => .*\)\)\(xs, f\(\)\)/);
    expect(t).toContain(`((__keel_o) => __keel_o.x = __k.bin("+", "u64", __keel_o.x, 3n,`);
    expect(t).toContain(`c.x = __k.bin("<<", "u64", c.x, 1n,`);
    expect(t).toContain(`__k.set(xs, 0, 7,`);
    expect(t).toContain(`n = __k.bin("+", "u32", n, 1,`);
  });

  it("replaces conversions, panic and omitted CallSite arguments; leaves the rest as written", () => {
    const t = js("calls");
    expect(t).toContain(`__k.conv("u8", __k.trunc("u8", big), "build/oracle_unit/calls.ts:13:14"`);
    expect(t).toContain(`__k.wrap("+", "u8", __k.conv("u8", 200,`);
    expect(t).toContain(`__k.panic("build/oracle_unit/calls.ts:14:3", \`stop \${big}\`)`);
    expect(t).toContain(`where("build/oracle_unit/calls.ts:12:3")`);
    expect(t).toMatch(/from "\.\.\/\.\.\/kernel\/lib\/console\.mjs"/);
    expect(t).toContain(`from "../../__keel_rt.mjs"`);
  });

  it("runs programs with JavaScript's order, using and the panic line of the backends", async () => {
    expect(await oracle.run(files.ops!)).toEqual({ stdout: "3 6 4 4 0 9\n", stderr: "", status: 0 });
    expect((await oracle.run(files.assign!)).stdout).toBe("10 1 6 2\n");
    const calls = await oracle.run(files.calls!);
    expect(calls.stdout).toBe(`at build/oracle_unit/calls.ts:12:3\n44 44 7\npanic at build/oracle_unit/calls.ts:14:3: stop 300\n`);
    expect(calls.status).toBe(3);
    expect(calls.stderr).toBe("panic at build/oracle_unit/calls.ts:14:3: stop 300\n");
    // g is read before bump() changes it; `return x` disposes; after a panic nothing more
    // is printed, not even by the disposal that JavaScript runs on the way out.
    const order = await oracle.run(files.order!);
    expect(order.stdout).toBe(`1 11\ndispose 1\n2\npanic at build/oracle_unit/order.ts:28:14: integer overflow in + (u32)\n`);
    expect(order.status).toBe(3);
  }, 60_000);
});
