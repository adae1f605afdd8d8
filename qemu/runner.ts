// Boots a Keel ISO in QEMU, streams COM1 line by line and judges the exit.
// QEMU never outlives the caller: execa's cleanup kills it when Node exits, a timeout sends
// SIGTERM then SIGKILL, and QEMU stays in our process group so a terminal Ctrl-C reaches it.
import { constants } from 'node:os';
import { execa } from 'execa';
import { qemuArgs, type QemuArgOptions } from './args.ts';
import { explainExit, verdictOf, type QemuExit, type Verdict } from './verdict.ts';

export type { Verdict } from './verdict.ts';

export interface RunQemuOptions extends QemuArgOptions {
  /** Kill QEMU and report 'timeout' after this long. */
  timeoutMs: number;
  /** Called with each serial line (no line ending) as soon as it arrives. */
  onLine?: (line: string) => void;
  /** QEMU executable; default env KEEL_QEMU, else qemu-system-x86_64 (tests point it at a fake). */
  qemuBinary?: string;
  /** Aborting stops QEMU (SIGTERM, then SIGKILL after the grace period). */
  signal?: AbortSignal;
  /** How long QEMU gets to exit after SIGTERM before SIGKILL; default 2000 ms. */
  killGraceMs?: number;
}

export interface QemuRun {
  /** QEMU's exit status; null when it was killed by a signal or never started. */
  status: number | null;
  timedOut: boolean;
  /** Serial output, one entry per line, carriage returns removed. */
  lines: string[];
  stderr: string;
  signal?: string;
  /** Why QEMU could not be started, when it could not. */
  spawnError?: string;
  verdict: Verdict;
  timeoutMs: number;
  /** The full command line, for reproducing a failure by hand. */
  command: string[];
  pid?: number;
  durationMs: number;
  /** Human summary: verdict, command, stderr and the last serial lines. */
  describe(lastLines?: number): string;
}

const DEFAULT_BINARY = 'qemu-system-x86_64';

/** Boots opts.iso in QEMU and resolves when QEMU exits or is killed; never rejects for a failed boot. */
export async function runQemu(opts: RunQemuOptions): Promise<QemuRun> {
  const binary = opts.qemuBinary ?? process.env.KEEL_QEMU ?? DEFAULT_BINARY;
  const interruptLog = opts.interruptLog ?? process.env.KEEL_QEMU_INT_LOG;
  const args = qemuArgs({
    ...opts,
    ...(interruptLog !== undefined && { interruptLog }),
    envExtra: process.env.QEMU_EXTRA,
  });
  const lines: string[] = [];
  const collect = (line: string) => {
    const clean = line.replace(/\r/g, '');
    lines.push(clean);
    opts.onLine?.(clean);
  };
  const subprocess = execa(binary, args, {
    stdin: 'ignore',
    // A generator transform sees stdout split into lines as they arrive; yielding nothing
    // keeps execa from buffering a second copy.
    stdout: function* (line: unknown) {
      collect(String(line));
    },
    stderr: 'pipe',
    timeout: opts.timeoutMs,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: opts.killGraceMs ?? 2000,
    cleanup: true,
    reject: false,
    ...(opts.signal && { cancelSignal: opts.signal }),
  });
  const pid = subprocess.pid;
  const result = await subprocess;
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  const signal = result.signal ?? signalQemuReported(stderr);
  const exit: QemuExit = {
    // QEMU catches SIGTERM/SIGINT and exits 0, which would read as a triple fault: a signal wins.
    status: signal ? null : (result.exitCode ?? null),
    timedOut: result.timedOut,
    ...(signal && { signal }),
    // exitCode is undefined both for a signal and for a failed spawn; only the latter has a code.
    ...(result.exitCode === undefined && !result.signal && !result.timedOut && {
      spawnError: result.originalMessage || result.shortMessage || 'unknown error',
    }),
  };
  const run: QemuRun = {
    ...exit,
    lines,
    stderr,
    verdict: verdictOf(exit),
    timeoutMs: opts.timeoutMs,
    command: [binary, ...args],
    ...(pid !== undefined && { pid }),
    durationMs: result.durationMs,
    describe: (lastLines = 30) => describeRun(run, exit, opts.timeoutMs, lastLines),
  };
  return run;
}

/** The signal QEMU says it caught ("terminating on signal 15 from pid ..."), by name. */
function signalQemuReported(stderr: string): string | undefined {
  const match = /terminating on signal (\d+)/.exec(stderr);
  if (!match) return undefined;
  const number = Number(match[1]);
  const name = Object.entries(constants.signals).find(([, n]) => n === number)?.[0];
  return name ?? `signal ${number}`;
}

/** Formats a run for a failure message: what happened, how to reproduce, what the serial said. */
function describeRun(run: QemuRun, exit: QemuExit, timeoutMs: number, lastLines: number): string {
  const parts = [
    `QEMU verdict: ${run.verdict}: ${explainExit(exit, timeoutMs)}`,
    `  command: ${run.command.join(' ')}`,
  ];
  if (run.verdict === 'triple-fault') {
    parts.push('  hint: rerun with KEEL_QEMU_INT_LOG=qemu-int.log to log every exception and the reset');
  }
  const stderr = run.stderr.trim();
  if (stderr) parts.push('  QEMU stderr:', ...stderr.split('\n').slice(-10).map((l) => `    ${l}`));
  const tail = run.lines.slice(-lastLines);
  const header = run.lines.length > tail.length ? `last ${tail.length} of ${run.lines.length}` : `all ${tail.length}`;
  parts.push(`  serial output (${header} lines):`, ...tail.map((l) => `    | ${l}`));
  return parts.join('\n');
}
