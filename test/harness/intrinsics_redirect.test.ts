// vitest.config.ts redirects kernel/lib/intrinsics.ts (declarations only) to the simulated
// machine; kernel modules must reach the simulator whichever way they spell the import.
import { describe, expect, it } from 'vitest';
import * as withExtension from '../../kernel/lib/intrinsics.ts';
import * as withoutExtension from '../../kernel/lib/intrinsics';
import { panicStop } from '../../kernel/lib/panic';
import * as simulated from '../sim/intrinsics.ts';
import { QemuExit } from '../sim/machine.ts';

describe('the simulated intrinsics redirect', () => {
  it.each([
    ['with .ts', withExtension],
    ['without extension', withoutExtension],
  ])('an import %s gets the simulator', (_, module) => {
    expect(module.outb).toBe(simulated.outb);
    expect(module.qemuExit).toBe(simulated.qemuExit);
  });

  it('a kernel module importing "./intrinsics" runs on the simulator', () => {
    expect(() => panicStop()).toThrow(QemuExit);
  });
});
