// Differential tests: every program of the corpus runs through the JavaScript backend
// (`keelc run-node`), the C backend (`keelc run-hosted`: gcc, ASan + UBSan) and the oracle
// (test/oracle: its TypeScript as written, run by Node); stdout, stderr and exit status
// must be identical, with no sanitizer report. The corpus is the
// hand-written programs of corpus/ (one feature each) and the table-generated programs of
// tables.ts (every operator and conversion of every width over edge values, and every way
// each can panic), which must also print what the reference model says.

import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/src/compile";
import { expectSame, literal } from "./compare";
import { Oracle } from "../oracle";
import { compileBatch, inTurn, runThree, type Compiled } from "./harness";
import { generatePrograms, writePrograms, type GenProgram } from "./tables";

const CORPUS = "test/differential/corpus";
const handWritten = fs.readdirSync(CORPUS).filter((f) => f.endsWith(".ts")).sort().map((f) => `${CORPUS}/${f}`);
const generated: GenProgram[] = generatePrograms();

const compiled = new Map<string, Compiled>();
const oracles = new Map<string, Oracle>();
const started = Date.now();
/** Programs compiled (and transformed for the oracle) together (two chunks): each is one synchronous
 *  step, which must stay well under the 60 s vitest's worker may block. */
const CHUNK = 120;

beforeAll(async () => {
  writePrograms(generated);
  const entries = [...handWritten, ...generated.map((g) => g.file)];
  for (let i = 0; i < entries.length; i += CHUNK) {
    const chunk = entries.slice(i, i + CHUNK);
    for (const [entry, c] of await inTurn(() => compileBatch(chunk))) compiled.set(entry, c);
    const oracle = await inTurn(() => new Oracle(chunk));
    for (const entry of chunk) oracles.set(entry, oracle);
  }
}, 600_000); // a hang guard: the two chunks took over 4 minutes at a load of 10 beside another test file

afterAll(() => {
  const n = handWritten.length + generated.length;
  console.log(`differential corpus: ${n} programs (${handWritten.length} hand-written, ${generated.length} generated), ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

function get(entry: string): Compiled {
  const c = compiled.get(entry)!;
  expect(c.errors, `${entry} must compile`).toBe("");
  expect(oracles.get(entry)!.errors.get(entry), `the oracle must transform ${entry}`).toBeUndefined();
  return c;
}

describe("differential corpus", () => {
  it("has at least 150 programs", () => {
    expect(handWritten.length + generated.length).toBeGreaterThanOrEqual(150);
  });

  it("compileBatch emits exactly the C of compile()", () => {
    for (const entry of [`${CORPUS}/init_order.ts`, `${CORPUS}/fnptr.ts`, generated[0]!.file]) {
      expect(get(entry).files).toEqual(compile(entry).files);
    }
  }, 60_000);

  describe("hand-written programs", () => {
    it.concurrent.each(handWritten)("%s", async (entry) => {
      const r = await runThree(get(entry), oracles.get(entry)!);
      expectSame(entry, r.node, r.hosted, r.oracle);
    }, 120_000);
  });

  describe("generated programs agree with each other and with the model", () => {
    it.concurrent.each(generated.map((g) => [g.name, g] as const))("%s", async (_name, g) => {
      const { node, hosted, oracle: asWritten } = await runThree(get(g.file), oracles.get(g.file)!);
      expectSame(g.file, node, hosted, asWritten);
      if (g.stdout !== undefined) {
        expect(node.stdout).toBe(g.stdout);
        expect(node.status).toBe(0);
      }
      if (g.panic) {
        expect(node.status).toBe(3);
        expect(node.stdout).toMatch(new RegExp(`^start\\npanic at ${literal(g.file)}:${g.panic.line}:\\d+: ${literal(g.panic.what)}\\n$`));
      }
    }, 120_000);
  });
});
