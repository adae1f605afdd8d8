// Boots the run image (`make run`'s) and types at its memory console through the serial
// port, as a user would: shared by the console's tests and the SMP boot test.
import { execa } from 'execa';
import { qemuArgs } from '../../qemu/args.ts';

const ISO = 'build/run/keel.iso';
export const TIMEOUT_MS = 90_000;

/** Boots the run image (with `extraArgs`), types `commands` once the console is up; resolves with the serial text and QEMU's status (QEMU is killed after `timeoutMs`). */
export async function session(commands: string[], extraArgs: string[] = [], timeoutMs: number = TIMEOUT_MS): Promise<{ text: string; status: number | undefined }> {
  const qemu = execa('qemu-system-x86_64', qemuArgs({ iso: ISO, extraArgs, envExtra: process.env.QEMU_EXTRA }), {
    stdin: 'pipe', reject: false, timeout: timeoutMs, cleanup: true, all: true,
  });
  let text = '';
  let typed = false;
  qemu.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    // Typed only once the prompt is there: bytes sent earlier would meet the UART's reset.
    if (!typed && text.includes('keel> memory console')) {
      typed = true;
      qemu.stdin!.write(commands.map((c) => `${c}\r`).join(''));
    }
  });
  const result = await qemu;
  return { text: text.replace(/\r/g, ''), status: result.exitCode };
}

/** The console's answer to one command: the lines after `keel> COMMAND` up to the next prompt. */
export function answer(text: string, command: string): string {
  const start = text.indexOf(`keel> ${command}\n`);
  if (start < 0) return `(no echo of "${command}" in the output)`;
  const rest = text.slice(start + `keel> ${command}\n`.length);
  const next = rest.indexOf('keel> ');
  return next < 0 ? rest : rest.slice(0, next);
}

