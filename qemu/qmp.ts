// A small QMP client for asking a running QEMU what the CPU really sees (`info mem`,
// `info tlb`, `info registers`): an independent check of the kernel's page tables.
// QMP rather than the human monitor socket: replies are JSON, with no echo or escape codes to strip.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Qmp {
  /** Runs a human-monitor command (e.g. "info mem") and returns its text output. */
  hmp(commandLine: string): Promise<string>;
  /** Runs a QMP command and returns its "return" value. */
  execute(command: string, args?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Connects to QEMU's `-qmp unix:PATH,server,nowait` socket, retrying until QEMU has created it. */
export async function connectQmp(socketPath: string, timeoutMs = 10_000): Promise<Qmp> {
  const socket = await connectWithRetry(socketPath, Date.now() + timeoutMs);
  const waiters: Waiter[] = [];
  let buffer = '';
  let greeted: (() => void) | undefined;
  const greeting = new Promise<void>((resolve) => (greeted = resolve));
  const failAll = (error: Error) => waiters.splice(0).forEach((w) => w.reject(error));

  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) dispatch(JSON.parse(line) as Record<string, unknown>);
    }
  });
  socket.on('error', failAll);
  socket.on('close', () => failAll(new Error('QMP connection closed (QEMU exited?)')));

  // Replies come in command order; events ({"event": ...}) can arrive at any time and are ignored.
  function dispatch(message: Record<string, unknown>): void {
    if ('QMP' in message) return greeted?.();
    if ('event' in message) return;
    const waiter = waiters.shift();
    if (!waiter) return;
    if ('error' in message) waiter.reject(new Error(`QMP error: ${JSON.stringify(message.error)}`));
    else waiter.resolve(message.return);
  }

  function execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      waiters.push({ resolve, reject });
      socket.write(`${JSON.stringify({ execute: command, ...(args && { arguments: args }) })}\n`);
    });
  }

  await greeting;
  await execute('qmp_capabilities');
  return {
    execute,
    hmp: async (commandLine) => String(await execute('human-monitor-command', { 'command-line': commandLine })).replace(/\r/g, ''),
    close: () => socket.destroy(),
  };
}

/** Connects to a unix socket, retrying while it does not exist yet or refuses connections. */
async function connectWithRetry(path: string, deadline: number): Promise<Socket> {
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect(path);
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no QMP socket at ${path}: ${(error as Error).message}`);
      await sleep(50);
    }
  }
}
