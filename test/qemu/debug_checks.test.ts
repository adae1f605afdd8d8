// The debug checks of test builds on the metal (kernel/mm/debug/): each fixture must fail in
// its expected way, with status 3 and the check's panic message; the test kernel itself
// boots with both checks on (kernel_suite.test.ts) and says so.
import { describe, expect, it } from 'vitest';
import { runQemu, type QemuRun } from '../../qemu/runner.ts';
import { bootTimeoutMs, markerLine, missingIso, repoPath } from '../harness/boot.ts';

/** Boots build/fixture-NAME/keel.iso; a missing ISO fails the test instead of skipping it. */
async function bootFixture(name: string): Promise<QemuRun> {
  const iso = repoPath(`build/fixture-${name}/keel.iso`);
  const missing = missingIso(iso);
  if (missing) throw new Error(missing);
  return runQemu({ iso, timeoutMs: bootTimeoutMs(30_000) });
}

/** The panic line (a backtrace follows it). */
function panicLine(run: QemuRun): string | undefined {
  return run.lines.find((l) => l.startsWith('panic at '));
}

describe.concurrent('debug checks', () => {
  it('W^X scan: passes at boot, then panics naming the page made writable and executable', async () => {
    const run = await bootFixture('wx_mapping');
    const context = run.describe(40);
    expect(run.status, context).toBe(3);
    expect(run.lines.some((l) => /^memory: debug checks: W\^X scan of \d+ tables, \d+ mappings, none writable and executable; freed frames poisoned and unmapped \(\d+ free frames unmapped from the direct map\)$/.test(l)), context).toBe(true);
    const made = run.lines.map((l) => /^# made v(0x[0-9a-f]+) writable and executable/.exec(l)?.[1]).find((x) => x !== undefined);
    expect(made, context).toBeDefined();
    expect(panicLine(run), context).toMatch(new RegExp(`^panic at kernel/mm/debug/wx\\.ts:\\d+:\\d+: W\\+X mapping at v${made} \\(4 KiB\\): writable and executable \\(debug W\\^X scan\\)$`));
  });

  it('freed frames unmapped: a write after free through the direct map faults on its line, and the report says the frame is free', async () => {
    const run = await bootFixture('freed_frame_unmapped');
    const context = run.describe(60);
    expect(run.status, context).toBe(3);
    const freed = run.lines.map((l) => /^# freed p(0x[0-9a-f]+); writing it through the direct map$/.exec(l)?.[1]).find((x) => x !== undefined);
    expect(freed, context).toBeDefined();
    const addr = `0x${(0xffff_8000_0000_0000n + BigInt(freed!) + 0x40n).toString(16)}`;
    const line = markerLine('freed_frame_unmapped', 'fault-here');
    const at = run.lines.indexOf('exception: page fault (#PF, vector 14)');
    expect(at, context).toBeGreaterThanOrEqual(0);
    expect(run.lines.slice(at + 1, at + 4), context).toEqual([
      '  error code 0x2: not present, write, kernel mode',
      `  address (cr2) ${addr}`,
      `  use after free: ${addr} is the direct map of frame p${freed}, which is free (released, and unmapped until it is handed out again)`,
    ]);
    expect(run.lines[at + 5], context).toMatch(new RegExp(`^ {2}source test/kernels/freed_frame_unmapped\\.ts:${line} \\(`));
    expect(panicLine(run), context).toBe(`panic at test/kernels/freed_frame_unmapped.ts:${line}: page fault at ${addr}: not present, write, kernel mode (use after free: frame p${freed} is free)`);
    expect(run.lines.some((l) => l.startsWith('# unreachable')), context).toBe(false);
  });

  it('freed-frame poisoning: a write after free (through another mapping) panics when the frame is handed out again', async () => {
    const run = await bootFixture('use_after_free');
    const context = run.describe(40);
    expect(run.status, context).toBe(3);
    const freed = run.lines.map((l) => /^# freed p(0x[0-9a-f]+): poisoned true$/.exec(l)?.[1]).find((x) => x !== undefined);
    expect(freed, context).toBeDefined();
    expect(panicLine(run), context).toMatch(
      new RegExp(`^panic at kernel/mm/debug/pagealloc\\.ts:\\d+:\\d+: use after free: frame p${freed} was written after it was freed \\(word at \\+0x40 holds 0xdeadbeef, not the poison 0x6b6b6b6b6b6b6b6b\\)$`),
    );
  });
});
