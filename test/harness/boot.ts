// One boot of a test kernel: run QEMU, parse KTAP as serial lines arrive, judge the whole.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isoWithCommandLine } from '../../qemu/command_line_iso.ts';
import { runQemu, type QemuRun, type RunQemuOptions } from '../../qemu/runner.ts';
import { judge, type Judgement } from './judge.ts';
import { KtapParser, type KtapDocument } from './ktap.ts';

/** The repository root, so ISO paths do not depend on the working directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Boot {
  iso: string;
  run: QemuRun;
  ktap: KtapDocument;
  judgement: Judgement;
}

/** Default per-boot timeout; KEEL_QEMU_TIMEOUT_MS overrides it (e.g. for slow CI machines). */
export function bootTimeoutMs(fallback: number): number {
  const fromEnv = Number(process.env.KEEL_QEMU_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}

/** Absolute path of a build product given relative to the repository root. */
export function repoPath(relative: string): string {
  return resolve(REPO_ROOT, relative);
}

/** Why an ISO cannot be booted, or undefined when it exists. */
export function missingIso(iso: string): string | undefined {
  if (existsSync(iso)) return undefined;
  return `${iso} does not exist: build it first (\`make test\` builds every ISO before running vitest)`;
}

/** The 1-based line of test/kernels/NAME.ts holding the marker comment `// MARKER` (where a fixture faults on purpose). */
export function markerLine(fixture: string, marker: string): number {
  const lines = readFileSync(repoPath(`test/kernels/${fixture}.ts`), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(`// ${marker}`));
  if (index < 0) throw new Error(`test/kernels/${fixture}.ts no longer contains the marker ${JSON.stringify(marker)}`);
  return index + 1;
}

/** What a boot runs beyond the ISO as built. */
export interface BootOptions extends Omit<RunQemuOptions, 'iso'> {
  /** Only these tests (1-based numbers of the build manifest), passed as `tests=` on the kernel command line. */
  tests?: readonly number[];
  /** More words for the kernel command line (e.g. `timeout=5`). */
  kernelArgs?: string;
}

/**
 * Boots an ISO and judges it. Serial lines go to the KTAP parser as they arrive; set
 * KEEL_SERIAL_ECHO=1 to also see them live on stderr while debugging. With `tests` or
 * `kernelArgs`, boots a copy of the ISO whose kernel gets them on its command line, and
 * expects exactly the selected tests of the build manifest.
 */
export async function bootKtap(iso: string, opts: BootOptions): Promise<Boot> {
  const { tests, kernelArgs, ...qemu } = opts;
  const words = [tests ? `tests=${numberRanges(tests)}` : '', kernelArgs ?? ''].filter(Boolean).join(' ');
  const variant = words ? await isoWithCommandLine(iso, words) : undefined;
  try {
    const parser = new KtapParser();
    const echo = process.env.KEEL_SERIAL_ECHO ? (line: string) => process.stderr.write(`[serial] ${line}\n`) : undefined;
    const run = await runQemu({
      ...qemu,
      iso: variant?.iso ?? iso,
      onLine: (line) => {
        parser.feed(line);
        echo?.(line);
        qemu.onLine?.(line);
      },
    });
    const ktap = parser.end();
    const manifest = expectedTests(iso);
    const expected = manifest && tests ? manifest.filter((_, i) => tests.includes(i + 1)) : manifest;
    return { iso, run, ktap, judgement: judge(run, ktap, expected) };
  } finally {
    variant?.remove();
  }
}

/** `1,3-5,9` for [1, 3, 4, 5, 9]: the kernel's `tests=` syntax (kernel/tests/ktap_options.ts). */
export function numberRanges(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted[0]! < 1 || !sorted.every(Number.isInteger)) throw new Error(`test numbers must be integers from 1, got [${numbers.join(', ')}]`);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * The top-level test names of the build manifest next to `iso` (qemu/build-image.sh writes
 * ktap-manifest.json), or undefined for an image built without one.
 */
export function expectedTests(iso: string): string[] | undefined {
  const file = join(dirname(iso), 'ktap-manifest.json');
  if (!existsSync(file)) return undefined;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { tests?: unknown };
  if (!Array.isArray(manifest.tests) || !manifest.tests.every((t) => typeof t === 'string')) throw new Error(`${file}: no list of test names`);
  return manifest.tests as string[];
}
