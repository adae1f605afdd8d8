// The exception code in Node on the simulated machine: descriptor encodings against values
// worked out by hand from the Intel SDM layouts, the IDT as installed, and the report's
// wording for a frame laid out as boot/exceptions.S lays it out.
import { beforeEach, describe, expect, it } from 'vitest';
import { gateLow, installIdt, tssDescriptorLow } from '../../kernel/arch/x86_64/descriptors';
import { handleException, printSelectorBits } from '../../kernel/arch/x86_64/exceptions';
import { serialInit } from '../../kernel/arch/x86_64/serial';
import { print } from '../../kernel/lib/console';
import { exceptionStubAddress, idtAddress, load64 } from '../../kernel/lib/intrinsics';
import { simCpu } from '../sim/intrinsics';
import { machine, QemuExit, resetMachine } from '../sim/machine';

beforeEach(() => {
  resetMachine();
});

describe('descriptors', () => {
  it('encodes a 64-bit interrupt gate', () => {
    // offset 15..0 | selector << 16 | IST << 32 | type 0x8e << 40 | offset 31..16 << 48
    expect(gateLow(0xffff_ffff_8010_1234n, 0x08, 1n, 0x8en)).toBe(0x8010_8e01_0008_1234n);
  });

  it('encodes a 64-bit available TSS descriptor', () => {
    // limit 15..0 | base 23..0 << 16 | 0x89 << 40 | limit 19..16 << 48 | base 31..24 << 56
    expect(tssDescriptorLow(0xffff_ffff_8011_2340n, 103n)).toBe(0x8000_8911_2340_0067n);
  });

  it('installs 32 gates, the double fault on IST1, and loads a 4 KiB IDT', () => {
    installIdt();
    expect(simCpu.idt).toEqual({ base: idtAddress(), limit: 4095 });
    for (let v = 0; v < 32; v++) {
      const low = load64(idtAddress() + BigInt(v) * 16n);
      const high = load64(idtAddress() + BigInt(v) * 16n + 8n);
      const stub = exceptionStubAddress(v);
      expect((low & 0xffffn) | (((low >> 48n) & 0xffffn) << 16n) | (high << 32n)).toBe(stub);
      expect((low >> 32n) & 7n).toBe(v === 8 ? 1n : 0n);
      expect((low >> 40n) & 0xffn).toBe(0x8en);
    }
  });
});

/** A saved-register frame (boot/exceptions.S layout) at a fixed address; returns its address. */
function frame(rip: bigint): bigint {
  const at = 0x1_0000n;
  for (let i = 0n; i < 22n; i++) machine.store(at + i * 8n, 8, 0n);
  machine.store(at + 136n, 8, rip);
  machine.store(at + 144n, 8, 0x08n);
  return at;
}

describe('the report', () => {
  it('decodes selector error codes', () => {
    serialInit();
    for (const code of [0n, 0x18n, 0x1cn, 0x1bn]) {
      printSelectorBits(code);
      print('\n');
    }
    expect(machine.serial.split('\n')).toEqual([
      'no selector',
      'selector 0x18 (GDT index 3)',
      'selector 0x18 (LDT index 3)',
      'IDT vector 3, external event',
      '',
    ]);
  });

  // One test: the handler reports once per boot, and a second exception while reporting
  // (here, the next call) stops at once with one line.
  it('decodes a page fault, ends with a panic line, and stops at once on a nested exception', () => {
    serialInit();
    simCpu.cr2 = 0xdead_b000n;
    expect(() => handleException(14n, 0x13n, frame(0x1234n))).toThrow(QemuExit);
    const lines = machine.serial.split('\n');
    expect(lines[0]).toBe('exception: page fault (#PF, vector 14)');
    expect(lines[1]).toBe('  error code 0x13: protection violation, write, kernel mode, instruction fetch');
    expect(lines[2]).toBe('  address (cr2) 0xdeadb000');
    expect(lines).toContain('panic: page fault at 0xdeadb000: protection violation, write, kernel mode, instruction fetch');
    machine.serial = '';
    expect(() => handleException(13n, 0n, frame(0x5678n))).toThrow(QemuExit);
    expect(machine.serial).toBe('exception: general protection fault (#GP, vector 13) at rip 0x5678 while reporting an exception\n');
  });
});
