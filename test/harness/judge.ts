// The harness's judgement: a QEMU run plus its parsed KTAP become a list of failures.
// Pure, so every way a boot can fail is proven by fast unit tests without QEMU.
import { explainExit, type QemuExit, type Verdict } from '../../qemu/verdict.ts';
import { failed, type KtapDocument, type KtapTest } from './ktap.ts';

/** What the judgement needs from a run (a QemuRun has all of it). */
export interface RunFacts extends QemuExit {
  verdict: Verdict;
  lines: string[];
  timeoutMs?: number;
}

export type FailureKind = 'exit' | 'no-ktap' | 'ktap' | 'test' | 'panic';

export interface Failure {
  kind: FailureKind;
  message: string;
  /** For 'test': the failing test's numbers from the top level, e.g. [3, 2]. */
  path?: number[];
  /** TypeScript source location (file:line or file:line:col) from a diagnostic or panic line. */
  location?: string;
}

export interface Judgement {
  passed: boolean;
  /** The run's verdict, downgraded to 'fail' when QEMU said 33 but the KTAP disagrees. */
  verdict: Verdict;
  failures: Failure[];
  /** The failures as text, one per paragraph, for an assertion message. */
  summary(): string;
}

/**
 * The kernel's panic line: `panic at kernel/x.ts:LINE:COL: message` as keelc lowers it, or
 * `panic: message` from an unlowered call. Anchored at the line start so a diagnostic that
 * merely mentions a panic does not count.
 */
const PANIC = /^\s*panic(?: at (\S+?\.ts:\d+(?::\d+)?))?: (.*)$/;
/** Terminal escape sequences (colours, cursor moves) that may precede a console line. */
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** A TypeScript location inside a diagnostic, e.g. `kernel/mm/frame.ts:42:5: expected 3, got 4`. */
const LOCATION = /(\S+\.ts:\d+(?::\d+)?)/;

/**
 * Judges one boot: only status 33 with a complete, all-passing KTAP stream and no panic
 * passes. With `expected` (the top-level test names of the kernel's build manifest), the
 * stream must also plan and report exactly those tests, in that order: a kernel that plans
 * `1..0`, or fewer tests than it was built with, fails even with status 33.
 */
export function judge(run: RunFacts, doc: KtapDocument, expected?: readonly string[]): Judgement {
  const failures: Failure[] = [];
  if (run.verdict !== 'pass') failures.push({ kind: 'exit', message: explainExit(run, run.timeoutMs) });
  failures.push(...panics(run.lines));
  if (doc.version === undefined) {
    failures.push({ kind: 'no-ktap', message: 'no KTAP output: the kernel never printed "KTAP version 1"' });
  } else {
    for (const problem of doc.problems) {
      const where = problem.path.length > 0 ? ` (test ${problem.path.join('.')})` : '';
      failures.push({ kind: 'ktap', message: `KTAP line ${problem.line}${where}: ${problem.message}` });
    }
    if (!doc.complete && doc.problems.length === 0) {
      failures.push({ kind: 'ktap', message: 'the KTAP stream is incomplete' });
    }
  }
  if (expected !== undefined && doc.version !== undefined) failures.push(...manifestMismatches(doc, expected));
  failures.push(...failedTests(doc.tests, [], []));
  const hung = unfinishedTest(run.lines, doc);
  if (hung) failures.push(hung);
  const verdict = run.verdict === 'pass' && failures.length > 0 ? 'fail' : run.verdict;
  return { passed: failures.length === 0, verdict, failures, summary: () => summarize(verdict, failures) };
}

/** Where the stream disagrees with the build manifest: its plan, or a test's name at its position. */
function manifestMismatches(doc: KtapDocument, expected: readonly string[]): Failure[] {
  const out: Failure[] = [];
  if (doc.plan !== expected.length) {
    const plan = doc.plan === undefined ? 'no plan' : `plan 1..${doc.plan}`;
    out.push({ kind: 'ktap', message: `the kernel printed ${plan}, but its build manifest lists ${expected.length} top-level tests` });
  }
  expected.forEach((name, i) => {
    const got = doc.tests[i];
    if (got !== undefined && got.name !== name) {
      out.push({ kind: 'ktap', message: `top-level test ${i + 1} is "${got.name}", the build manifest expects "${name}"` });
    }
  });
  return out;
}

/** The kernel's line before each top-level test (kernel/lib/ktap.ts): `# start N name`. */
const START = /^# start (\d+) (.*)$/;

/** The test whose start line came last with no result after it: where a cut-off run stopped. */
function unfinishedTest(lines: readonly string[], doc: KtapDocument): Failure | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = START.exec(lines[i]!.replace(ANSI, ''));
    if (!m) continue;
    const number = Number(m[1]);
    if (doc.tests.some((t) => t.number === number && !t.cutOff)) return undefined;
    return { kind: 'test', message: `${number} ${m[2]}: started and never finished (the run stopped in it)`, path: [number] };
  }
  return undefined;
}

/** Failures for failed tests; a parent whose subtests explain its failure is not repeated. */
function failedTests(tests: KtapTest[], path: number[], names: string[]): Failure[] {
  return tests.flatMap((test) => {
    const here = [...path, test.number];
    const chain = [...names, test.name || `test ${test.number}`];
    const inner = failedTests(test.subtests, here, chain);
    if (!failed(test) || inner.length > 0) return inner;
    return [testFailure(test, here, chain)];
  });
}

/** Describes one failed test with its diagnostics and the first TypeScript location among them. */
export function testFailure(test: KtapTest, path: number[], names: string[]): Failure {
  const location = test.diagnostics.map((d) => LOCATION.exec(d)?.[1]).find((l) => l !== undefined);
  const directive = test.directive ? ` # ${test.directive}${test.comment ? ` ${test.comment}` : ''}` : '';
  const why = test.cutOff ? 'the stream ended before its result line' : `not ok${directive}`;
  const diagnostics = test.diagnostics.filter((d) => !START.test(`# ${d}`));
  const lines = [`${path.join('.')} ${names.join(' > ')}: ${why}`, ...diagnostics.map((d) => `    # ${d}`)];
  return { kind: 'test', message: lines.join('\n'), path, ...(location && { location }) };
}

/** Finds panic lines in the serial output. */
export function panics(lines: string[]): Failure[] {
  return lines.flatMap((line) => {
    const match = PANIC.exec(line.replace(ANSI, ''));
    if (!match) return [];
    const [, location, message] = match;
    if (!location) return [{ kind: 'panic' as const, message: `kernel panic: ${message}` }];
    return [{ kind: 'panic' as const, message: `kernel panic at ${location}: ${message}`, location }];
  });
}

function summarize(verdict: Verdict, failures: Failure[]): string {
  if (failures.length === 0) return 'passed: status 33 and a complete KTAP stream with every test ok';
  return [`${verdict}: ${failures.length} problem(s)`, ...failures.map((f) => `- ${f.message}`)].join('\n');
}
