// runQemu and the QMP client against the real qemu-system-x86_64, with no kernel needed:
// a blank disc makes the BIOS stop at "no bootable device", which is a hang to time out.
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectQmp } from '../../qemu/qmp.ts';
import { runQemu } from '../../qemu/runner.ts';
import { alive } from '../harness/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-runner-'));
const blankIso = join(dir, 'blank.iso');
writeFileSync(blankIso, '');
truncateSync(blankIso, 1 << 20);

describe('runQemu with real QEMU', () => {
  it('times out a machine that never exits and kills QEMU', async () => {
    const run = await runQemu({ iso: blankIso, timeoutMs: 2000 });
    expect(run.verdict, run.describe()).toBe('timeout');
    expect(alive(run.pid!)).toBe(false);
  });

  it('reports QEMU failing on a missing ISO as crashed, with its error', async () => {
    const run = await runQemu({ iso: join(dir, 'missing.iso'), timeoutMs: 10_000 });
    expect(run.verdict, run.describe()).toBe('crashed');
    expect(run.status).toBe(1);
    expect(run.describe()).toContain('missing.iso');
  });

  it('answers human-monitor commands over QMP while the machine runs', async () => {
    const qmpSocket = join(dir, 'qmp.sock');
    const stop = new AbortController();
    const pending = runQemu({ iso: blankIso, timeoutMs: 20_000, qmpSocket, signal: stop.signal });
    const qmp = await connectQmp(qmpSocket);
    try {
      // The BIOS runs in 32-bit protected mode without paging.
      expect(await qmp.hmp('info mem')).toContain('PG disabled');
      expect(await qmp.hmp('info registers')).toMatch(/CR0=[0-9a-f]{8}/);
      await expect(qmp.execute('no-such-command')).rejects.toThrow(/QMP error/);
    } finally {
      qmp.close();
      stop.abort();
    }
    const run = await pending;
    expect(run).toMatchObject({ verdict: 'crashed', signal: 'SIGTERM' });
    expect(alive(run.pid!)).toBe(false);
  });
});
