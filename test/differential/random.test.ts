// Differential fuzzing: fast-check generates random arithmetic expressions (random widths,
// operators, conversions, literals including edge values); each batch becomes one program
// run both ways, which must agree with each other and with the reference model. Expressions
// that cannot panic are batched, and each program ends with one that panics. The oracle
// (the TypeScript as written, test/oracle) runs each program too.
// KEEL_TEST_ALL=1 runs a heavier variant.
import fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectSame, literal } from "./compare";
import { Oracle } from "../oracle";
import { compileBatch, inTurn, runThree } from "./harness";
import { exprArb, RANDOM_DIR, RandomProgram } from "./random_exprs";

const ALL = process.env.KEEL_TEST_ALL === "1";
const PROGRAMS = ALL ? 24 : 4;
const PER_PROGRAM = ALL ? 200 : 120;
/** Programs compiled together. */
const CHUNK = 4;

let checked = 0;
afterAll(() => console.log(`random differential: ${checked} expressions checked in ${PROGRAMS} programs`));

describe("random expression programs", () => {
  it("agree between run-node, run-hosted and the model", async () => {
    const seed = Number(process.env.KEEL_SEED ?? Date.now() % 1_000_000);
    const where = `seed ${seed}: rerun with KEEL_SEED=${seed}`;
    // fast-check draws the expressions; all programs are compiled in one batch and run
    // concurrently (no shrinking: a failure names its program file and the seed).
    const batches = fc.sample(fc.array(exprArb(), { minLength: PER_PROGRAM * 3, maxLength: PER_PROGRAM * 3 }), { numRuns: PROGRAMS, seed });
    fs.mkdirSync(RANDOM_DIR, { recursive: true });
    const programs = batches.map((exprs, i) => {
      // Expressions that cannot panic first, then the first one that panics deterministically.
      const p = new RandomProgram();
      for (const e of exprs) {
        if (p.count >= PER_PROGRAM) break;
        const probe = new RandomProgram();
        if (probe.add(e) && !probe.panic) p.add(e);
      }
      for (const e of exprs) if (!p.panic) p.add(e);
      const file = path.join(RANDOM_DIR, `random_${i}.ts`).split(path.sep).join("/");
      fs.writeFileSync(file, p.source());
      return { p, file };
    });
    // Compiled and transformed four programs at a time, each step its own turn (inTurn): one
    // compilation of all 24 heavy programs would block the worker for most of a minute.
    const chunks = await Promise.all(
      Array.from({ length: Math.ceil(programs.length / CHUNK) }, async (_, k) => {
        const files = programs.slice(k * CHUNK, (k + 1) * CHUNK).map((x) => x.file);
        return { compiled: await inTurn(() => compileBatch(files)), oracle: await inTurn(() => new Oracle(files)) };
      }),
    );
    await Promise.all(
      programs.map(async ({ p, file }, i) => {
        const { compiled, oracle } = chunks[Math.floor(i / CHUNK)]!;
        const c = compiled.get(file)!;
        expect(c.errors, `${file} must compile (${where})`).toBe("");
        expect(oracle.errors.get(file), `the oracle must transform ${file}`).toBeUndefined();
        const { node, hosted, oracle: asWritten } = await runThree(c, oracle);
        expectSame(`${file} (${where})`, node, hosted, asWritten);
        const panic = p.expectedPanic();
        const tail = panic ? `panic at ${literal(file)}:${panic.line}:\\d+: ${literal(panic.what)}\\n` : "";
        expect(node.stdout, `${file} vs the model (${where})`).toMatch(new RegExp(`^${literal(p.expectedStdout())}${tail}$`));
        expect(node.status, `${file} exit status (${where})`).toBe(panic ? 3 : 0);
        checked += p.count;
      }),
    );
  }, ALL ? 1_200_000 : 300_000);
});
