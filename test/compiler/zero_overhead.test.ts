// Zero overhead: a value class holding one u64 (construction, a checked method, a
// predicate, unwrapping) compiles at -O2 to exactly the machine code of the same operations
// on a raw u64. Compared up to the first `ret` (the hot path); cold panic paths are
// outlined by gcc under different names.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { compile } from "../../compiler/src/compile";

const FIXTURE = "test/compiler/fixtures/zero_overhead/address.ts";
const MODULE = "test_compiler_fixtures_zero_overhead_address";

/** The instructions of `fn` up to its first ret, with addresses and symbol names removed. */
function hotPath(disassembly: string, fn: string): string[] {
  const lines = disassembly.split("\n");
  const start = lines.findIndex((l) => l.includes(`<${fn}>:`));
  expect(start, `${fn} is in the object file`).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^\s*[0-9a-f]+:\s+(.*)$/.exec(line);
    if (!m) break;
    const insn = m[1]!.replace(/<[^>]*>/g, "<sym>").replace(/\b[0-9a-f]{2,}\b/g, "ADDR").trim();
    out.push(insn);
    if (insn.startsWith("ret")) break;
  }
  return out;
}

it("a one-u64 value class costs exactly a raw u64 at -O2", async () => {
  const result = compile(FIXTURE);
  expect(result.diagnostics).toEqual([]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-zero-"));
  for (const [name, text] of result.files) fs.writeFileSync(path.join(dir, name), text);
  const obj = path.join(dir, "m.o");
  await execa("gcc", ["-std=gnu11", "-O2", "-ffreestanding", "-fno-builtin", "-nostdlib", "-mno-red-zone", "-mcmodel=kernel", "-fno-pic", "-fno-asynchronous-unwind-tables", "-Iboot/runtime", `-I${dir}`, "-c", path.join(dir, `${MODULE}.c`), "-o", obj]);
  const { stdout } = await execa("objdump", ["-d", "--no-show-raw-insn", obj]);
  const viaClass = hotPath(stdout, `${MODULE}__classOffset`);
  const raw = hotPath(stdout, `${MODULE}__rawOffset`);
  expect(viaClass.length).toBeGreaterThan(3);
  expect(viaClass).toEqual(raw);
  fs.rmSync(dir, { recursive: true });
}, 60_000);
