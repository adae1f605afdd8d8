// Turns a judged boot into vitest tests: one `it` per KTAP result, a `describe` per level of
// subtests, so each in-kernel test passes or fails on its own in the vitest report.
import { isAbsolute } from 'node:path';
import { describe, it } from 'vitest';
import type { Boot } from './boot.ts';
import { repoPath } from './boot.ts';
import { testFailure } from './judge.ts';
import { failed, type KtapTest } from './ktap.ts';

/** Serial lines shown with a failing test: those leading up to its result line. */
const CONTEXT_LINES = 30;

/** Registers every result of the boot's KTAP tree as vitest describe/it blocks. */
export function reportKtapTests(boot: Boot): void {
  registerLevel(boot, boot.ktap.tests, [], []);
}

function registerLevel(boot: Boot, tests: KtapTest[], path: number[], names: string[]): void {
  for (const test of tests) {
    const here = [...path, test.number];
    const chain = [...names, test.name || `test ${test.number}`];
    const title = `${test.number} ${test.name}`.trim();
    if (test.subtests.length === 0) {
      registerResult(boot, test, here, chain, title);
      continue;
    }
    describe(title, () => {
      registerLevel(boot, test.subtests, here, chain);
      // The parent's own result matters only when its subtests do not explain it.
      if (failed(test) && !test.subtests.some(failed)) registerResult(boot, test, here, chain, `${title} (own result)`);
    });
  }
}

function registerResult(boot: Boot, test: KtapTest, path: number[], names: string[], title: string): void {
  if (test.directive === 'SKIP' || test.directive === 'TODO') {
    it.skip(`${title} # ${test.directive}${test.comment ? ` ${test.comment}` : ''}`, () => {});
    return;
  }
  it(title, () => {
    if (failed(test)) throw kernelTestError(boot, test, path, names);
  });
}

/**
 * An error whose message carries the diagnostics and the serial context, and whose stack
 * points at the TypeScript line, so vitest shows that kernel source line as the code frame.
 */
export function kernelTestError(boot: Boot, test: KtapTest, path: number[], names: string[]): Error {
  const failure = testFailure(test, path, names);
  const end = test.line > 0 ? test.line : boot.run.lines.length;
  const context = boot.run.lines.slice(Math.max(0, end - CONTEXT_LINES), end).map((l) => `    | ${l}`);
  const error = new Error([failure.message, `  serial output up to this result:`, ...context].join('\n'));
  if (failure.location) {
    const [file, line, col = '1'] = failure.location.split(':');
    const absolute = isAbsolute(file!) ? file! : repoPath(file!);
    error.stack = `${error.name}: ${error.message}\n    at ${names.join(' > ')} (${absolute}:${line}:${col})`;
  }
  return error;
}
