// One boot of a test kernel: run QEMU, parse KTAP as serial lines arrive, judge the whole.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * Boots an ISO and judges it. Serial lines go to the KTAP parser as they arrive; set
 * KEEL_SERIAL_ECHO=1 to also see them live on stderr while debugging.
 */
export async function bootKtap(iso: string, opts: Omit<RunQemuOptions, 'iso'>): Promise<Boot> {
  const parser = new KtapParser();
  const echo = process.env.KEEL_SERIAL_ECHO ? (line: string) => process.stderr.write(`[serial] ${line}\n`) : undefined;
  const run = await runQemu({
    ...opts,
    iso,
    onLine: (line) => {
      parser.feed(line);
      echo?.(line);
      opts.onLine?.(line);
    },
  });
  const ktap = parser.end();
  return { iso, run, ktap, judgement: judge(run, ktap, expectedTests(iso)) };
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
