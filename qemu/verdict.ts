// How a QEMU exit is judged. Only the explicit pass code counts as a pass: a triple fault
// with -no-reboot exits 0 and was once counted as a pass by other kernels' runners.

export type Verdict = 'pass' | 'fail' | 'triple-fault' | 'timeout' | 'crashed';

/** The exit status QEMU gives when the kernel writes 0x10 to isa-debug-exit: all tests passed. */
export const PASS_STATUS = 33;

/** How a QEMU process ended, as far as the verdict cares. */
export interface QemuExit {
  status: number | null;
  timedOut: boolean;
  /** Signal that ended QEMU, if any (e.g. "SIGKILL"). */
  signal?: string;
  /** Why QEMU could not be started at all (e.g. "spawn qemu-system-x86_64 ENOENT"). */
  spawnError?: string;
}

/** Classifies a QEMU exit: 33 pass, 0 triple fault, other odd codes a kernel-reported failure. */
export function verdictOf(exit: QemuExit): Verdict {
  if (exit.timedOut) return 'timeout';
  if (exit.spawnError !== undefined || exit.status === null) return 'crashed';
  if (exit.status === PASS_STATUS) return 'pass';
  if (exit.status === 0) return 'triple-fault';
  // isa-debug-exit always yields (v << 1) | 1 with v > 0 for a deliberate failure code; status 1
  // is also what QEMU itself returns on an error (bad flag, missing ISO), so it is a crash.
  if (exit.status % 2 === 1 && exit.status > 1) return 'fail';
  return 'crashed';
}

/** One sentence explaining a verdict, for failure messages. */
export function explainExit(exit: QemuExit, timeoutMs?: number): string {
  switch (verdictOf(exit)) {
    case 'pass':
      return `QEMU exited with status ${PASS_STATUS}: the kernel reported that all tests passed`;
    case 'timeout':
      return `no exit within ${timeoutMs === undefined ? 'the timeout' : `${timeoutMs} ms`}: the kernel hung, QEMU was killed`;
    case 'triple-fault':
      return 'QEMU exited with status 0: a triple fault (the CPU reset and -no-reboot stopped it)';
    case 'fail':
      return `the kernel exited through isa-debug-exit with status ${exit.status} (code ${(exit.status! - 1) / 2}), not ${PASS_STATUS}: a failure`;
    case 'crashed':
      if (exit.spawnError !== undefined) return `QEMU could not be started: ${exit.spawnError}`;
      if (exit.signal) return `QEMU was killed by ${exit.signal} before the kernel finished`;
      if (exit.status === 1) return 'QEMU exited with status 1: QEMU itself failed (see stderr) or the kernel wrote 0 to isa-debug-exit';
      return `QEMU exited with status ${exit.status}, which no kernel exit produces: QEMU itself failed`;
  }
}
