// The KTAP manifest (qemu/ktap_manifest.ts): the top-level tests of a test kernel, read from
// its entry at build time; a suite test it cannot count statically is an error.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ktapManifest } from '../../qemu/ktap_manifest.ts';
import { repoPath } from './boot.ts';

describe('KTAP manifest', () => {
  it('lists every test of kernel/test_main.ts, in table order', () => {
    const text = readFileSync(repoPath('kernel/test_main.ts'), 'utf8');
    const m = ktapManifest('kernel/test_main.ts', text);
    expect(m.tests.length).toBe(text.match(/^  suite\.test\(/gm)!.length);
    expect(m.tests[0]).toBe('u64 arithmetic is exact above 2^53');
    expect(new Set(m.tests).size).toBe(m.tests.length);
  });

  it('lists the fixture with one failing test', () => {
    const m = ktapManifest('f.ts', readFileSync(repoPath('test/kernels/fail_one.ts'), 'utf8'));
    expect(m.tests).toEqual(['passes', 'fails on purpose', 'also passes']);
  });

  it('rejects a suite test it cannot count: inside an if, a loop, or with a computed name', () => {
    const suite = 'const s = new KtapSuite();\n  ';
    expect(() => ktapManifest('k.ts', `export function kernelMain(b: u64): void {\n  ${suite}if (b) s.test("a", f);\n}`)).toThrow('k.ts:3:10: suite.test must be a statement directly in the body');
    expect(() => ktapManifest('k.ts', `function m(): void {\n  ${suite}for (;;) { s.test("a", f); }\n}`)).toThrow('suite.test must be a statement directly');
    expect(() => ktapManifest('k.ts', `function m(): void {\n  ${suite}s.test(name, f);\n}`)).toThrow("k.ts:3:3: a suite test's name must be a string literal");
  });

  it('counts only tests, not the setup steps between them, and ignores other objects\' test methods', () => {
    const m = ktapManifest('k.ts', 'function m(): void {\n  const s = new KtapSuite();\n  s.test("a", f);\n  s.step("setup", g);\n  other.test("x", f);\n  s.test("b", f);\n}');
    expect(m.tests).toEqual(['a', 'b']);
  });
});
