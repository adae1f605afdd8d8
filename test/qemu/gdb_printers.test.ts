// GDB pretty printers (qemu/gdb/keel_printers.py, loaded by make gdb): values built from raw
// bytes with the kernel's own DWARF types (build/run/keel.elf) print as the kernel prints
// them: v0x5000, Page(v0x5000), ranges inclusive, optionals as null or their value.
import { execa } from 'execa';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoPath } from '../harness/boot.ts';

const CASES: Array<[string, bigint[], string]> = [
  ['mm_addr_virtual__VirtualAddress', [0x5000n], 'v0x5000'],
  ['mm_addr_virtual__VirtualAddress', [0xffff_8000_0000_1000n], 'v0xffff800000001000'],
  ['mm_addr_physical__PhysicalAddress', [0x10_1000n], 'p0x101000'],
  ['mm_addr_virtual__Page', [5n], 'Page(v0x5000)'],
  ['mm_addr_virtual__Page', [0x8_0000_0000n], 'Page(v0xffff800000000000)'],
  ['mm_addr_physical__Frame', [0x101n], 'Frame(p0x101000)'],
  ['mm_addr_virtual__PageRange', [5n, 3n], 'v0x5000..=v0x7fff'],
  ['mm_addr_physical__FrameRange', [0n, 0n], 'empty'],
  ['mm_addr_physical__FrameRange', [0xf_ffff_ffff_ffffn, 1n], 'p0xfffffffffffff000..=p0xffffffffffffffff'],
  ['keel_opt_mm_addr_virtual__VirtualAddress', [1n, 0x7000n], 'v0x7000'],
  ['keel_opt_mm_addr_virtual__VirtualAddress', [0n, 0n], 'null'],
];

it('pretty-prints addresses, chunks, ranges and optionals as the kernel does', async () => {
  const elf = repoPath('build/run/keel.elf');
  expect(existsSync(elf), `${elf}: make test builds it`).toBe(true);
  const script = join(mkdtempSync(join(tmpdir(), 'keel-gdb-')), 'cases.py');
  writeFileSync(
    script,
    [
      'import gdb, struct',
      'def show(tname, words):',
      '    v = gdb.Value(struct.pack("<" + "Q" * len(words), *words), gdb.lookup_type(tname))',
      '    print("case: " + str(v))',
      ...CASES.map(([t, words]) => `show(${JSON.stringify(t)}, [${words.map((w) => `0x${w.toString(16)}`).join(', ')}])`),
    ].join('\n'),
  );
  const r = await execa('gdb', ['-batch', '-nx', elf, '-x', 'qemu/gdb/settings.gdb', '-x', script], { cwd: repoPath('.'), reject: false });
  const printed = r.stdout.split('\n').filter((l) => l.startsWith('case: ')).map((l) => l.slice(6));
  expect(printed, r.stderr).toEqual(CASES.map((c) => c[2]));
}, 60_000);
