// The KTAP manifest (qemu/ktap_manifest.ts): the top-level tests of a test kernel, read from
// its entry at build time; a ktapRun it cannot count statically is an error.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ktapManifest } from '../../qemu/ktap_manifest.ts';
import { repoPath } from './boot.ts';

describe('KTAP manifest', () => {
  it('lists every top-level test of kernel/test_main.ts, as many as its ktapPlan', () => {
    const text = readFileSync(repoPath('kernel/test_main.ts'), 'utf8');
    const m = ktapManifest('kernel/test_main.ts', text);
    const plan = Number(/ktapPlan\((\d+)\)/.exec(text)![1]);
    expect(m.tests.length).toBe(plan);
    expect(m.tests[0]).toBe('u64 arithmetic is exact above 2^53');
    expect(new Set(m.tests).size).toBe(m.tests.length);
  });

  it('lists the fixture with one failing test', () => {
    const m = ktapManifest('f.ts', readFileSync(repoPath('test/kernels/fail_one.ts'), 'utf8'));
    expect(m.tests).toEqual(['passes', 'fails on purpose', 'also passes']);
  });

  it('rejects a ktapRun it cannot count: inside an if, a loop, or with a computed name', () => {
    expect(() => ktapManifest('k.ts', 'export function kernelMain(b: u64): void {\n  if (b) ktapRun("a", f);\n}')).toThrow('k.ts:2:10: ktapRun must be a statement directly in a function body');
    expect(() => ktapManifest('k.ts', 'function m(): void {\n  for (;;) { ktapRun("a", f); }\n}')).toThrow('ktapRun must be a statement directly');
    expect(() => ktapManifest('k.ts', 'function m(): void {\n  ktapRun(name, f);\n}')).toThrow("k.ts:2:3: ktapRun's test name must be a string literal");
  });
});
