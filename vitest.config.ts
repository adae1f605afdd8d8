// Vitest configuration: one run covers host unit tests and the QEMU integration tests.
// `npx vitest run` runs both projects; `vitest run --project unit` skips QEMU.
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

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

/**
 * The longest test files, longest first. With two workers the run ends when the last long
 * file does: started last (vitest's fresh-clone order is by file size, and these files are
 * small), the differential corpus alone ran for minutes after everything else had finished.
 */
const LONGEST_FIRST = [
  'test/differential/corpus.test.ts',
  'test/differential/random_programs.test.ts',
  'test/compiler/emit_c.test.ts',
  'test/qemu/boot_matrix.test.ts',
  'test/compiler/cli.test.ts',
];

/** Vitest's order (failed first, then by the last run's durations or by size), the known longest files first. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(`/${name}`));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  }
}

/**
 * Test files run at a time: KEEL_TEST_WORKERS, else one per core when the machine has room,
 * else one. Vitest's default is cores - 1: on two cores, one file at a time, each file in a
 * row while the other core waits (most files are single-threaded JavaScript, a QEMU boot or
 * one gcc). A machine already busy with others' work (1-minute load above twice the cores;
 * make test's own image builds leave about 2) gets one: two files then only contend, and
 * measured at a load of 10 their QEMU boots and the corpus's compilation ran past their
 * hang guards.
 */
function testWorkers(): number {
  const asked = Number(process.env.KEEL_TEST_WORKERS);
  if (Number.isInteger(asked) && asked > 0) return asked;
  const cores = os.availableParallelism();
  return os.loadavg()[0]! > 2 * cores ? 1 : cores;
}

export default defineConfig({
  plugins: [simulatedIntrinsics()],
  test: {
    // Forks, not threads: QEMU children must be killed with their worker process.
    pool: 'forks',
    // Test files at a time: see testWorkers().
    maxWorkers: testWorkers(),
    minWorkers: 1,
    sequence: { sequencer: LongestFirst },
    // Names any test that blocks a worker's event loop for long (see the file).
    setupFiles: ['./test/harness/event_loop_watch.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'kernel/**/*.test.ts', 'compiler/**/*.test.ts'],
          // Many tests compile a whole kernel program (a few seconds on a busy 2-core machine);
          // two files run at a time, so a test may get half the machine: a hang guard, not a speed limit.
          testTimeout: 120_000,
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
