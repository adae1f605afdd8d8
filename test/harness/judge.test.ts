// The harness's failure detection, proven without QEMU: every fake run below that is not a clean
// pass must be judged a failure with a message that says why.
import { describe, expect, it } from 'vitest';
import { verdictOf, type QemuExit } from '../../qemu/verdict.ts';
import { judge, type RunFacts } from './judge.ts';
import { parseKtap } from './ktap.ts';

/** A fake run: the verdict comes from the same function the runner uses. */
const run = (exit: Partial<QemuExit>, lines: string[]): RunFacts => {
  const full: QemuExit = { status: null, timedOut: false, ...exit };
  return { ...full, verdict: verdictOf(full), lines, timeoutMs: 8000 };
};

const passingKtap = ['KTAP version 1', '1..2', 'ok 1 frame_alloc', 'ok 2 page_map'];

/** Judges a fake run whose serial output is also its KTAP input, as in a real boot. */
const judged = (exit: Partial<QemuExit>, lines: string[]) => judge(run(exit, lines), parseKtap(lines));

describe('judge', () => {
  it('passes status 33 with a complete, all-ok stream', () => {
    const j = judged({ status: 33 }, ['SeaBIOS', ...passingKtap]);
    expect(j).toMatchObject({ passed: true, verdict: 'pass', failures: [] });
    expect(j.summary()).toMatch(/^passed/);
  });

  it('passes skipped and expected-to-fail tests', () => {
    const j = judged({ status: 33 }, ['KTAP version 1', '1..3', 'ok 1 a # SKIP no NX', 'not ok 2 b # XFAIL', 'not ok 3 c # TODO']);
    expect(j.passed).toBe(true);
  });

  it.each([
    {
      what: 'status 0: a triple fault, even with all-ok KTAP before it',
      exit: { status: 0 },
      lines: passingKtap,
      verdict: 'triple-fault',
      kinds: ['exit'],
      message: /triple fault/,
    },
    {
      what: 'a timeout',
      exit: { timedOut: true, signal: 'SIGTERM' },
      lines: ['KTAP version 1', '1..2', 'ok 1 frame_alloc'],
      verdict: 'timeout',
      kinds: ['exit', 'ktap'],
      message: /no exit within 8000 ms/,
    },
    {
      what: 'status 33 but the stream stops short of its plan',
      exit: { status: 33 },
      lines: ['KTAP version 1', '1..3', 'ok 1 a', 'ok 2 b'],
      verdict: 'fail',
      kinds: ['ktap'],
      message: /after 2 of 3 planned results/,
    },
    {
      what: 'status 33 but no KTAP at all',
      exit: { status: 33 },
      lines: ['Keel booted'],
      verdict: 'fail',
      kinds: ['no-ktap'],
      message: /never printed "KTAP version 1"/,
    },
    {
      what: 'status 33 but a test is not ok',
      exit: { status: 33 },
      lines: ['KTAP version 1', '1..2', 'ok 1 a', '# kernel/mm/frame.ts:42:5: expected 3, got 4', 'not ok 2 frees merge'],
      verdict: 'fail',
      kinds: ['test'],
      message: /2 frees merge: not ok\n {4}# kernel\/mm\/frame.ts:42:5: expected 3, got 4/,
    },
    {
      what: 'status 33 but a result is missing its plan',
      exit: { status: 33 },
      lines: ['KTAP version 1', 'ok 1 a'],
      verdict: 'fail',
      kinds: ['ktap'],
      message: /no plan line/,
    },
    {
      what: 'status 33 but a test timed out inside the kernel',
      exit: { status: 33 },
      lines: ['KTAP version 1', '1..1', 'ok 1 a # TIMEOUT'],
      verdict: 'fail',
      kinds: ['test'],
      message: /1 a: not ok # TIMEOUT/,
    },
    {
      what: 'a kernel-reported failure status with a failing test',
      exit: { status: 35 },
      lines: ['KTAP version 1', '1..2', '# kernel/x.ts:1:1: boom', 'not ok 1 a', 'ok 2 b'],
      verdict: 'fail',
      kinds: ['exit', 'test'],
      message: /status 35 \(code 17\)/,
    },
    {
      what: 'a panic mid-suite',
      exit: { status: 35 },
      lines: ['KTAP version 1', '1..3', 'ok 1 a', 'panic at kernel/mm/heap.ts:88:9: heap corrupted'],
      verdict: 'fail',
      kinds: ['exit', 'panic', 'ktap'],
      message: /kernel panic at kernel\/mm\/heap.ts:88:9: heap corrupted/,
    },
    {
      what: 'QEMU killed by a signal',
      exit: { signal: 'SIGSEGV' },
      lines: passingKtap,
      verdict: 'crashed',
      kinds: ['exit'],
      message: /killed by SIGSEGV/,
    },
    {
      what: 'QEMU failing to start',
      exit: { spawnError: 'spawn qemu-system-x86_64 ENOENT' },
      lines: [],
      verdict: 'crashed',
      kinds: ['exit', 'no-ktap'],
      message: /could not be started: spawn qemu-system-x86_64 ENOENT/,
    },
    {
      what: 'status 1 (QEMU error)',
      exit: { status: 1 },
      lines: [],
      verdict: 'crashed',
      kinds: ['exit', 'no-ktap'],
      message: /status 1/,
    },
  ] as const)('fails: $what', ({ exit, lines, verdict, kinds, message }) => {
    const j = judged(exit, [...lines]);
    expect(j.passed).toBe(false);
    expect(j.verdict).toBe(verdict);
    expect(new Set(j.failures.map((f) => f.kind))).toEqual(new Set(kinds));
    expect(j.summary()).toMatch(message);
  });

  it('reports a failing subtest with its path and location, not its parent again', () => {
    const lines = [
      'KTAP version 1',
      '1..2',
      '  KTAP version 1',
      '  1..2',
      '  ok 1 alloc',
      '  # kernel/mm/frame.ts:42:5: expected 3, got 4',
      '  not ok 2 free',
      'not ok 1 frame',
      'ok 2 page',
    ];
    const j = judged({ status: 35 }, lines);
    const tests = j.failures.filter((f) => f.kind === 'test');
    expect(tests).toEqual([
      {
        kind: 'test',
        path: [1, 2],
        location: 'kernel/mm/frame.ts:42:5',
        message: '1.2 frame > free: not ok\n    # kernel/mm/frame.ts:42:5: expected 3, got 4',
      },
    ]);
  });

  it('reports a failed parent whose subtests all passed', () => {
    const lines = ['KTAP version 1', '1..1', '  KTAP version 1', '  1..1', '  ok 1 x', '# kernel/a.ts:3: teardown leaked', 'not ok 1 s'];
    const j = judged({ status: 35 }, lines);
    expect(j.failures.filter((f) => f.kind === 'test')).toMatchObject([{ path: [1], location: 'kernel/a.ts:3' }]);
  });

  it('reports subtests cut off by a crash', () => {
    const lines = ['KTAP version 1', '1..1', '  KTAP version 1', '  # Subtest: frame', '  1..2', '  ok 1 x'];
    const j = judged({ status: 0 }, lines);
    expect(j.summary()).toContain('1 frame: the stream ended before its result line');
  });

  it.each([
    ['panic: out of frames', { kind: 'panic', message: 'kernel panic: out of frames' }],
    ['  panic at kernel/mm/heap.ts:3:1: x', { kind: 'panic', message: 'kernel panic at kernel/mm/heap.ts:3:1: x', location: 'kernel/mm/heap.ts:3:1' }],
  ])('finds the panic line %j', (line, failure) => {
    expect(judged({ status: 3 }, [...passingKtap, line]).failures).toContainEqual(failure);
  });

  it('ignores a diagnostic that only mentions a panic', () => {
    expect(judged({ status: 33 }, ['KTAP version 1', '1..1', '# expect panic: none', 'ok 1 a']).passed).toBe(true);
  });

  it('finds a panic line behind console noise', () => {
    const j = judged({ status: 33 }, [...passingKtap, '\x1b[31mpanic at kernel/lib/panic.ts:10:3: oops']);
    expect(j.failures).toEqual([{ kind: 'panic', message: 'kernel panic at kernel/lib/panic.ts:10:3: oops', location: 'kernel/lib/panic.ts:10:3' }]);
  });
});

describe('judge with the build manifest (the top-level tests the kernel was built with)', () => {
  const manifest = ['frame_alloc', 'page_map'];
  const withManifest = (exit: Partial<QemuExit>, lines: string[]) => judge(run(exit, lines), parseKtap(lines), manifest);

  it('passes when the stream reports exactly the manifest tests', () => {
    expect(withManifest({ status: 33 }, passingKtap).passed).toBe(true);
  });

  it('fails 1..0 with status 33 when the manifest lists tests', () => {
    const j = withManifest({ status: 33 }, ['KTAP version 1', '1..0']);
    expect(j.passed).toBe(false);
    expect(j.verdict).toBe('fail');
    expect(j.summary()).toContain('the kernel printed plan 1..0, but its build manifest lists 2 top-level tests');
  });

  it('fails a stream that planned and ran fewer tests than were built', () => {
    const j = withManifest({ status: 33 }, ['KTAP version 1', '1..1', 'ok 1 frame_alloc']);
    expect(j.passed).toBe(false);
    expect(j.summary()).toContain('plan 1..1, but its build manifest lists 2');
  });

  it('fails a stream whose tests are not the ones built, in order', () => {
    const j = withManifest({ status: 33 }, ['KTAP version 1', '1..2', 'ok 1 page_map', 'ok 2 frame_alloc']);
    expect(j.passed).toBe(false);
    expect(j.summary()).toContain('top-level test 1 is "page_map", the build manifest expects "frame_alloc"');
  });

  it('without a manifest 1..0 stays a (vacuous) pass, as before', () => {
    expect(judged({ status: 33 }, ['KTAP version 1', '1..0']).passed).toBe(true);
  });
});

describe('results at an indentation no open level owns', () => {
  it('a not ok at a stray indentation is a problem, not noise', () => {
    const lines = ['KTAP version 1', '1..2', 'ok 1 a', '   not ok 1 lost', 'ok 2 b'];
    const j = judged({ status: 33 }, lines);
    expect(j.passed).toBe(false);
    expect(j.summary()).toContain('result "not ok 1 lost" at indentation 3 matches no open level (0)');
  });

  it('a plan at a stray indentation is a problem too', () => {
    const j = judged({ status: 33 }, ['KTAP version 1', '1..1', '     1..4', 'ok 1 a']);
    expect(j.passed).toBe(false);
    expect(j.summary()).toContain('plan "1..4" at indentation 5 matches no open level');
  });
});

describe('a run cut off inside a test', () => {
  it('names the test whose start line came last without a result', () => {
    const lines = ['KTAP version 1', '1..3', '# start 1 a', 'ok 1 a', '# start 2 spins', 'still going'];
    const j = judged({ status: undefined, timedOut: true }, lines);
    expect(j.passed).toBe(false);
    expect(j.summary()).toContain('2 spins: started and never finished');
  });

  it('names no test when the last started test reported its result', () => {
    const lines = ['KTAP version 1', '1..2', '# start 1 a', 'ok 1 a'];
    const j = judged({ status: 35 }, lines);
    expect(j.summary()).not.toContain('started and never finished');
  });

  it('leaves start lines out of a failed test\'s diagnostics', () => {
    const lines = ['KTAP version 1', '1..1', '# start 1 a', '# k.ts:3:1: wrong', 'not ok 1 a'];
    const j = judged({ status: 35 }, lines);
    expect(j.summary()).toContain('# k.ts:3:1: wrong');
    expect(j.summary()).not.toContain('# start 1 a');
  });
});
