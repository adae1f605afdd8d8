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

  it("exits 2 with usage on bad arguments", async () => {
    const r = await keelc(["--bogus"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/usage: keelc/);
  }, 60_000);
});
