// Incremental KTAP v1 parser: feed serial lines as they arrive, read a result tree at any time.
// Written for Keel rather than using npm tap-parser, which misses KTAP's 2-space nesting
// and folds directives into test names.
import { classifyLine, type Directive, type KtapLine } from './ktap_line.ts';

export type { Directive } from './ktap_line.ts';

/** One test result, with the subtests printed (indented) before it. */
export interface KtapTest {
  number: number;
  name: string;
  ok: boolean;
  directive?: Directive;
  /** Text after the directive (e.g. the SKIP reason), or after an unknown `#` comment. */
  comment?: string;
  /** `# ...` lines printed before this result at its own level, in order. */
  diagnostics: string[];
  subtests: KtapTest[];
  /** The plan `1..N` of the subtests, if they had one. */
  subtestPlan?: number;
  /** 1-based index of the result line in the fed stream (0 for a synthetic result). */
  line: number;
  /** Set on a synthetic result standing for subtests whose own result line never came. */
  cutOff?: true;
}

/** Something wrong with the stream as a whole, located by line and test path. */
export interface KtapProblem {
  line: number;
  /** Test numbers from the top, e.g. [3, 2] for subtest 2 of test 3; [] for the top level. */
  path: number[];
  message: string;
}

export interface KtapDocument {
  /** The version line seen, e.g. "KTAP version 1"; undefined when no KTAP stream started. */
  version?: string;
  plan?: number;
  tests: KtapTest[];
  /** True when a header came, every level had a plan and all planned results arrived. */
  complete: boolean;
  problems: KtapProblem[];
  /** Lines that are not KTAP (console output), kept for context. */
  noise: string[];
}

/** One open level of nesting: the top-level stream or a subtest block. */
interface Level {
  indent: number;
  /** Path of the test this level belongs to: its number is the parent's next result. */
  path: number[];
  plan?: number;
  planLine: number;
  tests: KtapTest[];
  /** Diagnostics of a nested block before its plan and results (e.g. "Subtest: name"): they describe the parent test. */
  header: string[];
  pendingDiagnostics: string[];
  /** A finished nested block waiting for this level's next result line. */
  pendingChild?: Level;
}

const openLevel = (indent: number, path: number[]): Level => ({
  indent,
  path,
  planLine: 0,
  tests: [],
  header: [],
  pendingDiagnostics: [],
});

/** Parses KTAP v1 incrementally; see feed() and end(). */
export class KtapParser {
  #version: string | undefined;
  #stack: Level[] = [];
  #top: Level | undefined;
  #problems: KtapProblem[] = [];
  #noise: string[] = [];
  #lineNo = 0;
  #ended = false;
  /** Set by any problem that means results may be missing or misnumbered. */
  #broken = false;
  #onResult: ((test: KtapTest, path: number[]) => void) | undefined;

  /** onResult is called for every result line as soon as it is parsed (path includes its number). */
  constructor(onResult?: (test: KtapTest, path: number[]) => void) {
    this.#onResult = onResult;
  }

  /** Feeds one line (without its line ending). */
  feed(raw: string): void {
    this.#lineNo++;
    const line = raw.replace(/\r/g, '');
    if (this.#ended) {
      this.#noise.push(line);
      return;
    }
    const parsed = classifyLine(line);
    if (!this.#top) return this.#beforeHeader(parsed, line);
    this.#inStream(parsed, line);
  }

  /** Declares the stream over (QEMU exited): reports cut-off levels and returns the document. */
  end(): KtapDocument {
    if (!this.#ended) {
      this.#ended = true;
      this.#finish();
    }
    return this.document();
  }

  /** The document as parsed so far (complete stays false until the plan is met). */
  document(): KtapDocument {
    const top = this.#top;
    return {
      ...(this.#version !== undefined && { version: this.#version }),
      ...(top?.plan !== undefined && { plan: top.plan }),
      tests: top?.tests ?? [],
      complete: this.#planMet() && !this.#broken && this.#stack.length <= 1 && !top?.pendingChild,
      problems: [...this.#problems],
      noise: [...this.#noise],
    };
  }

  #beforeHeader(parsed: KtapLine, line: string): void {
    if (parsed.kind !== 'version') {
      this.#noise.push(line);
      return;
    }
    if (parsed.noise) this.#noise.push(parsed.noise);
    this.#version = parsed.version;
    // Leading noise on the header line means the indent is not meaningful: the top level is 0.
    this.#top = openLevel(parsed.noise ? 0 : parsed.indent, []);
    this.#stack.push(this.#top);
  }

  #inStream(parsed: KtapLine, line: string): void {
    const current = this.#stack.at(-1)!;
    if (parsed.kind === 'version' && parsed.indent > current.indent) {
      this.#stack.push(openLevel(parsed.indent, [...current.path, current.tests.length + 1]));
      if (current.pendingChild) {
        this.#problem(current.path, `subtests of test ${current.tests.length + 1} were followed by more subtests instead of its result`);
      }
      return;
    }
    if (parsed.indent > current.indent && parsed.kind === 'diagnostic') {
      // e.g. a "# Subtest: name" line printed just before the nested version line.
      current.pendingDiagnostics.push(parsed.text);
      return;
    }
    const depth = this.#stack.findIndex((level) => level.indent === parsed.indent);
    if (depth < 0 && (parsed.kind === 'result' || parsed.kind === 'plan')) {
      // A result or plan no level can own: a result may be lost, so it is a problem, not noise.
      const what = parsed.kind === 'result' ? `result "${line.trim()}"` : `plan "${line.trim()}"`;
      this.#problem(current.path, `${what} at indentation ${parsed.indent} matches no open level (${this.#stack.map((l) => l.indent).join(', ')})`);
      this.#noise.push(line);
      return;
    }
    if (depth < 0 || parsed.kind === 'unknown' || parsed.kind === 'version') {
      if (parsed.kind === 'version') {
        this.#problem(current.path, this.#planMet() ? 'a second KTAP stream started (did the machine reboot?)' : `unexpected version line: ${line.trim()}`);
      }
      this.#noise.push(line);
      return;
    }
    // A result at a shallower indent closes the nested blocks above it; other lines only read them.
    if (parsed.kind === 'result') this.#closeAbove(depth);
    const level = this.#stack[depth]!;
    if (parsed.kind === 'plan') this.#plan(level, parsed.count);
    else if (parsed.kind === 'diagnostic') this.#diagnostic(level, parsed.text);
    else this.#result(level, parsed);
  }

  /** Pops the levels above depth; each becomes its parent's pending subtests. */
  #closeAbove(depth: number): void {
    while (this.#stack.length - 1 > depth) {
      const child = this.#stack.pop()!;
      this.#checkPlanMet(child);
      this.#stack.at(-1)!.pendingChild = child;
    }
  }

  #diagnostic(level: Level, text: string): void {
    const beforeAnything = level !== this.#top && level.plan === undefined && level.tests.length === 0;
    (beforeAnything ? level.header : level.pendingDiagnostics).push(text);
  }

  #plan(level: Level, count: number): void {
    if (level.plan !== undefined) {
      this.#problem(level.path, `second plan line 1..${count} (already had 1..${level.plan})`);
      return;
    }
    level.plan = count;
    level.planLine = this.#lineNo;
    if (level.tests.length > count) {
      this.#problem(level.path, `plan 1..${count} but ${level.tests.length} results came before it`);
    }
  }

  #result(level: Level, parsed: Extract<KtapLine, { kind: 'result' }>): void {
    const expected = (level.tests.at(-1)?.number ?? 0) + 1;
    const path = [...level.path, parsed.number];
    if (level.tests.some((t) => t.number === parsed.number)) {
      this.#problem(path, `duplicate test number ${parsed.number} ("${parsed.name}")`);
    } else if (parsed.number !== expected) {
      this.#problem(path, `test number ${parsed.number} out of order (expected ${expected})`);
    }
    if (level.plan !== undefined && parsed.number > level.plan) {
      this.#problem(path, `test number ${parsed.number} is beyond the plan 1..${level.plan}`);
    }
    const child = level.pendingChild;
    level.pendingChild = undefined;
    const test: KtapTest = {
      number: parsed.number,
      name: parsed.name,
      ok: parsed.ok,
      ...(parsed.directive && { directive: parsed.directive }),
      ...(parsed.comment !== undefined && { comment: parsed.comment }),
      // Diagnostics printed inside the block after its last result belong to the parent result.
      diagnostics: [...(child?.header ?? []), ...(child?.pendingDiagnostics ?? []), ...level.pendingDiagnostics],
      subtests: child?.tests ?? [],
      ...(child?.plan !== undefined && { subtestPlan: child.plan }),
      line: this.#lineNo,
    };
    level.pendingDiagnostics = [];
    if (child && test.ok && !test.directive && child.tests.some(failed)) {
      this.#problem(path, `test ${parsed.number} is "ok" although one of its subtests failed`, false);
    }
    level.tests.push(test);
    this.#onResult?.(test, path);
  }

  /** True once the top level has a plan and all its planned results. */
  #planMet(): boolean {
    const top = this.#top;
    return top?.plan !== undefined && top.tests.length >= top.plan;
  }

  /** Reports what the end of input left unfinished: open blocks and unmet plans. */
  #finish(): void {
    if (!this.#top) {
      this.#problem([], 'no KTAP version line: the kernel never started its test suite');
      return;
    }
    // Innermost first, so a cut-off block becomes a synthetic failed result of its parent.
    while (this.#stack.length > 0) {
      const level = this.#stack.pop()!;
      this.#checkPlanMet(level);
      const parent = this.#stack.at(-1);
      if (parent) parent.pendingChild = level;
      if (level.pendingChild) this.#cutOffResult(level);
    }
  }

  /** Records subtests whose parent result never came as a failed, synthetic result. */
  #cutOffResult(level: Level): void {
    const child = level.pendingChild!;
    const number = level.tests.length + 1;
    const diagnostics = [...level.pendingDiagnostics, ...child.header, ...child.pendingDiagnostics];
    const subtest = diagnostics.find((d) => d.startsWith('Subtest:'));
    this.#problem(child.path, `stream ended inside the subtests of test ${number}, before its result line`);
    level.tests.push({
      number,
      name: subtest ? subtest.slice('Subtest:'.length).trim() : `(test ${number}, cut off)`,
      ok: false,
      diagnostics,
      subtests: child.tests,
      ...(child.plan !== undefined && { subtestPlan: child.plan }),
      line: 0,
      cutOff: true,
    });
    level.pendingChild = undefined;
  }

  #checkPlanMet(level: Level): void {
    if (level.plan === undefined) {
      this.#problem(level.path, `no plan line (1..N): cannot tell whether all ${level.tests.length} results arrived`);
    } else if (level.tests.length < level.plan) {
      this.#problem(level.path, `stream ended after ${level.tests.length} of ${level.plan} planned results (crash?)`);
    }
  }

  /** Records a problem; most mean results may be missing, so the stream is no longer complete. */
  #problem(path: number[], message: string, breaksCompleteness = true): void {
    this.#problems.push({ line: this.#lineNo, path, message });
    if (breaksCompleteness) this.#broken = true;
  }
}

/** True for a result that counts as a failure: not ok without SKIP/TODO/XFAIL, or TIMEOUT/ERROR. */
export function failed(test: KtapTest): boolean {
  if (test.directive === 'TIMEOUT' || test.directive === 'ERROR') return true;
  if (test.ok) return false;
  return test.directive !== 'SKIP' && test.directive !== 'TODO' && test.directive !== 'XFAIL';
}

/** Parses a whole stream at once (lines or text) and ends it. */
export function parseKtap(input: string | Iterable<string>): KtapDocument {
  const parser = new KtapParser();
  const lines = typeof input === 'string' ? input.split('\n') : input;
  for (const line of lines) parser.feed(line);
  return parser.end();
}
