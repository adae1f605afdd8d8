// The libFuzzer targets (test/fuzz/, built by make): every committed seed passes, and a
// short campaign (a few seconds per target) finds nothing, so make test keeps the targets
// building and the corpus passing; make fuzz runs the long campaign.
import { execa } from 'execa';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../harness/boot.ts';

const SHORT_SECONDS = 3;
const MAX_LEN: Record<string, number> = { boot: 8192, alloc: 512 }; // as test/fuzz/run.sh

describe.each(['boot', 'alloc'])('fuzz target %s', (name) => {
  const exe = repoPath(`build/fuzz/${name}_fuzz`);
  const corpus = repoPath(`test/fuzz/corpus/${name}`);
  const found = repoPath(`test/fuzz/found/${name}`); // earlier campaigns' finds (run.sh)
  // Asynchronous: a synchronous child would block vitest's worker for as long as it runs.
  const run = async (args: string[]) => {
    // A missing binary is a failure, not a skip: the Makefile builds it before vitest runs.
    if (!existsSync(exe)) throw new Error(`${exe} does not exist: build it with \`make ${`build/fuzz/${name}_fuzz`}\` (make test does)`);
    const r = await execa('nice', ['-n', '10', exe, '-timeout=10', `-max_len=${MAX_LEN[name]}`, ...args], { reject: false, all: true, timeout: 120_000 });
    return { status: r.exitCode, log: r.all ?? '' };
  };

  it('accepts or rejects (with a panic message) every committed seed and find', async () => {
    const r = await run(['-runs=0', corpus, found]);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toMatch(/INITED/);
  });

  it(`finds nothing in a ${SHORT_SECONDS}-second campaign from the seeds`, async () => {
    const work = mkdtempSync(join(tmpdir(), `keel-fuzz-${name}-`));
    try {
      cpSync(corpus, work, { recursive: true });
      cpSync(found, work, { recursive: true });
      const r = await run([`-max_total_time=${SHORT_SECONDS}`, `-artifact_prefix=${work}/`, work]);
      expect(r.status, r.log.split('\n').filter((l) => /keel fuzz|ERROR|SUMMARY/.test(l)).join('\n')).toBe(0);
      const done = /Done (\d+) runs/.exec(r.log);
      expect(done, r.log.slice(-2000)).not.toBeNull();
      expect(Number(done![1])).toBeGreaterThan(100);
    }
    finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
