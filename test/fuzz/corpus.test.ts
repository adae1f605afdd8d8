// The boot seed corpus in Node (the same TypeScript as the native fuzz target): every seed,
// and every committed find of earlier campaigns (test/fuzz/found/boot), is either rejected
// by the parser with a panic message, or accepted with every invariant of
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
const found = new URL('./found/boot/', import.meta.url);
const inputs = [...readdirSync(dir).sort().map((f) => new URL(f, dir)), ...readdirSync(found).sort().map((f) => new URL(f, found))];
const AT = 0x10000n;

describe('boot seed corpus', () => {
  it('is what seeds.ts writes', () => {
    const files = readdirSync(dir).sort();
    const seeds = bootSeeds();
    expect(files).toEqual([...seeds.keys()].sort());
    for (const f of files) expect([...readFileSync(new URL(f, dir))], f).toEqual(seeds.get(f));
    expect(readdirSync(new URL('../alloc/', dir)).sort()).toEqual([...allocSeeds().keys()].sort());
  });

  it.each(inputs.map((u) => [u.pathname.split('/').slice(-2).join('/'), u] as const))('%s: rejected with a message, or accepted with every invariant', (_name, file) => {
    storeBytes(AT, [...readFileSync(file)]);
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
