// The resident keelc's prepared compilation (compiler/src/prepared.ts) is handed out only
// while every file it read is as it was: any change to a program file (even a rewrite with
// the same content) or to a directory where resolution looks makes the request compile.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CompileResult } from "../../compiler/src/compile";
import { Prepared } from "../../compiler/src/prepared";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "keelc-prepared-"));
const dir = path.join(root, "prog");
fs.mkdirSync(dir);
const a = path.join(dir, "a.ts");
const b = path.join(dir, "b.ts");
fs.writeFileSync(a, "export const a = 1;\n");
fs.writeFileSync(b, "export const b = 2;\n");

let compilations = 0;
const fake = (): CompileResult => {
  compilations++;
  return { ok: true, typeErrors: [], diagnostics: [], ir: null, files: new Map([["a.c", `/* ${compilations} */`]]), sources: [a, b] };
};
const prepared = new Prepared(fake, () => {});
const settle = () => new Promise((r) => setTimeout(r, 120)); // past the clock margin: files written before a compilation starts

afterAll(() => {
  prepared.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("a prepared compilation", () => {
  it("is reused while nothing changed, and never after a change", async () => {
    await settle();
    prepared.compile(root, "prog/a.ts");
    expect(compilations).toBe(1);
    prepared.compile(root, "prog/a.ts");
    expect(compilations, "nothing changed: reused").toBe(1);
    prepared.compile(root, "prog/b.ts");
    expect(compilations, "another entry").toBe(2);
    await settle();

    const steps: [string, () => void][] = [
      ["a program file's content", () => fs.writeFileSync(b, "export const b = 3;\n")],
      ["a rewrite with the same content", () => fs.writeFileSync(b, fs.readFileSync(b))],
      ["a new file where resolution looks", () => fs.writeFileSync(path.join(dir, "c.ts"), "")],
      ["a new file in the parent directory", () => fs.writeFileSync(path.join(root, "prog.ts"), "")],
    ];
    for (const [what, change] of steps) {
      prepared.compile(root, "prog/b.ts");
      const before = compilations;
      change(); // no await: the watcher cannot have run, only the snapshot check guards
      prepared.compile(root, "prog/b.ts");
      expect(compilations, what).toBe(before + 1);
      await settle();
    }
  });
});
