// The in-kernel test suite on the metal. Its tests come from the build manifest
// (build/test/ktap-manifest.json, read from kernel/test_main.ts's table), so `vitest list`
// lists them without booting. One boot runs every test vitest will run: with a `-t` pattern
// vitest leaves the other tests out, with KEEL_TEST=pattern (a regular expression on the
// in-kernel test names) they are not registered, and the kernel runs only the selected ones
// (`tests=` on its command line).
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunnerTask } from 'vitest';
import { bootKtap, bootTimeoutMs, expectedTests, missingIso, repoPath, type Boot } from '../harness/boot.ts';
import { failed } from '../harness/ktap.ts';
import { kernelTestError } from '../harness/report.ts';

const iso = repoPath('build/test/keel.iso');
const missing = missingIso(iso);
const names = missing ? [] : (expectedTests(iso) ?? []);
const only = process.env.KEEL_TEST ? new RegExp(process.env.KEEL_TEST) : undefined;
const SUITE = 'in-kernel tests (kernel/test_main.ts)';
/** Test titles: the manifest number keeps them unique and in table order. */
const title = (i: number) => `${i + 1} ${names[i]}`;

let boot: Boot | undefined;
// The in-kernel test that prints the module count, and the check that reads it.
const MODULES_TEST = 'boot report: every GRUB module reserved, none free';
const MODULES_CHECK = 'the test image booted with 64 GRUB modules, each a reserved region (KEEL_GRUB_MODULES in the Makefile)';

/** The manifest numbers of the in-kernel tests vitest is about to run (a -t pattern leaves the others out). */
function selectedNumbers(tasks: readonly RunnerTask[]): number[] {
  const suite = tasks.find((t) => t.name === SUITE);
  if (!suite || suite.type !== 'suite') return [];
  return suite.tasks.filter((t) => t.mode === 'run').map((t) => names.indexOf(t.name.replace(/^\d+ /, '')) + 1);
}

beforeAll(async (file) => {
  if (missing) return;
  const selected = selectedNumbers(file.tasks);
  // The module-count check reads what an in-kernel test prints: that test runs with it.
  const modules = names.indexOf(MODULES_TEST) + 1;
  if (file.tasks.some((t) => t.name === MODULES_CHECK && t.mode === 'run') && modules > 0 && !selected.includes(modules)) {
    selected.push(modules);
    selected.sort((a, b) => a - b);
  }
  const statusTestRuns = file.tasks.some((t) => t.name.startsWith('QEMU exits') && t.mode === 'run');
  if (selected.length === 0 && !statusTestRuns) return;
  const all = selected.length === names.length || selected.length === 0;
  boot = await bootKtap(iso, { timeoutMs: bootTimeoutMs(30_000), ...(all ? {} : { tests: selected }) });
}, 150_000);

describe(SUITE, () => {
  names.forEach((name, i) => {
    if (only && !only.test(name)) return;
    it(title(i), () => {
      if (!boot) throw new Error(missing ?? 'the kernel was not booted');
      const result = boot.ktap.tests.find((t) => t.name === name);
      if (result === undefined) {
        throw new Error(`no KTAP result for "${name}": ${boot.judgement.summary()}\n\n${boot.run.describe()}`);
      }
      if (failed(result)) throw kernelTestError(boot, result, [result.number], [name]);
      // kernel/lib/ktap.ts has no way to skip: a SKIP or TODO directive is not a pass.
      if (result.directive === 'SKIP' || result.directive === 'TODO') throw kernelTestError(boot, result, [result.number], [name]);
    });
  });
});

it('QEMU exits with the success status 33 and a complete KTAP stream', () => {
  // A missing ISO is a failure, not a skip: the Makefile builds it before vitest runs.
  if (!boot) throw new Error(missing ?? 'the kernel was not booted');
  if (!boot.judgement.passed) throw new Error(`${boot.judgement.summary()}\n\n${boot.run.describe()}`);
  expect(boot.run.status).toBe(33);
});

if (!only || only.test(MODULES_TEST)) {
  it(MODULES_CHECK, () => {
    if (!boot) throw new Error(missing ?? 'the kernel was not booted');
    expect(names, 'the build manifest').toContain(MODULES_TEST);
    expect(boot.run.lines, boot.run.describe(40)).toContain('# 64 modules, 64 reserved regions of modules');
  });
}
