// The KTAP v1 parser: each construct of ktap.rst, then each way a stream can be broken.
import { describe, expect, it } from 'vitest';
import { failed, KtapParser, parseKtap, type KtapTest } from './ktap.ts';
import { classifyLine } from './ktap_line.ts';

/** Joins lines so the fixtures below read like serial output. */
const ktap = (...lines: string[]) => lines.join('\n');

/** Reduces a test tree to what the tables compare. */
const shape = (tests: KtapTest[]): unknown[] =>
  tests.map((t) => ({
    n: t.number,
    name: t.name,
    ok: t.ok,
    ...(t.directive && { directive: t.directive }),
    ...(t.comment !== undefined && { comment: t.comment }),
    ...(t.diagnostics.length > 0 && { diagnostics: t.diagnostics }),
    ...(t.subtests.length > 0 && { subtests: shape(t.subtests) }),
  }));

describe('classifyLine', () => {
  it.each([
    ['KTAP version 1', { kind: 'version', indent: 0, version: 'KTAP version 1', noise: '' }],
    ['TAP version 13', { kind: 'version', indent: 0, version: 'TAP version 13', noise: '' }],
    ['TAP version 14', { kind: 'version', indent: 0, version: 'TAP version 14', noise: '' }],
    ['  KTAP version 1', { kind: 'version', indent: 2, version: 'KTAP version 1', noise: '' }],
    ['\x1b[2J\x1b[HKTAP version 1', { kind: 'version', indent: 0, version: 'KTAP version 1', noise: '\x1b[2J\x1b[H' }],
    ['1..12', { kind: 'plan', indent: 0, count: 12 }],
    ['1..0 # SKIP nothing to test', { kind: 'plan', indent: 0, count: 0 }],
    ['ok 1 alloc_one', { kind: 'result', indent: 0, ok: true, number: 1, name: 'alloc_one' }],
    ['not ok 7 frees merge', { kind: 'result', indent: 0, ok: false, number: 7, name: 'frees merge' }],
    ['ok 2', { kind: 'result', indent: 0, ok: true, number: 2, name: '' }],
    ['ok 3 - dashed name', { kind: 'result', indent: 0, ok: true, number: 3, name: 'dashed name' }],
    ['    ok 1 deep', { kind: 'result', indent: 4, ok: true, number: 1, name: 'deep' }],
    ['ok 1 a # SKIP no NX bit', { kind: 'result', indent: 0, ok: true, number: 1, name: 'a', directive: 'SKIP', comment: 'no NX bit' }],
    ['ok 1 a #SKIP', { kind: 'result', indent: 0, ok: true, number: 1, name: 'a', directive: 'SKIP' }],
    ['ok 1 a # skip', { kind: 'result', indent: 0, ok: true, number: 1, name: 'a', directive: 'SKIP' }],
    ['not ok 1 a # TODO not yet', { kind: 'result', indent: 0, ok: false, number: 1, name: 'a', directive: 'TODO', comment: 'not yet' }],
    ['not ok 1 a # XFAIL', { kind: 'result', indent: 0, ok: false, number: 1, name: 'a', directive: 'XFAIL' }],
    ['not ok 1 a # TIMEOUT 5s', { kind: 'result', indent: 0, ok: false, number: 1, name: 'a', directive: 'TIMEOUT', comment: '5s' }],
    ['not ok 1 a # ERROR bad setup', { kind: 'result', indent: 0, ok: false, number: 1, name: 'a', directive: 'ERROR', comment: 'bad setup' }],
    ['ok 1 a # took 3 ms', { kind: 'result', indent: 0, ok: true, number: 1, name: 'a', comment: 'took 3 ms' }],
    ['# kernel/mm/frame.ts:42:5: expected 3, got 4', { kind: 'diagnostic', indent: 0, text: 'kernel/mm/frame.ts:42:5: expected 3, got 4' }],
    ['  # Subtest: frame', { kind: 'diagnostic', indent: 2, text: 'Subtest: frame' }],
    ['#', { kind: 'diagnostic', indent: 0, text: '' }],
    ['okay 1 not a result', { kind: 'unknown', indent: 0, text: 'okay 1 not a result' }],
    ['ok one', { kind: 'unknown', indent: 0, text: 'ok one' }],
    ['Keel booting', { kind: 'unknown', indent: 0, text: 'Keel booting' }],
    ['KTAP version 1 is what we print', { kind: 'unknown', indent: 0, text: 'KTAP version 1 is what we print' }],
  ])('%j', (line, expected) => {
    expect(classifyLine(line)).toEqual(expected);
  });
});

describe('parseKtap: constructs', () => {
  it.each([
    {
      what: 'a flat passing suite',
      input: ktap('KTAP version 1', '1..2', 'ok 1 a', 'ok 2 b'),
      tests: [
        { n: 1, name: 'a', ok: true },
        { n: 2, name: 'b', ok: true },
      ],
    },
    {
      what: 'diagnostics attach to the next result only',
      input: ktap('KTAP version 1', '1..2', '# kernel/mm/frame.ts:42:5: expected 3, got 4', '# second line', 'not ok 1 frame_alloc', 'ok 2 b'),
      tests: [
        { n: 1, name: 'frame_alloc', ok: false, diagnostics: ['kernel/mm/frame.ts:42:5: expected 3, got 4', 'second line'] },
        { n: 2, name: 'b', ok: true },
      ],
    },
    {
      what: 'directives kept apart from the name',
      input: ktap('KTAP version 1', '1..3', 'ok 1 nx # SKIP no NX', 'not ok 2 huge pages # TODO', 'not ok 3 slow # TIMEOUT'),
      tests: [
        { n: 1, name: 'nx', ok: true, directive: 'SKIP', comment: 'no NX' },
        { n: 2, name: 'huge pages', ok: false, directive: 'TODO' },
        { n: 3, name: 'slow', ok: false, directive: 'TIMEOUT' },
      ],
    },
    {
      what: 'console noise before the header, between results and on the header line',
      input: ktap('GRUB loading.', 'Keel: memory 127 MiB', '\x1b[0mKTAP version 1', '1..2', '[frame] 3 regions', 'ok 1 a', 'random text', 'ok 2 b'),
      tests: [
        { n: 1, name: 'a', ok: true },
        { n: 2, name: 'b', ok: true },
      ],
      noise: ['GRUB loading.', 'Keel: memory 127 MiB', '\x1b[0m', '[frame] 3 regions', 'random text'],
    },
    {
      what: 'result-like lines before the header are noise',
      input: ktap('ok 1 from the bootloader', 'KTAP version 1', '1..1', 'ok 1 a'),
      tests: [{ n: 1, name: 'a', ok: true }],
      noise: ['ok 1 from the bootloader'],
    },
    {
      what: 'carriage returns from the serial line',
      input: ktap('KTAP version 1\r', '1..1\r', '# why\r', 'not ok 1 a\r'),
      tests: [{ n: 1, name: 'a', ok: false, diagnostics: ['why'] }],
    },
    {
      what: 'TAP version 13 header',
      input: ktap('TAP version 13', '1..1', 'ok 1 a'),
      tests: [{ n: 1, name: 'a', ok: true }],
    },
    {
      what: 'subtests indented by two spaces become children of the next result',
      input: ktap(
        'KTAP version 1',
        '1..2',
        '  KTAP version 1',
        '  # Subtest: frame',
        '  1..2',
        '  ok 1 alloc',
        '  # kernel/mm/frame.ts:9:3: leak',
        '  not ok 2 free',
        'not ok 1 frame',
        'ok 2 other',
      ),
      tests: [
        {
          n: 1,
          name: 'frame',
          ok: false,
          diagnostics: ['Subtest: frame'],
          subtests: [
            { n: 1, name: 'alloc', ok: true },
            { n: 2, name: 'free', ok: false, diagnostics: ['kernel/mm/frame.ts:9:3: leak'] },
          ],
        },
        { n: 2, name: 'other', ok: true },
      ],
    },
    {
      what: 'a "# Subtest:" line before the nested version line (TAP14 style)',
      input: ktap('KTAP version 1', '1..1', '  # Subtest: page', '  KTAP version 1', '  1..1', '  ok 1 map', 'ok 1 page'),
      tests: [{ n: 1, name: 'page', ok: true, diagnostics: ['Subtest: page'], subtests: [{ n: 1, name: 'map', ok: true }] }],
    },
    {
      what: 'two levels of nesting',
      input: ktap(
        'KTAP version 1',
        '1..1',
        '  KTAP version 1',
        '  1..1',
        '    KTAP version 1',
        '    1..2',
        '    ok 1 x',
        '    ok 2 y',
        '  ok 1 inner',
        'ok 1 outer',
      ),
      tests: [
        {
          n: 1,
          name: 'outer',
          ok: true,
          subtests: [{ n: 1, name: 'inner', ok: true, subtests: [{ n: 1, name: 'x', ok: true }, { n: 2, name: 'y', ok: true }] }],
        },
      ],
    },
    {
      what: 'KUnit-style four-space nesting',
      input: ktap('KTAP version 1', '1..1', '    KTAP version 1', '    1..1', '    ok 1 x', 'ok 1 s'),
      tests: [{ n: 1, name: 's', ok: true, subtests: [{ n: 1, name: 'x', ok: true }] }],
    },
    {
      what: 'a diagnostic between a subtest block and its result belongs to the result',
      input: ktap('KTAP version 1', '1..1', '  KTAP version 1', '  1..1', '  ok 1 x', '# took 2 ms', 'ok 1 s'),
      tests: [{ n: 1, name: 's', ok: true, diagnostics: ['took 2 ms'], subtests: [{ n: 1, name: 'x', ok: true }] }],
    },
    {
      what: 'a trailing plan',
      input: ktap('KTAP version 1', 'ok 1 a', '1..1'),
      tests: [{ n: 1, name: 'a', ok: true }],
    },
    {
      what: 'lines after the last planned result are noise',
      input: ktap('KTAP version 1', '1..1', 'ok 1 a', 'Keel: all tests done, exiting'),
      tests: [{ n: 1, name: 'a', ok: true }],
      noise: ['Keel: all tests done, exiting'],
    },
  ])('$what', ({ input, tests, noise }) => {
    const doc = parseKtap(input);
    expect(doc.problems).toEqual([]);
    expect(doc.complete).toBe(true);
    expect(doc.version).toMatch(/TAP version/);
    expect(shape(doc.tests)).toEqual(tests);
    if (noise) expect(doc.noise).toEqual(noise);
  });
});

describe('parseKtap: broken streams', () => {
  it.each([
    {
      what: 'no header at all (the kernel never started its suite)',
      input: ktap('GRUB loading.', 'ok 1 a'),
      problem: /no KTAP version line/,
    },
    {
      what: 'cut off before the plan count (a crash)',
      input: ktap('KTAP version 1', '1..3', 'ok 1 a', 'ok 2 b'),
      problem: /after 2 of 3 planned results/,
    },
    {
      what: 'cut off right after the header',
      input: ktap('KTAP version 1', '1..3'),
      problem: /after 0 of 3 planned results/,
    },
    {
      what: 'no plan line',
      input: ktap('KTAP version 1', 'ok 1 a'),
      problem: /no plan line/,
    },
    {
      what: 'a result number out of order',
      input: ktap('KTAP version 1', '1..3', 'ok 1 a', 'ok 3 c', 'ok 2 b'),
      problem: /test number 3 out of order \(expected 2\)/,
    },
    {
      what: 'a duplicate result number',
      input: ktap('KTAP version 1', '1..2', 'ok 1 a', 'ok 1 a', 'ok 2 b'),
      problem: /duplicate test number 1/,
    },
    {
      what: 'more results than planned',
      input: ktap('KTAP version 1', '1..1', 'ok 1 a', 'ok 2 b'),
      problem: /test number 2 is beyond the plan 1..1/,
    },
    {
      what: 'a second plan line',
      input: ktap('KTAP version 1', '1..1', '1..2', 'ok 1 a'),
      problem: /second plan line/,
    },
    {
      what: 'a second stream after the first completed (a reboot)',
      input: ktap('KTAP version 1', '1..1', 'ok 1 a', 'KTAP version 1', '1..1', 'ok 1 a'),
      problem: /second KTAP stream/,
    },
    {
      what: 'a nested block with fewer results than its plan',
      input: ktap('KTAP version 1', '1..1', '  KTAP version 1', '  1..3', '  ok 1 x', 'ok 1 s'),
      problem: /after 1 of 3 planned results/,
    },
    {
      what: 'cut off inside a nested block',
      input: ktap('KTAP version 1', '1..2', '  KTAP version 1', '  # Subtest: frame', '  1..2', '  ok 1 x'),
      problem: /stream ended inside the subtests of test 1/,
    },
  ])('$what', ({ input, problem }) => {
    const doc = parseKtap(input);
    expect(doc.complete).toBe(false);
    expect(doc.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(problem));
  });

  it('keeps the finished subtests of a cut-off block under a synthetic failed result', () => {
    const doc = parseKtap(ktap('KTAP version 1', '1..2', '  KTAP version 1', '  # Subtest: frame', '  1..2', '  ok 1 x'));
    expect(doc.tests).toHaveLength(1);
    expect(doc.tests[0]).toMatchObject({ number: 1, name: 'frame', ok: false, cutOff: true, subtestPlan: 2 });
    expect(shape(doc.tests[0]!.subtests)).toEqual([{ n: 1, name: 'x', ok: true }]);
    expect(doc.problems.map((p) => p.message)).toEqual([
      'stream ended after 1 of 2 planned results (crash?)',
      'stream ended after 0 of 2 planned results (crash?)',
      'stream ended inside the subtests of test 1, before its result line',
    ]);
  });

  it('flags an "ok" parent with a failing subtest but keeps the stream complete', () => {
    const doc = parseKtap(ktap('KTAP version 1', '1..1', '  KTAP version 1', '  1..1', '  not ok 1 x', 'ok 1 s'));
    expect(doc.complete).toBe(true);
    expect(doc.problems.map((p) => p.message)).toEqual(['test 1 is "ok" although one of its subtests failed']);
  });

  it('locates problems by line and test path', () => {
    const doc = parseKtap(ktap('KTAP version 1', '1..1', '  KTAP version 1', '  1..2', '  ok 1 x', '  ok 1 y', '  ok 2 z', 'ok 1 s'));
    expect(doc.problems).toEqual([{ line: 6, path: [1, 1], message: 'duplicate test number 1 ("y")' }]);
  });
});

describe('KtapParser: incremental use', () => {
  it('reports each result as it arrives and completes with the last planned one', () => {
    const seen: string[] = [];
    const parser = new KtapParser((test, path) => seen.push(`${path.join('.')} ${test.name}`));
    for (const line of ['noise', 'KTAP version 1', '1..2', '  KTAP version 1', '  1..1', '  ok 1 x']) parser.feed(line);
    expect(seen).toEqual(['1.1 x']);
    expect(parser.document().complete).toBe(false);
    parser.feed('ok 1 s');
    parser.feed('ok 2 t');
    expect(seen).toEqual(['1.1 x', '1 s', '2 t']);
    expect(parser.document().complete).toBe(true);
    expect(parser.end().complete).toBe(true);
  });

  it('end() is idempotent and later lines are only noise', () => {
    const parser = new KtapParser();
    parser.feed('KTAP version 1');
    parser.feed('1..2');
    const first = parser.end();
    parser.feed('ok 1 late');
    const second = parser.end();
    expect(second.problems).toEqual(first.problems);
    expect(second.tests).toEqual([]);
    expect(second.noise).toEqual(['ok 1 late']);
  });
});

describe('failed', () => {
  const result = (ok: boolean, directive?: KtapTest['directive']): KtapTest => ({
    number: 1,
    name: 't',
    ok,
    ...(directive && { directive }),
    diagnostics: [],
    subtests: [],
    line: 1,
  });
  it.each([
    [true, undefined, false],
    [false, undefined, true],
    [true, 'SKIP', false],
    [false, 'SKIP', false],
    [false, 'TODO', false],
    [false, 'XFAIL', false],
    [false, 'TIMEOUT', true],
    [true, 'TIMEOUT', true],
    [false, 'ERROR', true],
  ] as const)('ok=%s directive=%s → failed=%s', (ok, directive, expected) => {
    expect(failed(result(ok, directive))).toBe(expected);
  });
});
