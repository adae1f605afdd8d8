// The keelc command line: located diagnostics and exit status 1 on unsupported code, never
// a stack trace; C files on success.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const keelc = (args: string[]) => execa("node", ["compiler/bin/keelc.mjs", ...args], { reject: false });

describe("npx keelc", () => {
  it("prints a located diagnostic with a code frame and exits 1 on an unsupported construct", async () => {
    const r = await keelc(["--out", path.join(os.tmpdir(), "keelc-cli-reject"), "test/compiler/fixtures/reject/syntax_rules.ts"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^test\/compiler\/fixtures\/reject\/syntax_rules\.ts:7:16 - error KEEL1003: closures are not supported/m);
    expect(r.stderr).toMatch(/^7 +const bump = \(\) => \{ counter \+= 1; \};/m);
    expect(r.stderr).toMatch(/keelc: 11 errors; no C emitted\./);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  }, 60_000);

  it("writes C files and exits 0 on a valid kernel", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keelc-cli-ok-"));
    const r = await keelc(["--out", out, "kernel/main.ts"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(fs.readdirSync(out)).toEqual(expect.arrayContaining(["main.c", "keel_program.h", "keel_support.c"]));
  }, 60_000);

  it("--help lists every subcommand and option, --version prints the version", async () => {
    const help = await keelc(["--help"]);
    expect(help.exitCode).toBe(0);
    for (const word of ["--out DIR", "run-node FILE.ts", "run-hosted FILE.ts", "--help", "--version", "exit status"]) expect(help.stdout).toContain(word);
    const version = await keelc(["--version"]);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^keelc \d+\.\d+\.\d+$/);
  }, 60_000);

  it("run-node explains a panic that its console dropped (no serialInit)", async () => {
    fs.mkdirSync("build", { recursive: true });
    const dir = fs.mkdtempSync(path.join("build", "nosink-"));
    const file = path.join(dir, "nosink.ts");
    fs.writeFileSync(file, 'import type { u64 } from "../../kernel/lib/int";\nimport { panic } from "../../kernel/lib/panic";\nexport function kernelMain(bootInfo: u64): void {\n  panic("boom");\n}\n');
    const r = await keelc(["run-node", file]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/panicked \(status 3\), but its console had no sink[^\n]*serialInit\(\)/);
    fs.rmSync(dir, { recursive: true });
  }, 60_000);

  it("run-node and run-hosted say which intrinsic the hosted machine lacks, with no stack trace (status 125)", async () => {
    fs.mkdirSync("build", { recursive: true });
    const dir = fs.mkdtempSync(path.join("build", "cr3-"));
    const file = path.join(dir, "cr3.ts");
    fs.writeFileSync(file, 'import type { u64 } from "../../kernel/lib/int";\nimport { println } from "../../kernel/lib/console";\nimport { serialInit } from "../../kernel/arch/x86_64/serial";\nimport { readCr3 } from "../../kernel/lib/intrinsics";\nexport function kernelMain(bootInfo: u64): void {\n  serialInit();\n  println(`${readCr3()}`);\n}\n');
    for (const mode of ["run-node", "run-hosted"]) {
      const r = await keelc([mode, file]);
      expect(r.exitCode, `${mode}: ${r.stderr}`).toBe(125);
      expect(r.stderr).toContain("keelc: intrinsic readCr3 (kernel/lib/intrinsics.ts) has no stand-in on the hosted machine");
      expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    }
    fs.rmSync(dir, { recursive: true });
  }, 120_000);

  it("--deps writes a make rule: the target depends on every .ts file of the program", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "keelc-cli-deps-"));
    const r = await keelc(["--out", out, "--deps", path.join(out, "image.iso.d"), "test/kernels/fail_one.ts"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const rule = fs.readFileSync(path.join(out, "image.iso.d"), "utf8");
    expect(rule.split("\n")[0]).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/image\\.iso: .*kernel/lib/ktap\\.ts .*test/kernels/fail_one\\.ts`));
    expect(rule).toContain("\ntest/kernels/fail_one.ts:\n");
    expect(rule).not.toContain("kernel/mm/");
  }, 60_000);

  it("exits 2 with usage on bad arguments", async () => {
    const r = await keelc(["--bogus"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/usage: keelc/);
  }, 60_000);
});
