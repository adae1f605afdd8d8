// The memory console of `make run`, driven through the serial port as a user would: boot
// the run image, wait for the prompt, type commands, read the answers. Every command and
// every kind of bad input is exercised; `quit` releases what the session allocated and
// exits QEMU with the success status.
import { describe, expect, it } from 'vitest';
import { answer, session, TIMEOUT_MS } from './console_session.ts';

describe('memory console (make run)', () => {
  it('answers every command, survives bad input, and releases what it allocated at quit', async () => {
    const { text, status } = await session([
      'help', 'frames', 'pages', 'heap', 'mem', 'tables',
      'alloc frames 4', 'alloc pages 0x4', 'map p0 f0', 'walk 0xffffc01000000000',
      'walk 0x5000', 'walk 0x800000000000', 'walk zz',
      'bogus', 'alloc frames x', 'alloc frames 99999999999', 'alloc pages', 'free f9', 'free q1', 'map p5 f0',
      // m0 is 4 pages: one out of the middle leaves two mappings, then the last page of the second
      'unmap 0xffffc01000001234', 'walk 0xffffc01000001000', 'unmap 0xffffc01000003000',
      'unmap 0xffffc01000001000', 'unmap 0x800000000000', 'unmap', 'unmap 0xffffc01000000000 1', 'unmap 0xffffc01000002fff',
      'free m0', 'alloc frames 2', 'quit',
    ]);
    const context = `serial output:\n${text}`;
    expect(status, context).toBe(33);
    expect(answer(text, 'help'), context).toMatch(/alloc frames N[^]*walk ADDR[^]*quit/);
    const frames = /frames: (\d+) free in (\d+) regions \(largest run (\d+)\), (\d+) in the magazine, (\d+) allocated/.exec(answer(text, 'frames'));
    expect(frames, context).not.toBeNull();
    expect(Number(frames![3])).toBeLessThanOrEqual(Number(frames![1]));
    expect(answer(text, 'pages'), context).toMatch(/pages: \d+ free in \d+ regions/);
    expect(answer(text, 'heap'), context).toMatch(/heap: \d+ bytes mapped, \d+ used in \d+ blocks, \d+ free in \d+ blocks/);
    const mem = answer(text, 'mem');
    expect(mem, context).toMatch(/^sanitised memory map: \d+ entries\n/);
    expect(mem, context).toMatch(/\[p0x0000000000100000\.\.p0x[0-9a-f]{16}\] available/);
    const ram = /RAM: (\d+) KiB available, (\d+) KiB reserved at boot[^\n]*\nframes: (\d+) KiB free at boot, (\d+) KiB free now, (\d+) frames allocated/.exec(mem);
    expect(ram, context).not.toBeNull();
    expect(Number(ram![3]) + Number(ram![2])).toBe(Number(ram![1]));
    // Memory init took frames (page tables, heap): fewer are free now than at boot.
    expect(Number(ram![4])).toBeLessThan(Number(ram![3]));
    const tables = answer(text, 'tables');
    // .text is read+execute, .rodata read-only, the stack guards inside .bss unmapped.
    expect(tables, context).toMatch(/^\.text 0xffffffff80[0-9a-f]+\.\.0xffffffff80[0-9a-f]+\n  0xffffffff80[0-9a-f]+\.\.=0x[0-9a-f]+ \(\d+ pages\) -> p0x[0-9a-f]+ R-X\n\.rodata/);
    expect(tables, context).toMatch(/\.rodata [^\n]+\n  [^\n]+ -> p0x[0-9a-f]+ R--\n/);
    expect(tables.match(/\(1 page\) not mapped/g)?.length, context).toBe(2);
    expect(tables, context).toMatch(/direct map: \d+ MiB of physical memory at 0xffff800000000000\n$/);
    const f0 = /f0: (p0x[0-9a-f]+)\.\.=(p0x[0-9a-f]+) \(4 frames\)/.exec(answer(text, 'alloc frames 4'));
    expect(f0, context).not.toBeNull();
    const p0 = /p0: (v0x[0-9a-f]+)\.\.=(v0x[0-9a-f]+) \(4 pages\)/.exec(answer(text, 'alloc pages 0x4'));
    expect(p0, context).not.toBeNull();
    expect(answer(text, 'map p0 f0'), context).toContain(`m0: ${p0![1]}..=${p0![2]} -> ${f0![1]}..=${f0![2]} (RW-)`);
    // The page just mapped translates to the first frame of f0 (the walk goes through the kernel's tables).
    expect(answer(text, 'walk 0xffffc01000000000'), context).toContain(p0![1] === 'v0xffffc01000000000' ? `v0xffffc01000000000 -> ${f0![1]} (RW-)` : 'v0xffffc01000000000');
    expect(answer(text, 'walk 0x5000'), context).toBe('v0x5000: not mapped\n');
    expect(answer(text, 'walk 0x800000000000'), context).toBe('error: 0x800000000000 is not a canonical virtual address\n');
    for (const bad of ['walk zz', 'bogus', 'alloc frames x', 'alloc frames 99999999999', 'alloc pages', 'free f9', 'free q1', 'map p5 f0', 'unmap 0x800000000000', 'unmap', 'unmap 0xffffc01000000000 1'])
      expect(answer(text, bad), `${bad}\n${context}`).toMatch(/^error: [^\n]+\n$/);
    // unmap splits m0 (4 pages from v0xffffc01000000000 onto f0's 4 frames) around the page.
    expect(p0![1], `the first ordinary page, which the unmap commands name\n${context}`).toBe('v0xffffc01000000000');
    const frame = (i: number) => `p0x${(BigInt(f0![1]!.slice(1)) + BigInt(i) * 4096n).toString(16)}`;
    const last = (i: number) => `p0x${(BigInt(f0![1]!.slice(1)) + BigInt(i) * 4096n + 4095n).toString(16)}`;
    expect(answer(text, 'unmap 0xffffc01000001234'), context).toBe(
      'unmapped Page(v0xffffc01000001000): its page and frame released\n'
      + `m0: v0xffffc01000000000..=v0xffffc01000000fff -> ${frame(0)}..=${last(0)} (RW-)\n`
      + `m1: v0xffffc01000002000..=v0xffffc01000003fff -> ${frame(2)}..=${last(3)} (RW-)\n`);
    expect(answer(text, 'walk 0xffffc01000001000'), context).toBe('v0xffffc01000001000: not mapped\n');
    expect(answer(text, 'unmap 0xffffc01000003000'), context).toBe(
      'unmapped Page(v0xffffc01000003000): its page and frame released\n'
      + `m1: v0xffffc01000002000..=v0xffffc01000002fff -> ${frame(2)}..=${last(2)} (RW-)\n`);
    expect(answer(text, 'unmap 0xffffc01000001000'), context).toBe('error: Page(v0xffffc01000001000) is in no mapping of the console (map prints them as mK)\n');
    expect(answer(text, 'unmap 0xffffc01000002fff'), context).toBe('unmapped Page(v0xffffc01000002000): its page and frame released\nm1: nothing left, the handle is free\n');
    expect(answer(text, 'free m0'), context).toBe('released\n');
    // After the mapping was released, its frames are free again: the next allocation gets a handle again.
    expect(answer(text, 'alloc frames 2'), context).toMatch(/^f0: p0x[0-9a-f]+\.\.=p0x[0-9a-f]+ \(2 frames\)\n$/);
    expect(text, context).toContain('keel: bye');
  }, TIMEOUT_MS + 30_000);
});
