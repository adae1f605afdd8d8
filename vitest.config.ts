// Vitest configuration: one run covers host unit tests and the QEMU integration tests.
// `npx vitest run` runs both projects; `vitest run --project unit` skips QEMU.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const simIntrinsics = `${root}test/sim/intrinsics.ts`;
const realIntrinsics = /(^|\/)kernel\/lib\/intrinsics(\.ts)?$/;

/**
 * Redirects every import of kernel/lib/intrinsics.ts (by any relative or absolute
 * spelling) to the simulated machine, so kernel modules run unchanged under Node.
 * A resolveId hook sees the resolved path, which a plain alias on the import
 * string would miss for spellings like "../lib/intrinsics".
 */
function simulatedIntrinsics(): Plugin {
  return {
    name: 'keel-simulated-intrinsics',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      // The simulator may import the real module's types; never redirect it to itself.
      if (importer === simIntrinsics) return null;
      if (realIntrinsics.test(source)) return simIntrinsics;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved && realIntrinsics.test(resolved.id.split('?')[0]!)) return simIntrinsics;
      return null;
    },
  };
}

export default defineConfig({
  plugins: [simulatedIntrinsics()],
  test: {
    // Forks, not threads: QEMU children must be killed with their worker process.
    pool: 'forks',
    // Names any test that blocks a worker's event loop for long (see the file).
    setupFiles: ['./test/harness/event_loop_watch.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'kernel/**/*.test.ts', 'compiler/**/*.test.ts'],
          // Many tests compile a whole kernel program (a few seconds on a busy 2-core machine).
          testTimeout: 60_000,
          exclude: ['test/qemu/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'qemu',
          include: ['test/qemu/**/*.test.ts'],
          // Each boot has its own timeout in runQemu; these only bound the whole test.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Concurrent boots (the boot matrix): no more QEMUs than the machine's two cores.
          maxConcurrency: 2,
        },
      },
    ],
  },
});
