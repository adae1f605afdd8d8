// How a failed in-kernel test reads in the vitest report (test/qemu/kernel_suite.test.ts
// registers one vitest test per test of the build manifest): its diagnostics, the serial
// lines leading up to its result, and a stack pointing at its TypeScript line.
import { isAbsolute } from 'node:path';
import type { Boot } from './boot.ts';
import { repoPath } from './boot.ts';
import { testFailure } from './judge.ts';
import type { KtapTest } from './ktap.ts';

/** Serial lines shown with a failing test: those leading up to its result line. */
const CONTEXT_LINES = 30;

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
