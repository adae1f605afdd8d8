// The boot seed corpus in Node (the same TypeScript as the native fuzz target): every seed is
// either rejected by the parser with a panic message, or accepted with every invariant of
// test/fuzz/boot_invariants.ts holding. Also proves the committed corpus is the one
// seeds.ts writes.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBootInfo } from '../../kernel/boot/boot_info';
import { computeBootMemory, linkerKernelImage } from '../../kernel/boot/regions';
import { QemuExit } from '../sim/machine';
import { useSimulatedConsole } from '../mm/support';
import { storeBytes } from '../boot/builder';
import { checkBootInvariants } from './boot_invariants';
import { FUZZ_INVARIANT } from './verdict';
import { allocSeeds, bootSeeds } from './seeds';

useSimulatedConsole();

const dir = new URL('./corpus/boot/', import.meta.url);
const AT = 0x10000n;

describe('boot seed corpus', () => {
  it('is what seeds.ts writes', () => {
    const files = readdirSync(dir).sort();
    const seeds = bootSeeds();
    expect(files).toEqual([...seeds.keys()].sort());
    for (const f of files) expect([...readFileSync(new URL(f, dir))], f).toEqual(seeds.get(f));
    expect(readdirSync(new URL('../alloc/', dir)).sort()).toEqual([...allocSeeds().keys()].sort());
  });

  it.each(readdirSync(dir).sort())('%s: rejected with a message, or accepted with every invariant', (file) => {
    storeBytes(AT, [...readFileSync(new URL(file, dir))]);
    let outcome: unknown = null;
    try {
      checkBootInvariants(computeBootMemory(parseBootInfo(AT), linkerKernelImage()));
    } catch (e) {
      outcome = e;
    }
    if (outcome === null) return; // accepted: the invariants held
    expect(outcome).toBeInstanceOf(QemuExit);
    const exit = outcome as QemuExit;
    expect(exit.code, exit.message).not.toBe(FUZZ_INVARIANT);
    expect(exit.message).toMatch(/panic: /);
  });
});
