// The debug checks (kernel/mm/debug/) in Node on the simulated machine: the W^X scan finds
// exactly the mapping made writable and executable, through every level's permissions; the
// freed-frame poison catches a write after free when the frame is handed out again; freed
// frames leave a 4 KiB direct map until handed out again (checked by the independent page
// walker of test/sim), and the page-fault report says so for an address there.
import { describe, expect, it } from 'vitest';
import { ChunkAllocator } from '../../kernel/mm/alloc';
import { FramePoison, POISON } from '../../kernel/mm/debug/pagealloc';
import { checkNoWritableExecutable, leafEntrySlot, NO_ADDRESS, scanWritableExecutable } from '../../kernel/mm/debug/wx';
import { ENTRY_NO_EXECUTE, ENTRY_POISONED, ENTRY_WRITABLE } from '../../kernel/mm/paging/entry';
import { LEVEL_P1, walk as walkTables } from '../../kernel/mm/paging/walk';
import { PageFlags } from '../../kernel/mm/paging/flags';
import { Mapper } from '../../kernel/mm/paging/mapper';
import { FrameRange, Page, PageRange, PhysicalAddress, VirtualAddress, type Frame } from '../../kernel/mm/addr';
import { explainFault, setDirectMapped, stopUnmapping, unmapFreedFrames } from '../../kernel/mm/debug/unmap';
import { handleException, setPageFaultExplainer } from '../../kernel/arch/x86_64/exceptions';
import { serialInit } from '../../kernel/arch/x86_64/serial';
import { machine, QemuExit, SimPageFault } from '../sim/machine';
import { faultWhereUnmapped, walk } from '../sim/page_walker';
import { load64, store64 } from '../../kernel/lib/intrinsics';
import { simCpu } from '../sim/intrinsics';
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

describe('freed-frame poisoning with unmapping on', () => {
  it('poisons and checks every frame of every release (the entries remember it): no 64-frame or 64-range quarantine limit', () => {
    const D = 0x800n; // 256 frames: four times a quarantined release's 64
    const N = 0x100n;
    const direct = (frame: bigint): bigint => BASE + (frame << 12n);
    const m = Mapper.create(frames(), BASE, 0n);
    expect(m.mapRange(PageRange.empty().withNumbers(direct(D) >> 12n, N), FrameRange.empty().withNumbers(D, N), PageFlags.readWrite()).isOk()).toBe(true);
    const a = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>('data frames', FrameRange.empty(), 16);
    a.addFree(FrameRange.empty().withNumbers(D, N));
    const hook = new FramePoison(BASE, 1n << 40n);
    a.setPoisonHook(hook);
    const poisonedBit = (frame: bigint): bigint => (walkTables(m.p4Address(), BASE, Page.containing(VirtualAddress.canonical(direct(frame))), LEVEL_P1).entry & ENTRY_POISONED) >> 9n;
    try {
      unmapFreedFrames(m.p4Address(), BASE, 1n << 40n);
      expect(setDirectMapped(D, D + N - 1n, false, null)).toBe(N); // free at boot: unmapped, never poisoned
      expect(poisonedBit(D)).toBe(0n);
      const all = a.allocate(N).allocated!;
      expect(hook.checked).toBe(0n); // nothing was poisoned, so nothing to check
      all.release();
      expect(hook.poisoned).toBe(N);
      expect([poisonedBit(D), poisonedBit(D + N - 1n)]).toEqual([1n, 1n]);
      expect(machine.load(direct(D + N - 1n) + 0xff8n, 8)).toBe(POISON);
      machine.store(direct(D + N - 1n) + 0x100n, 8, 5n); // a stray write into the last frame, past the first 64
      for (let i = 0; i < 100; i++) a.allocate(2n).allocated!.release(); // more releases than the quarantine had ranges
      expect(hook.checked).toBe(200n);
      expect(poisonedBit(D)).toBe(1n); // released again: marked again
      const phys = `0x${((D + N - 1n) << 12n).toString(16)}`;
      expectPanic(() => a.allocateAt(PhysicalAddress.canonical((D + N - 1n) << 12n), 1n), `use after free: frame p${phys} was written after it was freed (word at +0x100 holds 0x5`);
    } finally {
      stopUnmapping();
    }
  });
});

describe('freed frames unmapped from the direct map', () => {
  const DATA = 0x400n; // the data frames: 0x400 .. 0x43f, direct-mapped with 4 KiB pages at BASE + physical
  const COUNT = 0x40n;
  const direct = (frame: bigint): bigint => BASE + (frame << 12n);

  it('unmaps released frames, maps them back when handed out, keeps the tables, and the fault report names the free frame', () => {
    const m = Mapper.create(frames(), BASE, 0n); // tables from frames 0x100 ..
    expect(m.mapRange(PageRange.empty().withNumbers(direct(DATA) >> 12n, COUNT), FrameRange.empty().withNumbers(DATA, COUNT), PageFlags.readWrite()).isOk()).toBe(true);
    const a = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>('data frames', FrameRange.empty(), 16);
    a.addFree(FrameRange.empty().withNumbers(DATA, COUNT));
    a.setPoisonHook(new FramePoison(BASE, 1n << 40n));
    const present = (frame: bigint): boolean => walk(m.p4Address(), direct(frame) + 0x40n, BASE)?.phys === (frame << 12n) + 0x40n;
    try {
      unmapFreedFrames(m.p4Address(), BASE, 1n << 40n);
      const flushes = simCpu.flushes;
      expect(setDirectMapped(DATA, DATA + COUNT - 1n, false, null)).toBe(COUNT); // every free frame, as memory init does
      expect(simCpu.flushes - flushes).toBe(33); // 32 invlpg, then one CR3 reload for the rest
      expect([present(DATA), present(DATA + COUNT - 1n)]).toEqual([false, false]);
      const tables = m.tableFrameCount();
      expect(m.prune()).toBe(0n); // unmapped entries still count: their table stays for the remap
      expect(m.tableFrameCount()).toBe(tables);

      const f = a.allocate(3n).allocated!;
      const first = f.range().firstNumber();
      expect([present(first), present(first + 1n), present(first + 2n), present(first + 3n)]).toEqual([true, true, true, false]);
      machine.store(direct(first + 1n) + 0x40n, 8, 7n);
      f.release();
      expect([present(first), present(first + 1n), present(first + 2n)]).toEqual([false, false, false]);
      expect(walk(m.p4Address(), direct(first + 1n), BASE)).toBeNull();
      // As the CPU: a write after free through the direct map faults (and nothing is written).
      faultWhereUnmapped(m.p4Address(), BASE, direct(DATA), COUNT << 12n);
      expect(() => store64(direct(first + 1n) + 0x40n, 0xdead_beefn)).toThrow(SimPageFault);
      expect(() => load64(direct(first) + 0xff8n)).toThrow(SimPageFault);
      machine.accessCheck = null;
      expect(machine.load(direct(first + 1n) + 0x40n, 8)).toBe(POISON);

      serialInit();
      expect(explainFault(direct(first + 1n) + 0x40n, false)).toBe(true);
      expect(explainFault(direct(DATA + COUNT) + 0x40n, false)).toBe(false); // not a frame of the direct map's tables
      faultWhereUnmapped(m.p4Address(), BASE, direct(DATA), COUNT << 12n);
      const again = a.allocateAt(PhysicalAddress.canonical(first << 12n), 1n).allocated!; // maps it back, then checks the poison through it
      expect(present(first)).toBe(true);
      store64(direct(first) + 0x40n, 1n); // handed out: no fault
      machine.accessCheck = null;
      expect(explainFault(direct(first) + 0x40n, false)).toBe(false); // handed out: mapped, nothing to explain
      again.release();
      const phys = `0x${((first + 1n) << 12n).toString(16)}`;
      const addr = `0x${(direct(first + 1n) + 0x40n).toString(16)}`;
      expect(machine.serial).toBe(`  use after free: ${addr} is the direct map of frame p${phys}, which is free (released, and unmapped until it is handed out again)\n`);

      // The CPU's fault on that address, as boot/exceptions.S hands it to the report.
      machine.serial = '';
      setPageFaultExplainer(explainFault);
      simCpu.cr2 = direct(first + 1n) + 0x40n;
      const at = 0x1_0000n;
      for (let i = 0n; i < 22n; i++) machine.store(at + i * 8n, 8, 0n);
      machine.store(at + 136n, 8, 0x1234n);
      expect(() => handleException(14n, 0x2n, at)).toThrow(QemuExit);
      const lines = machine.serial.split('\n');
      expect(lines.slice(0, 4)).toEqual([
        'exception: page fault (#PF, vector 14)',
        '  error code 0x2: not present, write, kernel mode',
        `  address (cr2) ${addr}`,
        `  use after free: ${addr} is the direct map of frame p${phys}, which is free (released, and unmapped until it is handed out again)`,
      ]);
      expect(lines).toContain(`panic: page fault at ${addr}: not present, write, kernel mode (use after free: frame p${phys} is free)`);
      expect(setDirectMapped(DATA, DATA + COUNT - 1n, true, null)).toBe(COUNT); // all free again: all mapped back, as before stopping
    } finally {
      stopUnmapping();
    }
    // Off: allocations and releases leave the direct map alone.
    const g = a.allocate(1n).allocated!;
    const n = g.range().firstNumber();
    expect(present(n)).toBe(true);
    g.release();
    expect(present(n)).toBe(true);
  });
});
