// runQemu against a fake QEMU (fixtures/fake-qemu.mjs): streaming, exit statuses, timeouts
// and killing are proven without booting anything.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runQemu, type RunQemuOptions } from '../../qemu/runner.ts';
import { alive } from './process.ts';

const fake = fileURLToPath(new URL('./fixtures/fake-qemu.mjs', import.meta.url));

/** Runs the fake with a scenario in place of the ISO. */
const runFake = (scenario: string, opts: Partial<RunQemuOptions> = {}) =>
  runQemu({ iso: scenario, timeoutMs: 10_000, qemuBinary: fake, ...opts });

const savedEnv = { ...process.env };
afterEach(() => {
  for (const key of ['KEEL_QEMU', 'QEMU_EXTRA', 'KEEL_QEMU_INT_LOG']) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

describe('runQemu with a fake QEMU', () => {
  it('passes only on status 33 and returns the serial lines without carriage returns', async () => {
    const run = await runFake('pass');
    expect(run).toMatchObject({ status: 33, timedOut: false, verdict: 'pass' });
    expect(run.lines).toEqual(['SeaBIOS noise', 'KTAP version 1', '1..2', 'ok 1 a', 'ok 2 b']);
  });

  it('passes the standard flags, then extraArgs, then QEMU_EXTRA', async () => {
    process.env.QEMU_EXTRA = '  -smp 2\t-cpu max ';
    const run = await runFake('args', { extraArgs: ['-machine', 'q35'], memory: '5G' });
    expect(run.lines).toEqual([
      '-cdrom', 'args', '-serial', 'stdio', '-display', 'none', '-no-reboot', '-m', '5G',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-monitor', 'none',
      '-machine', 'q35', '-smp', '2', '-cpu', 'max',
    ]);
    expect(run.command.slice(1)).toEqual(run.lines);
  });

  it('adds the interrupt log, GDB stub and monitor socket when asked', async () => {
    const run = await runFake('args', {
      interruptLog: '/tmp/int.log',
      gdbPort: 1234,
      gdbWait: true,
      monitorSocket: '/tmp/mon.sock',
      qmpSocket: '/tmp/qmp.sock',
    });
    const joined = run.lines.join(' ');
    expect(joined).toContain('-monitor unix:/tmp/mon.sock,server,nowait');
    expect(joined).toContain('-qmp unix:/tmp/qmp.sock,server,nowait');
    expect(joined).toContain('-gdb tcp::1234 -S');
    expect(joined).toContain('-d int,cpu_reset -D /tmp/int.log');
  });

  it('takes the interrupt log from KEEL_QEMU_INT_LOG', async () => {
    process.env.KEEL_QEMU_INT_LOG = '/tmp/from-env.log';
    const run = await runFake('args');
    expect(run.lines.join(' ')).toContain('-d int,cpu_reset -D /tmp/from-env.log');
  });

  it('takes the QEMU binary from KEEL_QEMU', async () => {
    process.env.KEEL_QEMU = fake;
    const run = await runQemu({ iso: 'pass', timeoutMs: 10_000 });
    expect(run.verdict).toBe('pass');
    expect(run.command[0]).toBe(fake);
  });

  it('streams each line to onLine while QEMU is still running', async () => {
    // The fake waits 400 ms between its two lines: if lines were only delivered at exit,
    // both would arrive together.
    const arrivals: Array<[string, number]> = [];
    const run = await runFake('slow', { onLine: (line) => arrivals.push([line, Date.now()]) });
    expect(arrivals.map(([line]) => line)).toEqual(['first', 'second']);
    expect(arrivals[1]![1] - arrivals[0]![1]).toBeGreaterThanOrEqual(300);
    expect(run.verdict).toBe('pass');
  });

  it('reports a last line without a newline', async () => {
    const run = await runFake('partial');
    expect(run.lines).toEqual(['complete line', 'no newline at end']);
  });

  it('loses no lines in a flood', async () => {
    const run = await runFake('flood');
    expect(run.lines).toHaveLength(5000);
    expect(run.lines[4999]).toBe('line 4999');
  });

  it.each([
    [0, 'triple-fault', /status 0: a triple fault/],
    [1, 'crashed', /status 1: QEMU itself failed/],
    [3, 'fail', /status 3 \(code 1\), not 33/],
    [35, 'fail', /status 35 \(code 17\), not 33/],
    [2, 'crashed', /status 2, which no kernel exit produces/],
  ] as const)('exit status %i is %s', async (status, verdict, message) => {
    const run = await runFake(`exit:${status}`);
    expect(run).toMatchObject({ status, verdict, timedOut: false });
    expect(run.describe()).toMatch(message);
    expect(run.describe()).toContain(`exiting with ${status}`);
  });

  it('keeps QEMU stderr for the failure message', async () => {
    const run = await runFake('error');
    expect(run.verdict).toBe('crashed');
    expect(run.describe()).toContain('Could not open image');
  });

  it('reports death by signal as crashed', async () => {
    const run = await runFake('segv');
    expect(run).toMatchObject({ status: null, verdict: 'crashed', signal: 'SIGSEGV' });
    expect(run.describe()).toMatch(/killed by SIGSEGV/);
  });

  it('reports QEMU stopped by a signal it caught (exit 0, e.g. Ctrl-C) as crashed, not a triple fault', async () => {
    const run = await runFake('caught');
    expect(run).toMatchObject({ status: null, verdict: 'crashed', signal: 'SIGINT' });
    expect(run.describe()).toMatch(/killed by SIGINT/);
  });

  it('reports a missing QEMU binary as crashed, without throwing', async () => {
    const run = await runQemu({ iso: 'pass', timeoutMs: 5000, qemuBinary: '/nonexistent/qemu' });
    expect(run).toMatchObject({ status: null, verdict: 'crashed', timedOut: false });
    expect(run.describe()).toMatch(/could not be started: .*ENOENT/);
  });

  it('kills a hung QEMU at the timeout and keeps what it printed', async () => {
    const started = Date.now();
    const run = await runFake('hang', { timeoutMs: 500 });
    expect(run).toMatchObject({ verdict: 'timeout', timedOut: true, status: null });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(run.lines).toEqual(['KTAP version 1', '1..3', 'ok 1 a']);
    expect(alive(run.pid!)).toBe(false);
    expect(run.describe()).toMatch(/no exit within 500 ms: the kernel hung, QEMU was killed/);
    expect(run.describe()).toContain('| ok 1 a');
  });

  it('SIGKILLs a QEMU that ignores SIGTERM after the grace period', async () => {
    const run = await runFake('stubborn', { timeoutMs: 500, killGraceMs: 300 });
    expect(run).toMatchObject({ verdict: 'timeout', signal: 'SIGKILL' });
    expect(alive(run.pid!)).toBe(false);
  });

  it('stops QEMU when the caller aborts (as on Ctrl-C)', async () => {
    const controller = new AbortController();
    const pending = runFake('hang', { signal: controller.signal, timeoutMs: 30_000 });
    setTimeout(() => controller.abort(), 300);
    const run = await pending;
    expect(run.verdict).toBe('crashed');
    expect(run.durationMs).toBeLessThan(5000);
    expect(alive(run.pid!)).toBe(false);
  });

  it('describe() shows only the last lines asked for', async () => {
    const run = await runFake('flood');
    const text = run.describe(3);
    expect(text).toContain('last 3 of 5000 lines');
    expect(text).toContain('| line 4999');
    expect(text).not.toContain('| line 4996');
  });
});
