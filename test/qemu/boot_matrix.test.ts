// The boot matrix: the in-kernel suite must pass on every machine configuration, each with
// its own memory map (BIOS pc and q35, UEFI through OVMF, RAM from tiny to above 4 GiB).
// `make test` boots a quick subset; `make test-all` (KEEL_TEST_ALL=1) boots all of them.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootKtap, bootTimeoutMs, missingIso, repoPath } from '../harness/boot.ts';

interface Config {
  name: string;
  memory: string;
  args: string[];
}

const OVMF = '/usr/share/ovmf/OVMF.fd';
const pc = (memory: string): Config => ({ name: `BIOS pc ${memory}`, memory, args: [] });
const q35 = (memory: string): Config => ({ name: `BIOS q35 ${memory}`, memory, args: ['-machine', 'q35'] });
const uefi = (memory: string): Config => ({ name: `UEFI OVMF ${memory}`, memory, args: ['-bios', OVMF] });
/** With `-cpu max`: CPUID reports 1 GiB pages (the default qemu64 CPU does not), so the direct map and the in-kernel huge-page test use them. */
const max = (c: Config): Config => ({ name: `${c.name} -cpu max`, memory: c.memory, args: [...c.args, '-cpu', 'max'] });

const QUICK: Config[] = [max(q35('1G')), pc('5G'), uefi('128M')];
const FULL: Config[] = [
  ...['64M', '128M', '1G', '4G', '5G', '97M'].flatMap((m) => [pc(m), q35(m)]),
  max(q35('1G')),
  max(pc('5G')),
  uefi('128M'),
  uefi('1G'),
  uefi('5G'),
];

const configs = process.env.KEEL_TEST_ALL ? FULL : QUICK;
const iso = repoPath('build/test/keel.iso');

describe(`boot matrix (${process.env.KEEL_TEST_ALL ? 'full' : 'quick subset; make test-all boots all'} ${configs.length} configurations)`, () => {
  it('has the OVMF firmware for the UEFI configurations', () => {
    expect(existsSync(OVMF), `${OVMF} (Debian package ovmf)`).toBe(true);
  });

  // At most two QEMUs at once: the machine has two cores.
  it.concurrent.each(configs.map((c) => [c.name, c] as const))('%s: every in-kernel test passes', async (_name, c) => {
    const missing = missingIso(iso);
    if (missing) throw new Error(missing);
    const boot = await bootKtap(iso, { timeoutMs: bootTimeoutMs(60_000), memory: c.memory, extraArgs: c.args });
    if (!boot.judgement.passed) throw new Error(`${c.name}: ${boot.judgement.summary()}\n\n${boot.run.describe()}`);
    expect(boot.run.status).toBe(33);
    expect(boot.ktap.complete).toBe(true);
  }, 120_000);
});
