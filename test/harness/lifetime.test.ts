// QEMU must never outlive the test process: when the process running runQemu is stopped
// (vitest tearing down a worker, Ctrl-C), the QEMU child goes with it.
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { alive } from './process.ts';

const child = fileURLToPath(new URL('./fixtures/run-fake-forever.ts', import.meta.url));

describe.concurrent('QEMU lifetime', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('dies when its parent gets %s', { timeout: 20_000 }, async (signal) => {
    const parent = execa('node', ['--import', 'tsx', child], { reject: false, buffer: false });
    const qemuPid = await new Promise<number>((resolve) => {
      let text = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        text += String(chunk);
        const match = /^pid (\d+)$/m.exec(text);
        if (match) resolve(Number(match[1]));
      });
    });
    expect(qemuPid).toBeGreaterThan(0);
    expect(alive(qemuPid)).toBe(true);
    parent.kill(signal);
    await parent;
    // execa's cleanup kills the child from the parent's exit handler; give it a moment.
    for (let i = 0; i < 40 && alive(qemuPid); i++) await sleep(50);
    expect(alive(qemuPid)).toBe(false);
  });
});
