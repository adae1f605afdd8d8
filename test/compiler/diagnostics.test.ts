// Fixture tests of keelc's diagnostics: each fixture marks the lines that must be rejected
// with `// error KEELnnnn`; keelc must report exactly those (code and line), all at once.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/src/compile";
import { formatDiagnostic } from "../../compiler/src/diagnostics";

const dir = "test/compiler/fixtures/reject";

function expectedMarks(file: string): string[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line, i) => [...line.matchAll(/\/\/ error KEEL(\d+)/g)].map((m) => `${i + 1}:KEEL${m[1]}`));
}

describe("keelc rejects what it cannot translate, with located diagnostics", () => {
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    it(name, () => {
      const file = path.join(dir, name);
      const result = compile(file);
      expect(result.typeErrors).toEqual([]);
      expect(result.ok).toBe(false);
      const got = result.diagnostics.map((d) => `${d.line}:KEEL${d.code}`).sort();
      expect(got).toEqual(expectedMarks(file).sort());
      for (const d of result.diagnostics) {
        expect(d.file).toBe(file);
        const text = formatDiagnostic(d);
        expect(text).toMatch(new RegExp(`^${file.replace(/\./g, "\\.")}:${d.line}:${d.column} - error KEEL${d.code}: `));
        // The code frame shows the offending source line.
        expect(text).toContain(d.sourceLine.trim());
      }
    });
  }
});

describe("keelc reports TypeScript's own errors first", () => {
  it("a type error stops compilation before the subset phases", () => {
    fs.mkdirSync("build", { recursive: true });
    const tmp = fs.mkdtempSync(path.join("build", "tserr-"));
    const file = path.join(tmp, "bad.ts");
    fs.writeFileSync(file, 'export function kernelMain(x: string): void { const y: boolean = x; }\n');
    const result = compile(file);
    expect(result.ok).toBe(false);
    expect(result.typeErrors.join("\n")).toMatch(/bad\.ts:1:\d+ - error TS2322/);
    fs.rmSync(tmp, { recursive: true });
  });
});

describe("TypeScript's errors come with the kernel's advice, and keelc's own checks in the same run", () => {
  it("console.log and bigint + number get a kernel hint; array literals are reported beside them", () => {
    fs.mkdirSync("build", { recursive: true });
    const tmp = fs.mkdtempSync(path.join("build", "advice-"));
    const file = path.join(tmp, "advice.ts");
    fs.writeFileSync(
      file,
      [
        'import type { u32, u64 } from "../../kernel/lib/int";',
        "export function kernelMain(bootInfo: u64): void {",
        "  const b: u32 = 2;",
        '  console.log("hi");',
        "  const s = bootInfo + b;",
        "  const xs: u32[] = [];",
        "}",
        "",
      ].join("\n"),
    );
    const result = compile(file);
    expect(result.ok).toBe(false);
    const ts = result.typeErrors.join("\n");
    expect(ts).toMatch(/TS2584[^]*keelc: kernel code prints with print\(`…`\) and println\(`…`\) from kernel\/lib\/console\.ts/);
    expect(ts).toMatch(/TS2365[^]*keelc: [^\n]*convert one side explicitly, e\.g\. u64\(x\)/);
    expect(result.diagnostics.map((d) => `${d.line}:KEEL${d.code}`)).toEqual(["6:KEEL1009"]);
    fs.rmSync(tmp, { recursive: true });
  });
});