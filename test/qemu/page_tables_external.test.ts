// An external check of the kernel's page tables: after `make run`'s kernel reaches its
// console, QEMU's monitor (QMP: `info mem`, `info tlb`) says what the CPU really sees, and
// that must match what the kernel says it built: no identity map (nothing in the lower
// half), each ELF section with its own permissions (text R-X, rodata R NX, data/bss RW NX),
// the stack guard pages unmapped, the direct map RW NX, and no page writable and executable.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { connectQmp } from '../../qemu/qmp.ts';
import { runQemu } from '../../qemu/runner.ts';
import { missingIso, repoPath } from '../harness/boot.ts';

interface Pte {
  virt: bigint;
  size: bigint;
  noExecute: boolean;
  writable: boolean;
}

/** Parses `info tlb` lines: `vaddr: paddr XGPDACTUW` (QEMU target/i386/monitor.c). */
function parseTlb(text: string): Pte[] {
  const out: Pte[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+): [0-9a-f]+ ([X-])([G-])([P-])[D-][A-][C-][T-][U-]([W-])$/.exec(line.trim());
    if (!m) continue;
    const virt = BigInt(`0x${m[1]}`);
    // A P (PSE) leaf is a huge page: the kernel maps 2 MiB ones (the direct map), never 1 GiB.
    const size = m[4] === 'P' ? 1n << 21n : 1n << 12n;
    out.push({ virt, size, noExecute: m[2] === 'X', writable: m[5] === 'W' });
  }
  return out;
}

/** Linker symbols of the run image. */
function symbols(elf: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of execFileSync('nm', [elf], { encoding: 'utf8' }).split('\n')) {
    const m = /^([0-9a-f]+) \w (\S+)$/.exec(line);
    if (m) out.set(m[2]!, BigInt(`0x${m[1]}`));
  }
  return out;
}

it('the CPU sees the page tables the kernel reports building (QMP info mem / info tlb)', async () => {
  const iso = repoPath('build/run/keel.iso');
  const missing = missingIso(iso);
  if (missing) throw new Error(missing);
  const sym = symbols(repoPath('build/run/keel.elf'));
  const sock = join(tmpdir(), `keel-qmp-${process.pid}.sock`);
  let mem = '';
  let tlb = '';
  let report = '';
  let failure: unknown = null;
  const run = await runQemu({
    iso,
    timeoutMs: 60_000,
    qmpSocket: sock,
    onLine: (line) => {
      if (line.startsWith('memory: kernel page tables')) report = line;
      if (!line.includes('memory console')) return;
      void (async () => {
        try {
          const qmp = await connectQmp(sock, 10_000);
          mem = await qmp.hmp('info mem');
          tlb = await qmp.hmp('info tlb');
          await qmp.execute('quit').catch(() => undefined);
          qmp.close();
        } catch (e) {
          failure = e;
        }
      })();
    },
  });
  rmSync(sock, { force: true });
  if (failure) throw failure;
  expect(mem, run.describe()).not.toBe('');
  expect(report, 'the kernel reports its tables').toMatch(/text R-X, rodata R--, data RW-, bss RW-, guard v0x[0-9a-f]+ unmapped; direct map \d+ MiB at v0xffff800000000000; identity map dropped/);

  const ptes = parseTlb(tlb);
  expect(ptes.length).toBeGreaterThan(10);
  const at = (addr: bigint) => ptes.find((p) => addr >= p.virt && addr < p.virt + p.size);

  // The identity map is gone: nothing below the higher half.
  expect(ptes.filter((p) => p.virt < 0xffff_8000_0000_0000n)).toEqual([]);
  expect(mem.split('\n').filter((l) => /^0000/.test(l))).toEqual([]);
  // W^X everywhere.
  expect(ptes.filter((p) => p.writable && !p.noExecute).map((p) => p.virt.toString(16))).toEqual([]);
  // Each section with its own permissions, page by page.
  const check = (from: string, to: string, writable: boolean, noExecute: boolean) => {
    for (let a = sym.get(from)!; a < sym.get(to)!; a += 0x1000n) {
      const p = at(a);
      expect(p, `${from}+${(a - sym.get(from)!).toString(16)} is mapped`).toBeDefined();
      expect({ section: from, writable: p!.writable, noExecute: p!.noExecute }).toEqual({ section: from, writable, noExecute });
    }
  };
  check('__text_start', '__text_end', false, false);
  check('__rodata_start', '__rodata_end', false, true);
  check('__data_start', '__data_end', true, true);
  // The guard pages below the boot stack and the double-fault stack are not mapped; the
  // rest of .bss is RW NX.
  const guards = [sym.get('__boot_stack_guard')!, sym.get('keel_double_fault_stack_guard')!];
  for (const guard of guards) expect(at(guard), `the stack guard page ${guard.toString(16)} is unmapped`).toBeUndefined();
  for (let a = sym.get('__bss_start')!; a < sym.get('__bss_end')!; a += 0x1000n) {
    if (guards.includes(a)) continue;
    expect(at(a)?.writable && at(a)?.noExecute, `.bss page ${a.toString(16)} is RW NX`).toBe(true);
  }
  // The direct map: physical 0 at 0xffff800000000000, read-write, never executable.
  const direct = at(0xffff_8000_0000_0000n);
  expect(direct?.writable && direct?.noExecute).toBe(true);
}, 90_000);
