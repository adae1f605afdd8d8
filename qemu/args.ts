// The QEMU command line for booting a Keel ISO: one place so tests, `make test` and
// debugging runs agree on the flags (REFERENCE.md "QEMU").

/** What a boot needs beyond the fixed flags. */
export interface QemuArgOptions {
  iso: string;
  /** Guest RAM, QEMU syntax ("128M", "5G"); default 128M. */
  memory?: string;
  /** Start a GDB stub on this TCP port (-gdb tcp::PORT). */
  gdbPort?: number;
  /** With gdbPort: halt the CPU at start until GDB continues (-S). */
  gdbWait?: boolean;
  /** Log every exception and CPU reset to this file (-d int,cpu_reset -D FILE): finds triple faults. */
  interruptLog?: string;
  /** Serve the human monitor on this unix socket (-monitor unix:PATH,server,nowait), e.g. for socat. */
  monitorSocket?: string;
  /** Serve QMP on this unix socket (-qmp unix:PATH,server,nowait); see qmp.ts for a client. */
  qmpSocket?: string;
  /** Appended after the fixed flags (e.g. ["-machine", "q35"]). */
  extraArgs?: string[];
  /** Whitespace-separated flags appended last, from the environment (QEMU_EXTRA). */
  envExtra?: string;
}

/** The isa-debug-exit device at port 0xf4: the kernel writes v, QEMU exits with (v << 1) | 1. */
export const DEBUG_EXIT_DEVICE = 'isa-debug-exit,iobase=0xf4,iosize=0x04';

/** Builds the argument list for qemu-system-x86_64 (without the binary). */
export function qemuArgs(opts: QemuArgOptions): string[] {
  const args = [
    '-cdrom', opts.iso,
    '-serial', 'stdio',
    '-display', 'none',
    // A triple fault then stops QEMU with status 0 instead of rebooting into the same fault forever.
    '-no-reboot',
    '-m', opts.memory ?? '128M',
    '-device', DEBUG_EXIT_DEVICE,
    // Without this, QEMU may multiplex a monitor onto stdio and eat or inject serial bytes.
    '-monitor', opts.monitorSocket ? `unix:${opts.monitorSocket},server,nowait` : 'none',
  ];
  if (opts.qmpSocket) args.push('-qmp', `unix:${opts.qmpSocket},server,nowait`);
  if (opts.gdbPort !== undefined) args.push('-gdb', `tcp::${opts.gdbPort}`);
  if (opts.gdbPort !== undefined && opts.gdbWait) args.push('-S');
  if (opts.interruptLog) args.push('-d', 'int,cpu_reset', '-D', opts.interruptLog);
  args.push(...(opts.extraArgs ?? []));
  args.push(...splitExtra(opts.envExtra));
  return args;
}

/** Splits a QEMU_EXTRA-style string on whitespace; no quoting, as flags never need spaces. */
export function splitExtra(extra: string | undefined): string[] {
  return (extra ?? '').split(/\s+/).filter((word) => word.length > 0);
}
