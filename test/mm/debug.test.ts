// The debug checks (kernel/mm/debug/) in Node on the simulated machine: the W^X scan finds
// exactly the mapping made writable and executable, through every level's permissions; the
// freed-frame poison catches a write after free when the frame is handed out again.
import { describe, expect, it } from 'vitest';
import { ChunkAllocator } from '../../kernel/mm/alloc';
import { FramePoison, POISON } from '../../kernel/mm/debug/pagealloc';
import { checkNoWritableExecutable, leafEntrySlot, NO_ADDRESS, scanWritableExecutable } from '../../kernel/mm/debug/wx';
import { ENTRY_NO_EXECUTE, ENTRY_WRITABLE } from '../../kernel/mm/paging/entry';
import { PageFlags } from '../../kernel/mm/paging/flags';
import { Mapper } from '../../kernel/mm/paging/mapper';
import { FrameRange, PageRange, PhysicalAddress, type Frame } from '../../kernel/mm/addr';
import { machine } from '../sim/machine';
import { expectPanic, useSimulatedConsole } from './support';

useSimulatedConsole();

const BASE = 0xffff_8000_0000_0000n; // tables and frames reached at physical + BASE, as after memory init

function frames(): ChunkAllocator<PhysicalAddress, Frame, FrameRange> {
  const a = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>('test frames', FrameRange.empty(), 16);
  a.addFree(FrameRange.empty().withNumbers(0x100n, 0x100n));
  return a;
}

describe('W^X scan', () => {
  it('passes W^X mappings and finds the one page made writable and executable', () => {
    const m = Mapper.create(frames(), BASE, 0n);
    const text = 0xffff_ffff_8010_0000n;
    const data = 0xffff_c000_0000_0000n;
    expect(m.mapRange(PageRange.empty().withNumbers(text >> 12n, 4n), FrameRange.empty().withNumbers(0x300n, 4n), PageFlags.readExecute()).isOk()).toBe(true);
    expect(m.mapRange(PageRange.empty().withNumbers(data >> 12n, 4n), FrameRange.empty().withNumbers(0x310n, 4n), PageFlags.readWrite()).isOk()).toBe(true);
    const clean = scanWritableExecutable(m.p4Address(), BASE);
    expect(clean.offender).toBe(NO_ADDRESS);
    expect(clean.leaves).toBe(8n);
    const slot = leafEntrySlot(m.p4Address(), BASE, data + 0x2000n);
    machine.store(BASE + slot, 8, machine.load(BASE + slot, 8) & ~ENTRY_NO_EXECUTE);
    const found = scanWritableExecutable(m.p4Address(), BASE);
    expect([found.offender, found.offenderSize]).toEqual([data + 0x2000n, 0x1000n]);
    expectPanic(() => checkNoWritableExecutable(m.p4Address(), BASE), 'W+X mapping at v0xffffc00000002000 (4 KiB): writable and executable');
  });

  it('takes the permissions of the whole path: a read-only upper level makes the page read-only', () => {
    const m = Mapper.create(frames(), BASE, 0n);
    const va = 0xffff_c000_0020_0000n;
    expect(m.mapRange(PageRange.empty().withNumbers(va >> 12n, 1n), FrameRange.empty().withNumbers(0x320n, 1n), PageFlags.readWrite()).isOk()).toBe(true);
    const slot = leafEntrySlot(m.p4Address(), BASE, va);
    machine.store(BASE + slot, 8, machine.load(BASE + slot, 8) & ~ENTRY_NO_EXECUTE); // W+X at the leaf
    expect(scanWritableExecutable(m.p4Address(), BASE).offender).toBe(va);
    const p4slot = m.p4Address() + ((va >> 39n) & 511n) * 8n; // clear W in the P4 entry above it
    machine.store(BASE + p4slot, 8, machine.load(BASE + p4slot, 8) & ~ENTRY_WRITABLE);
    expect(scanWritableExecutable(m.p4Address(), BASE).offender).toBe(NO_ADDRESS);
  });
});

describe('freed-frame poisoning', () => {
  it('poisons released frames and panics on a write after free when they are reused', () => {
    const a = frames();
    const hook = new FramePoison(BASE, 1n << 40n);
    a.setPoisonHook(hook);
    const f = a.allocate(2n).allocated!;
    const first = f.range().firstNumber();
    machine.store(BASE + (first << 12n), 8, 42n);
    f.release();
    expect(machine.load(BASE + (first << 12n), 8)).toBe(POISON);
    expect(machine.load(BASE + ((first + 1n) << 12n) + 0xff8n, 8)).toBe(POISON);
    expect(hook.poisoned).toBe(2n);
    const clean = a.allocate(1n).allocated!; // reuse without a stray write: passes, checked
    expect(hook.checked).toBe(1n);
    clean.release();
    machine.store(BASE + ((first + 1n) << 12n) + 0x18n, 8, 7n); // write after free
    expectPanic(() => a.allocate(2n), `use after free: frame p${((first + 1n) << 12n).toString(16).replace(/^/, '0x')} was written after it was freed (word at +0x18 holds 0x7`);
  });
});
