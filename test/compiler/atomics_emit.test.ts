// keelc emits real atomic instructions: the fixture's C, built as the kernel is (one
// translation unit, freestanding, -O2, -Wall -Wextra -Werror), disassembles to lock xadd,
// lock cmpxchg, xchg, a plain mov for a release store and xchg for a seq_cst one, mov
// %gs:0x8 for the CPU index, pushf/cli, lock xadd and %gs:0xc (the CPU's lock word) in the
// spinlock's acquire, pause in its contended path, and sti in its release, and calls no library (no libatomic).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { compile } from "../../compiler/src/compile";

const FIXTURE = "test/compiler/fixtures/atomics/ops.ts";
const MODULE = "test_compiler_fixtures_atomics_ops";

/** The instructions of function `fn` in an objdump listing. */
function body(disassembly: string, fn: string): string {
  const lines = disassembly.split("\n");
  const start = lines.findIndex((l) => l.includes(`<${fn.includes("__") ? fn : `${MODULE}__${fn}`}>:`));
  expect(start, `${fn} is in the object file`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.trim() === "");
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

it("atomics compile to lock-prefixed instructions, inline, with their orderings", async () => {
  const result = compile(FIXTURE);
  expect(result.diagnostics).toEqual([]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-atomics-"));
  for (const [name, text] of result.files) fs.writeFileSync(path.join(dir, name), text);
  expect(result.files.get(`lib_atomic.c`)).toContain("keel_atomicFetchAdd64(self, delta, order)");
  const unity = path.join(dir, "unity.c");
  fs.writeFileSync(unity, [...result.files.keys()].filter((n) => n.endsWith(".c")).map((n) => `#include "${n}"\n`).join(""));
  const obj = path.join(dir, "unity.o");
  await execa("gcc", ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-fno-builtin", "-nostdlib", "-mno-red-zone", "-mno-sse", "-mcmodel=kernel", "-fno-pic",
    "-fno-asynchronous-unwind-tables", "-DKEEL_FREESTANDING", "-Iboot/runtime", `-I${dir}`, "-c", unity, "-o", obj]);
  const { stdout } = await execa("objdump", ["-d", "--no-show-raw-insn", obj]);
  expect(body(stdout, "opFetchAdd")).toMatch(/lock xadd/);
  expect(body(stdout, "opCompareExchange")).toMatch(/lock cmpxchg/);
  expect(body(stdout, "opSwap")).toMatch(/xchg/);
  expect(body(stdout, "opFetchOr")).toMatch(/lock cmpxchg|lock or/);
  const release = body(stdout, "opStoreRelease");
  expect(release).toMatch(/mov\s+%rsi,\(%rdi\)/);
  expect(release).not.toMatch(/xchg|mfence/);
  expect(body(stdout, "opStoreSeqCst")).toMatch(/xchg|mfence/);
  expect(body(stdout, "opLoadAcquire")).toMatch(/mov\s+\(%rdi\),%rax/);
  expect(body(stdout, "opCpu")).toMatch(/mov\s+%gs:0x8,%eax/);
  const acquire = body(stdout, "sync_spinlock__SpinLock__acquire");
  for (const insn of [/lock xadd/, /cli/, /pushf/, /%gs:0xc/]) expect(acquire).toMatch(insn);
  // The contended path (pause, then the shootdown poll of lib/spin.ts) is acquireContended, out of acquire's fast path.
  expect(acquire).not.toMatch(/pause/);
  expect(body(stdout, "sync_spinlock__SpinLock__acquireContended")).toMatch(/pause/);
  expect(body(stdout, "sync_spinlock__SpinLock__releaseHeld")).toMatch(/sti/);
  const { stdout: undefinedSymbols } = await execa("nm", ["-u", obj]);
  expect(undefinedSymbols).not.toMatch(/__atomic|__sync/);
  fs.rmSync(dir, { recursive: true });
}, 60_000);
