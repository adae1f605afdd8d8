// CPU exceptions on the metal: each fault fixture (test/kernels/*.ts, built by the Makefile)
// installs the kernel's exception handlers and faults on purpose. The report must name the
// exception, the fault address and the decoded error code, locate the faulting TypeScript
// statement (file:line from the line table linked into the kernel), and stop with status 3:
// never a triple fault (0) or a hang. The kernel's symbolization is checked against
// binutils' addr2line on the same ELF.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runQemu, type QemuRun } from '../../qemu/runner.ts';
import { buildTables, readElf, symbolize } from '../../qemu/line_table.ts';
import { bootTimeoutMs, missingIso, REPO_ROOT, repoPath } from '../harness/boot.ts';

/** Boots build/fixture-NAME/keel.iso; a missing ISO fails the test instead of skipping it. */
async function bootFixture(name: string): Promise<QemuRun> {
  const iso = repoPath(`build/fixture-${name}/keel.iso`);
  const missing = missingIso(iso);
  if (missing) throw new Error(missing);
  return runQemu({ iso, timeoutMs: bootTimeoutMs(30_000) });
}

/** The 1-based line of test/kernels/NAME.ts holding the marker comment. */
function markerLine(fixture: string, marker: string): number {
  const lines = readFileSync(repoPath(`test/kernels/${fixture}.ts`), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(`// ${marker}`));
  if (index < 0) throw new Error(`test/kernels/${fixture}.ts no longer contains the marker ${JSON.stringify(marker)}`);
  return index + 1;
}

/** Checks the exit: the kernel reported a failure (status 3), not a triple fault or a hang. */
function expectReportedFailure(run: QemuRun): void {
  const context = run.describe(60);
  expect(run.verdict, context).toBe('fail');
  expect(run.status, context).toBe(3);
}

/** The report lines from the exception line on (the serial before it is the fixture's own). */
function report(run: QemuRun): string[] {
  const start = run.lines.findIndex((l) => l.startsWith('exception: '));
  expect(start, run.describe(60)).toBeGreaterThanOrEqual(0);
  return run.lines.slice(start);
}

/** The backtrace frames: [address, location text]. */
function frames(lines: string[]): Array<[bigint, string]> {
  return lines.flatMap((l) => {
    const m = /^ {4}#\d+ (0x[0-9a-f]+) (.*)$/.exec(l);
    return m ? [[BigInt(m[1]!), m[2]!] as [bigint, string]] : [];
  });
}

/** addr2line's `file:line` for an address of an ELF, relative to the repository. */
function addr2line(elf: string, addr: bigint): string {
  const out = execFileSync('addr2line', ['-e', elf, `0x${addr.toString(16)}`], { encoding: 'utf8' }).trim();
  return out.replace(/ \(discriminator \d+\)$/, '').replace(REPO_ROOT, '');
}

describe.concurrent('exception reports', () => {
  it('page fault: address, error bits, rip and the TypeScript line of the write', async () => {
    const run = await bootFixture('page_fault');
    expectReportedFailure(run);
    const lines = report(run);
    const line = markerLine('page_fault', 'fault-here');
    const context = run.describe(60);
    expect(lines[0], context).toBe('exception: page fault (#PF, vector 14)');
    expect(lines[1], context).toBe('  error code 0x2: not present, write, kernel mode');
    expect(lines[2], context).toBe('  address (cr2) 0x555500001000');
    // The unity build lets gcc inline this small kernelMain into keel_start: the TypeScript
    // line stays exact, the symbol is the function the code now lies in (GDB shows both frames).
    const fn = '(test_kernels_page_fault__kernelMain|keel_start)';
    // store64 is inlined (a macro of keel_runtime.h): the faulting mov is on the TypeScript line.
    expect(lines[3], context).toMatch(new RegExp(`^ {2}rip 0xffffffff8[0-9a-f]{7} test/kernels/page_fault\\.ts:${line} \\(${fn}\\+0x[0-9a-f]+\\)$`));
    expect(lines[4], context).toMatch(new RegExp(`^ {2}source test/kernels/page_fault\\.ts:${line} \\(${fn}\\)$`));
    expect(lines, context).toContain('  backtrace:');
    const bt = frames(lines);
    // Frame #0 is the faulting mov itself, on the TypeScript line (store64 is inlined).
    expect(bt[0]?.[1], context).toMatch(new RegExp(`^test/kernels/page_fault\\.ts:${line} \\(${fn}\\+0x[0-9a-f]+\\)$`));
    expect(lines.at(-1), context).toBe(
      `panic at test/kernels/page_fault.ts:${line}: page fault at 0x555500001000: not present, write, kernel mode`,
    );
  });

  it('use after unmap: a page released through the kernel page tables faults on the next read', async () => {
    const run = await bootFixture('use_after_unmap');
    expectReportedFailure(run);
    const context = run.describe(60);
    const mapped = run.lines.map((l) => /^# mapped (0x[0-9a-f]+), read back 0x123456789abcdef0$/.exec(l)).find((m) => m);
    expect(mapped, context).toBeDefined();
    const addr = mapped![1]!;
    const lines = report(run);
    const line = markerLine('use_after_unmap', 'fault-here');
    expect(lines[0], context).toBe('exception: page fault (#PF, vector 14)');
    expect(lines[1], context).toBe('  error code 0x0: not present, read, kernel mode');
    expect(lines[2], context).toBe(`  address (cr2) ${addr}`);
    expect(lines[4], context).toBe(`  source test/kernels/use_after_unmap.ts:${line} (test_kernels_use_after_unmap__kernelMain)`);
    expect(run.lines.some((l) => l.startsWith('# unreachable')), context).toBe(false);
  });

  it('general protection: a non-canonical load, no selector, the TypeScript line of the load', async () => {
    const run = await bootFixture('gp_fault');
    expectReportedFailure(run);
    const lines = report(run);
    const line = markerLine('gp_fault', 'fault-here');
    const context = run.describe(60);
    expect(lines[0], context).toBe('exception: general protection fault (#GP, vector 13)');
    expect(lines[1], context).toBe('  error code 0x0: no selector');
    // load64 is inlined (a macro of keel_runtime.h): the faulting mov is on the TypeScript line.
    expect(lines[2], context).toMatch(new RegExp(`^ {2}rip 0xffffffff8[0-9a-f]{7} test/kernels/gp_fault\\.ts:${line} \\(test_kernels_gp_fault__kernelMain\\+0x[0-9a-f]+\\)$`));
    expect(lines[3], context).toBe(`  source test/kernels/gp_fault.ts:${line} (test_kernels_gp_fault__kernelMain)`);
    // The non-canonical address is in a register of the inlined load (no longer load64's rdi).
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}.*\br[a-z0-9]+ 0x8000000000000000\b/));
    expect(lines.at(-1), context).toBe(`panic at test/kernels/gp_fault.ts:${line}: general protection fault: no selector`);
  });

  it('invalid opcode: ud2, the TypeScript line of the call', async () => {
    const run = await bootFixture('invalid_opcode');
    expectReportedFailure(run);
    const lines = report(run);
    const line = markerLine('invalid_opcode', 'fault-here');
    const context = run.describe(60);
    expect(lines[0], context).toBe('exception: invalid opcode (#UD, vector 6)');
    expect(lines[1], context).toBe('  error code 0x0: none pushed');
    expect(lines[2], context).toMatch(/^ {2}rip 0xffffffff8[0-9a-f]{7} boot\/exceptions\.S:\d+ \(keel_ud2\+0x0\)$/);
    expect(lines[3], context).toBe(`  source test/kernels/invalid_opcode.ts:${line} (test_kernels_invalid_opcode__kernelMain)`);
    expect(lines.at(-1), context).toBe(`panic at test/kernels/invalid_opcode.ts:${line}: invalid opcode`);
  });

  it('stack overflow: the guard page turns unbounded recursion into a reported double fault', async () => {
    const run = await bootFixture('stack_overflow');
    expectReportedFailure(run);
    const lines = report(run);
    const line = markerLine('stack_overflow', 'recurse-here');
    const context = run.describe(60);
    expect(lines[0], context).toBe('exception: double fault (#DF, vector 8)');
    expect(lines[1], context).toBe('  error code 0x0: always 0');
    const cr2Match = /^ {2}address \(cr2\) (0x[0-9a-f]+)$/.exec(lines[2] ?? '');
    expect(cr2Match, context).not.toBeNull();
    const cr2 = BigInt(cr2Match![1]!);
    // The guard page is the linker's __boot_stack_guard, right below a 64 KiB stack.
    const elf = readElf(repoPath('build/fixture-stack_overflow/keel.elf'));
    const guard = elf.symbol('__boot_stack_guard')!;
    const bottom = elf.symbol('__boot_stack_bottom')!;
    const top = elf.symbol('__boot_stack_top')!;
    expect(bottom - guard).toBe(0x1000n);
    expect(top - bottom).toBe(0x10000n);
    expect(cr2 >= guard && cr2 < bottom, `cr2 ${cr2.toString(16)} in the guard page`).toBe(true);
    const hex = (v: bigint) => `0x${v.toString(16)}`;
    expect(lines[3], context).toBe(
      `  kernel stack overflow: ${hex(cr2)} is in the guard page ${hex(guard)} below the boot stack ${hex(bottom)}..${hex(top)}`,
    );
    expect(lines[5], context).toBe(`  source test/kernels/stack_overflow.ts:${line} (test_kernels_stack_overflow__recurse)`);
    // The recursion shows in the backtrace as one line: the faulting frame, then one run of
    // identical return addresses, down to kernelMain.
    const inRecurse = new RegExp(`^test/kernels/stack_overflow\\.ts:${line} \\(test_kernels_stack_overflow__recurse\\+0x[0-9a-f]+\\)`);
    const bt = frames(lines);
    expect(bt[0]?.[1], context).toMatch(inRecurse);
    const runs = lines.flatMap((l) => {
      const m = /^ {4}#(\d+)–#(\d+) ×(\d+) 0x[0-9a-f]+ (.*) recursion$/.exec(l);
      return m ? [{ first: Number(m[1]), last: Number(m[2]), count: Number(m[3]), where: m[4]! }] : [];
    });
    expect(runs, context).toHaveLength(1);
    expect(runs[0]!.where).toMatch(inRecurse);
    expect(runs[0]!.count, context).toBeGreaterThan(500); // a 64 KiB stack of recurse frames
    expect(runs[0]!.last - runs[0]!.first + 1).toBe(runs[0]!.count);
    expect(bt.some(([, where]) => where.includes('(test_kernels_stack_overflow__kernelMain+0x')), context).toBe(true);
    expect(lines, context).not.toContain('    ... (more frames)');
    expect(lines.at(-1), context).toBe(
      `panic at test/kernels/stack_overflow.ts:${line}: kernel stack overflow (double fault, guard page hit at ${hex(cr2)})`,
    );
  });
});

describe('the kernel line table', () => {
  it('agrees with addr2line on the reported frames and across the whole of .text', async () => {
    const elfPath = repoPath('build/fixture-page_fault/keel.elf');
    const run = await bootFixture('page_fault');
    const bt = frames(report(run));
    expect(bt.length, run.describe(60)).toBeGreaterThanOrEqual(2);
    // What the kernel printed for each frame is what addr2line says (frame 0 is the
    // faulting instruction, the others are return addresses: their call is at addr - 1).
    bt.forEach(([addr, where], i) => {
      const fileLine = where.split(' ')[0]!;
      expect(fileLine, `frame #${i}`).toBe(addr2line(elfPath, i === 0 ? addr : addr - 1n));
    });
    // The table the build generated, against addr2line at every 97th byte of the code.
    const elf = readElf(elfPath);
    const tables = buildTables(elf, REPO_ROOT.replace(/\/$/, ''));
    const start = elf.symbol('__text_start')!;
    const end = elf.symbol('__text_end')!;
    const addrs: bigint[] = [];
    for (let a = start; a < end; a += 97n) addrs.push(a);
    const out = execFileSync('addr2line', ['-e', elfPath, ...addrs.map((a) => `0x${a.toString(16)}`)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.replace(/ \(discriminator \d+\)$/, '').replace(REPO_ROOT, ''));
    let compared = 0;
    addrs.forEach((a, i) => {
      const mine = symbolize(tables, a);
      const theirs = out[i]!;
      if (theirs.startsWith('??')) return; // padding between functions
      compared++;
      // `file:?`: no line row covers the address (addr2line names the compilation unit).
      expect(mine ? `${mine.file}:${mine.line}` : '?', `address 0x${a.toString(16)}`).toBe(theirs.endsWith(':?') ? '?' : theirs);
    });
    expect(compared).toBeGreaterThan(50);
  });
});
