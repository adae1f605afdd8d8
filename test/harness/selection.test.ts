// The host side of in-kernel test selection: test numbers as the kernel's tests= syntax, and
// the kernel's KtapSuite itself under Node (plan computed from the table and the selection,
// steps always run, start lines before each test).
import { describe, expect, it } from 'vitest';
import { KtapOptions, KtapSuite, expect as kexpect } from '../../kernel/lib/ktap';
import { QemuExit, machine } from '../sim/machine';
import { useSimulatedConsole } from '../mm/support';
import { numberRanges } from './boot.ts';

useSimulatedConsole();

describe('numberRanges', () => {
  it('writes sorted numbers as single numbers and ranges', () => {
    expect(numberRanges([1])).toBe('1');
    expect(numberRanges([5, 1, 2, 3, 9, 10])).toBe('1-3,5,9-10');
    expect(numberRanges([2, 2, 4])).toBe('2,4');
  });

  it('refuses an empty selection and numbers below 1', () => {
    expect(() => numberRanges([])).toThrow('test numbers must be integers from 1');
    expect(() => numberRanges([0, 1])).toThrow('test numbers must be integers from 1');
  });
});

let steps = 0;
function step(): void { steps++; }
function passes(): void { kexpect(true, 'holds'); }
function fails(): void { kexpect(false, 'deliberately'); }

/** Runs a suite of passes, (step), fails, passes with `options`; returns the exit and the console. */
function runSuite(options: KtapOptions): { status: number; lines: string[] } {
  const suite = new KtapSuite();
  suite.test('first', passes);
  suite.step('setup', step);
  suite.test('second', fails);
  suite.test('third', passes);
  try {
    suite.run(options);
  } catch (e) {
    if (!(e instanceof QemuExit)) throw e;
    return { status: e.status, lines: machine.serial.split('\n').filter(Boolean) };
  }
  throw new Error('KtapSuite.run returned');
}

describe('KtapSuite (kernel/lib/ktap.ts) under Node', () => {
  it('plans every test, runs steps in place, prints a start line before each result', () => {
    steps = 0;
    const r = runSuite(KtapOptions.all());
    expect(r.status).toBe(35);
    expect(steps).toBe(1);
    const ktap = r.lines.slice(r.lines.lastIndexOf('KTAP version 1'));
    expect(ktap).toEqual([
      'KTAP version 1', '1..3',
      '# start 1 first', 'ok 1 first',
      '# step: setup',
      '# start 2 second', expect.stringMatching(/selection\.test\.ts:\d+:\d+: deliberately$/), 'not ok 2 second',
      '# start 3 third', 'ok 3 third',
      '# 2 passed, 1 failed',
    ]);
  });

  it('plans and runs only the selected tests, numbered from 1, and still runs the steps', () => {
    steps = 0;
    const options = KtapOptions.all();
    options.only(1, 1);
    options.only(3, 3);
    const r = runSuite(options);
    expect(r.status).toBe(33);
    expect(steps).toBe(1);
    const ktap = r.lines.slice(r.lines.lastIndexOf('KTAP version 1'));
    expect(ktap).toEqual(['KTAP version 1', '1..2', '# start 1 first', 'ok 1 first', '# step: setup', '# start 2 third', 'ok 2 third', '# 2 passed, 0 failed']);
  });
});
