// Random whole programs (random_programs.ts) run three ways: keelc's JavaScript backend,
// its C backend (ASan + UBSan) and the oracle (the TypeScript as written, test/oracle). All
// three must print the same trace and end the same way. Programs are batched behind one
// entry each (one compilation, one gcc build, one executable per batch).
//
// `make test` checks 200 programs, `make test-all` (KEEL_TEST_ALL=1) 2,000. Each run draws
// a new base seed; program i of the run has seed base + i. Replay a run with KEEL_SEED=base,
// one program with KEEL_SEED=<its seed> KEEL_PROGRAMS=1. KEEL_GEN_OFF=importAlias,breakInCase
// switches features off (names of GenOptions).
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Oracle } from "../oracle";
import { expectSame } from "./compare";
import { compileBatch, inTurn, runThree, type Compiled } from "./harness";
import { ALL_FEATURES, generateBatch, PROGRAMS_DIR, type Batch, type GenOptions } from "./random_programs";

const ALL = process.env.KEEL_TEST_ALL === "1";
const PROGRAMS = Number(process.env.KEEL_PROGRAMS ?? (ALL ? 2000 : 200));
/** Programs per batch: one batch compiles synchronously, and must stay well under the 60 s a worker may block
 *  (50 programs: about 5 s on an idle machine, 17 s at a load of 9). Each batch costs a compiler project, an
 *  oracle project, an oracle process and a gcc run besides its programs: 4 batches, not 8, for make test's 200. */
const PER_BATCH = 50;
const BASE = Number(process.env.KEEL_SEED ?? (Date.now() % 1_000_000) * 10_000);
const OFF = (process.env.KEEL_GEN_OFF ?? "").split(",").filter(Boolean);
const OPTIONS: GenOptions = { ...ALL_FEATURES, ...Object.fromEntries(OFF.map((k) => [k, false])) };

const batches: Batch[] = [];
for (let first = 0; first < PROGRAMS; first += PER_BATCH) {
  const seeds = Array.from({ length: Math.min(PER_BATCH, PROGRAMS - first) }, (_, i) => BASE + first + i);
  batches.push(generateBatch(path.join(PROGRAMS_DIR, `b${batches.length}`), seeds, OPTIONS));
}

const started = Date.now();

beforeAll(() => {
  fs.rmSync(PROGRAMS_DIR, { recursive: true, force: true });
  for (const b of batches) {
    fs.mkdirSync(path.dirname(b.entry), { recursive: true });
    for (const [file, text] of b.files) fs.writeFileSync(file, text);
  }
});

afterAll(() => {
  console.log(`random programs: ${PROGRAMS} programs in ${batches.length} batches (base seed ${BASE}), 3 executions each, ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** The seed of the first program whose trace differs between two outputs (traces start with `p<i> `). */
function firstDiverging(b: Batch, a: string, c: string): string {
  const x = a.split("\n");
  const y = c.split("\n");
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  const m = /^p(\d+) /.exec(x[i] ?? "") ?? /^p(\d+) /.exec(y[i] ?? "");
  const seed = m ? b.seeds[Number(m[1])] : undefined;
  return seed === undefined
    ? `outputs differ at line ${i + 1}`
    : `program p${m![1]} (seed ${seed}) differs first, at line ${i + 1}: replay with KEEL_SEED=${seed} KEEL_PROGRAMS=1${OFF.length ? ` KEEL_GEN_OFF=${OFF.join(",")}` : ""}`;
}

describe("random whole programs", () => {
  it(`generates ${PROGRAMS} programs`, () => {
    expect(batches.reduce((n, b) => n + b.seeds.length, 0)).toBe(PROGRAMS);
  });

  it.concurrent.each(batches.map((b) => [b.entry, b] as const))("%s", async (entry, b) => {
    // Each batch compiled on its own, its synchronous steps in turn with the other batches'
    // (inTurn): no stretch long enough to starve the runner.
    const c: Compiled = await inTurn(() => compileBatch([entry]).get(entry)!);
    const oracle = await inTurn(() => new Oracle([entry]));
    const where = `seeds ${b.seeds[0]}..${b.seeds[b.seeds.length - 1]} (rerun with KEEL_SEED=${BASE}${OFF.length ? ` KEEL_GEN_OFF=${OFF.join(",")}` : ""})`;
    expect(c.errors, `${entry} must compile, ${where}`).toBe("");
    expect(oracle.errors.get(entry), `the oracle must transform ${entry}`).toBeUndefined();
    const r = await runThree(c, oracle);
    const diverging = r.oracle.stdout !== r.node.stdout ? firstDiverging(b, r.oracle.stdout, r.node.stdout) : firstDiverging(b, r.node.stdout, r.hosted.stdout);
    expectSame(`${entry}, ${where}; ${diverging}`, r.node, r.hosted, r.oracle);
    // A trace that ran to its end: every program printed its last line.
    expect(r.oracle.stdout.match(/^p\d+ end /gm)?.length, `${entry}: every program ran to its end`).toBe(b.seeds.length);
  }, 600_000);
});
