// The harness must catch a broken kernel: each deliberately broken fixture kernel
// (test/kernels/*.ts, built by the Makefile) is booted and must be judged a failure with the
// right verdict and a message that names the TypeScript file:line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootKtap, expectedTests, missingIso, repoPath, type Boot, type BootOptions } from '../harness/boot.ts';
import { alive } from '../harness/process.ts';

/** Boots build/fixture-NAME/keel.iso; a missing ISO fails the test instead of skipping it. */
async function bootFixture(name: string, timeoutMs = 30_000, more: Omit<BootOptions, 'timeoutMs'> = {}): Promise<Boot> {
  const iso = repoPath(`build/fixture-${name}/keel.iso`);
  const missing = missingIso(iso);
  if (missing) throw new Error(missing);
  return bootKtap(iso, { timeoutMs, ...more });
}

/** The 1-based line of the fixture source that contains `text`, to check reported locations exactly. */
function lineOf(fixture: string, text: string): number {
  const lines = readFileSync(repoPath(`test/kernels/${fixture}.ts`), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`test/kernels/${fixture}.ts no longer contains ${JSON.stringify(text)}`);
  return index + 1;
}

describe.concurrent('the harness reports broken kernels as failures', () => {
  it('fail_one: exactly the failing in-kernel test is not ok, with its file:line', async () => {
    const boot = await bootFixture('fail_one');
    const context = boot.run.describe();
    expect(boot.run.verdict, context).toBe('fail');
    expect(boot.run.status, context).toBe(35);
    expect(boot.judgement.passed).toBe(false);
    expect(boot.ktap.complete, context).toBe(true);
    expect(boot.ktap.tests.map((t) => [t.name, t.ok]), context).toEqual([
      ['passes', true],
      ['fails on purpose', false],
      ['also passes', true],
    ]);
    const line = lineOf('fail_one', 'deliberately wrong expectation');
    const testFailures = boot.judgement.failures.filter((f) => f.kind === 'test');
    expect(testFailures, boot.judgement.summary()).toHaveLength(1);
    expect(testFailures[0]!.path).toEqual([2]);
    expect(testFailures[0]!.location).toMatch(new RegExp(`^test/kernels/fail_one\\.ts:${line}(:\\d+)?$`));
    expect(testFailures[0]!.message).toContain('deliberately wrong expectation');
  });

  it('triple_fault: status 0 is a triple fault, never a pass', async () => {
    const boot = await bootFixture('triple_fault');
    const context = boot.run.describe();
    expect(boot.run.verdict, context).toBe('triple-fault');
    expect(boot.run.status, context).toBe(0);
    expect(boot.judgement.passed).toBe(false);
    expect(boot.judgement.verdict).toBe('triple-fault');
    expect(context).toMatch(/a triple fault/);
    expect(context).toContain('# about to load from a non-canonical address');
  });

  it('hang: times out within the short timeout and QEMU is killed', async () => {
    const timeoutMs = 8000;
    const boot = await bootFixture('hang', timeoutMs);
    const context = boot.run.describe();
    expect(boot.run.verdict, context).toBe('timeout');
    expect(boot.run.timedOut).toBe(true);
    expect(boot.judgement.passed).toBe(false);
    // The timeout plus the SIGTERM grace period, with slack for a loaded machine.
    expect(boot.run.durationMs).toBeLessThan(timeoutMs + 5000);
    expect(alive(boot.run.pid!)).toBe(false);
    expect(boot.ktap.complete).toBe(false);
    expect(context).toMatch(/no exit within 8000 ms/);
    // The start line names the test the run stopped in.
    expect(boot.judgement.summary()).toContain('1 spins forever: started and never finished');
  });

  it('hang_one: the watchdog abandons the hung test as # TIMEOUT and the suite goes on', async () => {
    const boot = await bootFixture('hang_one');
    const context = boot.run.describe();
    expect(boot.run.status, context).toBe(35);
    expect(boot.ktap.complete, context).toBe(true);
    expect(boot.ktap.tests.map((t) => [t.name, t.ok, t.directive]), context).toEqual([
      ['passes', true, undefined],
      ['spins forever', false, 'TIMEOUT'],
      ['the timer still ticks and the suite goes on', true, undefined],
    ]);
    expect(context).toContain('not ok 2 spins forever # TIMEOUT after 1 s');
    const testFailures = boot.judgement.failures.filter((f) => f.kind === 'test');
    expect(testFailures.map((f) => f.path), boot.judgement.summary()).toEqual([[2]]);
  });

  it('selection: tests=2,4-5 on the test kernel\'s command line runs only those, planned 1..3', async () => {
    const iso = repoPath('build/test/keel.iso');
    const missing = missingIso(iso);
    if (missing) throw new Error(missing);
    const boot = await bootKtap(iso, { timeoutMs: 30_000, tests: [2, 4, 5] });
    const context = boot.run.describe();
    expect(context).toContain('# boot command line: "tests=2,4-5"');
    expect(boot.run.status, context).toBe(33);
    expect(boot.judgement.passed, boot.judgement.summary()).toBe(true);
    expect(boot.ktap.plan).toBe(3);
    const names = expectedTests(iso)!;
    expect(boot.ktap.tests.map((t) => [t.number, t.name]), context).toEqual([[1, names[1]], [2, names[3]], [3, names[4]]]);
  });

  it('selection: a malformed tests= stops the test kernel with what it expects', async () => {
    const boot = await bootKtap(repoPath('build/test/keel.iso'), { timeoutMs: 30_000, kernelArgs: 'tests=2-1' });
    expect(boot.judgement.passed).toBe(false);
    expect(boot.run.describe()).toMatch(/tests= takes test numbers from 1, like tests=1,4-6/);
  });

  it('panic: the stream is cut off and the panic line with its file:line is reported', async () => {
    const boot = await bootFixture('panic');
    const context = boot.run.describe();
    expect(['crashed', 'fail'], context).toContain(boot.run.verdict);
    expect(boot.judgement.passed).toBe(false);
    expect(boot.ktap.complete, context).toBe(false);
    expect(boot.ktap.tests.map((t) => [t.name, t.ok]), context).toEqual([['passes', true]]);
    expect(boot.judgement.summary()).toMatch(/after 1 of 3 planned results/);
    const line = lineOf('panic', 'panic("deliberate panic');
    const where = new RegExp(`panic at test/kernels/panic\\.ts:${line}:\\d+: deliberate panic in the middle of the suite`);
    expect(context).toMatch(where);
    const panics = boot.judgement.failures.filter((f) => f.kind === 'panic');
    expect(panics, boot.judgement.summary()).toHaveLength(1);
    expect(panics[0]!.location).toMatch(new RegExp(`^test/kernels/panic\\.ts:${line}:\\d+$`));
    // Every panic prints a backtrace after its line: panicStop, then the function that panicked.
    const lines = boot.run.lines;
    const at = lines.findIndex((l) => where.test(l));
    expect(lines[at + 1], context).toBe('  backtrace:');
    const frames = lines.slice(at + 2).filter((l) => /^ {4}#\d+ 0x[0-9a-f]+ /.test(l));
    expect(frames.some((l) => /test\/kernels\/panic\.ts:\d+ \(test_kernels_panic__panicsOnPurpose\+0x/.test(l)), context).toBe(true);
  });
});
