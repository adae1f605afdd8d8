// An ISO that boots a built kernel with a command line: the same files as build/NAME/iso/
// (qemu/build-image.sh leaves them there), GRUB's `multiboot2` line given extra words, made
// by grub-mkrescue (qemu/grub-iso.sh, GRUB's part prepared once) into a fresh directory
// (a fraction of a second). GRUB passes the words to
// the kernel in the multiboot2 command-line tag (kernel/boot/command_line.ts); the test
// kernel reads `tests=` and `timeout=` from it (kernel/tests/ktap_options.ts).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const GRUB_ISO = join(dirname(fileURLToPath(import.meta.url)), 'grub-iso.sh');

/** A temporary ISO and how to remove it. */
export interface CommandLineIso {
  iso: string;
  remove(): void;
}

/** Words GRUB passes on safely without quoting: no spaces, quotes, `$`, `;` or backslashes. */
const SAFE_WORDS = /^[A-Za-z0-9_.,=:+\-/ ]*$/;

/** Builds a copy of `iso` (from its iso/ directory) whose kernel gets `commandLine`. */
export async function isoWithCommandLine(iso: string, commandLine: string): Promise<CommandLineIso> {
  if (!SAFE_WORDS.test(commandLine)) throw new Error(`kernel command line ${JSON.stringify(commandLine)}: only letters, digits, spaces and _.,=:+-/ pass through GRUB unquoted`);
  const tree = join(dirname(iso), 'iso');
  const cfg = join(tree, 'boot', 'grub', 'grub.cfg');
  if (!existsSync(cfg)) throw new Error(`${cfg} does not exist: rebuild ${iso} (qemu/build-image.sh keeps the ISO's files next to it)`);
  const dir = mkdtempSync(join(tmpdir(), 'keel-cmdline-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    cpSync(tree, join(dir, 'iso'), { recursive: true });
    const text = readFileSync(cfg, 'utf8');
    const edited = text.replace(/^(\s*multiboot2\s+\S+)(.*)$/m, (_, path: string, rest: string) => `${path}${rest} ${commandLine}`);
    if (edited === text) throw new Error(`${cfg} has no multiboot2 line to add the command line to`);
    writeFileSync(join(dir, 'iso', 'boot', 'grub', 'grub.cfg'), edited);
    const out = join(dir, 'keel.iso');
    const r = await execa(GRUB_ISO, [out, join(dir, 'iso')], { reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`qemu/grub-iso.sh (grub-mkrescue) failed for the command line ${JSON.stringify(commandLine)}:\n${r.all}`);
    return { iso: out, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
