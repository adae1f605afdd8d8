// The in-kernel test suite on the metal: boots build/test/keel.iso once, at collection time,
// and reports every KTAP result as its own vitest test.
import { expect, it } from 'vitest';
import { bootKtap, bootTimeoutMs, missingIso, repoPath } from '../harness/boot.ts';
import { reportKtapTests } from '../harness/report.ts';

const iso = repoPath('build/test/keel.iso');
const missing = missingIso(iso);
// Top-level await: the results must exist before vitest collects the tests built from them.
const boot = missing ? undefined : await bootKtap(iso, { timeoutMs: bootTimeoutMs(30_000) });

if (boot) reportKtapTests(boot);

it('QEMU exits with the success status 33 and a complete KTAP stream', () => {
  // A missing ISO is a failure, not a skip: the Makefile builds it before vitest runs.
  if (!boot) throw new Error(missing);
  if (!boot.judgement.passed) throw new Error(`${boot.judgement.summary()}\n\n${boot.run.describe()}`);
  expect(boot.run.status).toBe(33);
});

it('the test image booted with 64 GRUB modules, each a reserved region (KEEL_GRUB_MODULES in the Makefile)', () => {
  if (!boot) throw new Error(missing);
  expect(boot.run.lines, boot.run.describe(40)).toContain('# 64 modules, 64 reserved regions of modules');
});
