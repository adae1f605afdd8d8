// Module initialisation order and the read-before-initialisation check (compiler/src/init_order.ts).
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/src/compile";

describe("initialisers never read a binding before it is initialised", () => {
  it("an import cycle whose initialiser reads the other module is rejected, with the cycle named", () => {
    const r = compile("test/compiler/fixtures/cycle/main.ts");
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe(1026);
    expect(`${d.file}:${d.line}:${d.column}`).toBe("test/compiler/fixtures/cycle/b.ts:5:27");
    expect(d.message).toContain("reads 'A_BASE'");
    expect(d.message).toContain("import cycle: test/compiler/fixtures/cycle/b.ts → test/compiler/fixtures/cycle/main.ts → test/compiler/fixtures/cycle/b.ts");
  }, 60_000);

  // One test per entry: each compile is one synchronous step (vitest's worker may block 60 s at most).
  it.each(["kernel/main.ts", "kernel/test_main.ts"])("%s passes the check", (entry) => {
    const r = compile(entry);
    expect(r.diagnostics.filter((d) => d.code === 1026)).toEqual([]);
  }, 120_000);
});
