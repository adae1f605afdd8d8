// keelc's C output: every kernel entry compiles with -Wall -Wextra -Werror as freestanding C,
// keeps TypeScript names, and maps back to the .ts sources with #line directives.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/src/compile";
import { withoutOuterParens } from "../../compiler/src/emit_braces";

const FREESTANDING = ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-fno-builtin", "-nostdlib", "-mno-red-zone", "-mcmodel=kernel", "-fno-pic", "-Iboot/runtime"];

// `make test` builds every fixture image before its tests run, through the same keelc and
// gcc -Werror (at the images' -O3), so there the fixtures are checked already and this test
// takes the three kernels (kernel/main.ts as KEEL_UNITY=0 builds it, module by module);
// `make test-all` (KEEL_TEST_ALL=1) compiles the fixtures here too, at -O2.
const fixtures = fs.readdirSync("test/kernels").map((f) => `test/kernels/${f}`);
const entries = ["kernel/main.ts", "kernel/test_main.ts", "kernel/bench_main.ts", ...(process.env.KEEL_TEST_ALL ? fixtures : [])];

/** Each entry compiled once for every test that reads its C (a kernel compile takes seconds). */
const results = new Map<string, ReturnType<typeof compile>>();
function compiled(entry: string): ReturnType<typeof compile> {
  if (!results.has(entry)) results.set(entry, compile(entry));
  return results.get(entry)!;
}

/** f on every item, at most two at a time; the results in the items' order. */
async function inPairs<T, R>(items: T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]!);
    }
  };
  await Promise.all([lane(), lane()]);
  return results;
}

describe("emitted C", () => {
  for (const entry of entries) {
    it(`${entry} compiles cleanly under -Wall -Wextra -Werror`, async () => {
      const result = compiled(entry);
      expect(result.diagnostics).toEqual([]);
      expect(result.ok).toBe(true);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keelc-"));
      for (const [name, text] of result.files) fs.writeFileSync(path.join(dir, name), text);
      const cFiles = [...result.files.keys()].filter((n) => n.endsWith(".c"));
      expect(cFiles).toContain("keel_support.c");
      // kernel/main.ts: each module on its own, as KEEL_UNITY=0 builds it. The other entries
      // as the images build them, one translation unit (one compiler run instead of dozens).
      const units = entry === "kernel/main.ts" ? cFiles : ["keel_unity.c"];
      if (entry !== "kernel/main.ts") fs.writeFileSync(path.join(dir, "keel_unity.c"), cFiles.map((c) => `#include "${c}"\n`).join(""));
      // Two compilers at a time (two cores): the ~90 modules of kernel/main.ts one after the other took 20 s.
      const results = await inPairs(units, (c) => execa("gcc", [...FREESTANDING, `-I${dir}`, "-c", path.join(dir, c), "-o", path.join(dir, `${c}.o`)], { reject: false }));
      units.forEach((c, i) => {
        expect(results[i]!.stderr, `${c} must compile without warnings`).toBe("");
        expect(results[i]!.exitCode).toBe(0);
      });
      fs.rmSync(dir, { recursive: true });
    }, 180_000);
  }

  it("kernel/main.ts compiles cleanly under clang -Wall -Wextra -Werror too (no if ((a == b)))", async () => {
    const result = compiled("kernel/main.ts");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keelc-clang-"));
    for (const [name, text] of result.files) fs.writeFileSync(path.join(dir, name), text);
    const cFiles = [...result.files.keys()].filter((n) => n.endsWith(".c")).map((n) => path.join(dir, n));
    const r = await execa("clang", ["-std=gnu11", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-fno-builtin", "-mno-red-zone", "-Iboot/runtime", `-I${dir}`, ...cFiles], { reject: false });
    expect(r.stderr, "clang's warnings").toBe("");
    expect(r.exitCode).toBe(0);
    fs.rmSync(dir, { recursive: true });
  }, 60_000);

  it("prints conditions without a second pair of parentheses, keeping those that matter", () => {
    expect(withoutOuterParens("(a == b)")).toBe("a == b");
    expect(withoutOuterParens("(a) == (b)")).toBe("(a) == (b)");
    expect(withoutOuterParens("((a == b) || c)")).toBe("(a == b) || c");
    expect(withoutOuterParens("({ int t = f(); (t == 1); })")).toBe("({ int t = f(); (t == 1); })");
    expect(withoutOuterParens('(f(")") == 1)')).toBe('f(")") == 1');
    expect(withoutOuterParens("(x == `)${(y)}`)")).toBe("(x == `)${(y)}`)");
    expect(withoutOuterParens("a == b")).toBe("a == b");
  });

  it("keeps TypeScript names and carries #line directives to the .ts file", () => {
    const result = compiled("kernel/main.ts");
    const main = result.files.get("main.c")!;
    expect(main).toMatch(/void main__kernelMain\(uint64_t bootInfo\)/);
    const serial = result.files.get("arch_x86_64_serial.c")!;
    expect(serial).toMatch(/#line \d+ "kernel\/arch\/x86_64\/serial\.ts"/);
    // The #line of the first statement of kernelMain is the TypeScript line of serialInit().
    const tsLine = fs.readFileSync("kernel/main.ts", "utf8").split("\n").findIndex((l) => l.includes("serialInit();")) + 1;
    expect(main).toContain(`#line ${tsLine} "kernel/main.ts"\n  arch_x86_64_serial__serialInit();`);
  });

  it("folds integer constants computed from literals and other constants into static consts", () => {
    const result = compile("kernel/bench_main.ts");
    const header = result.files.get("keel_program.h")!;
    // `1n << 0n`, `1n << 52n`, `ENTRY_PRESENT | ENTRY_WRITABLE` (kernel/mm/paging/entry.ts)
    expect(header).toContain("static const uint64_t mm_paging_entry__ENTRY_PRESENT = UINT64_C(0x1);");
    expect(header).toContain("static const uint64_t mm_paging_entry__ENTRY_COUNT_ONE = UINT64_C(0x10000000000000);");
    expect(header).toContain("static const uint64_t mm_paging_entry__TABLE_ENTRY_FLAGS = UINT64_C(0x3);");
    expect(result.files.get("mm_paging_entry.c")!).not.toMatch(/mm_paging_entry__ENTRY_PRESENT =/);
  }, 60_000);

  it("checks arithmetic with the TypeScript location of the operator", () => {
    const result = compiled("kernel/main.ts");
    const text = result.files.get("boot_multiboot2.c")!;
    expect(text).toMatch(/keel_add_u64\(x, UINT64_C\(0x7\), "kernel\/boot\/multiboot2\.ts:\d+:\d+"\)/);
  }, 60_000);
});

describe("inlining hints", () => {
  it("emits @cold out of line and @inline always inlined, on the definition only, and nothing for other functions", () => {
    const files = compiled("kernel/main.ts").files;
    const c = files.get("sync_spinlock.c")!;
    expect(c).toMatch(/^__attribute__\(\(cold, noinline\)\) sync_spinlock__SpinGuard sync_spinlock__SpinLock__acquireContended\(/m);
    expect(c).toMatch(/^__attribute__\(\(always_inline\)\) inline sync_spinlock__SpinGuard sync_spinlock__SpinLock__acquire\(/m);
    expect(c).toMatch(/^sync_spinlock__SpinGuard sync_spinlock__SpinLock__entered\(/m);
    // The header's prototypes stay plain: `inline` there would make the definition an inline definition (C99 6.7.4), which other units could not link to.
    const header = files.get("keel_program.h")!;
    expect(header).toMatch(/^sync_spinlock__SpinGuard sync_spinlock__SpinLock__acquire\(/m);
    expect(header).not.toMatch(/always_inline|noinline/);
  });
});
