// `make gdb` end to end: boots the run image (build/run/keel.iso) halted under QEMU's GDB
// stub, sets a breakpoint by TypeScript file and line, and checks that GDB stops there
// and lists the TypeScript source. The line is the one in kernel/main.ts carrying the
// marker comment `// gdb-test: breakpoint here` (placed on a statement in kernelMain).
//
// Plain `break` suffices: under TCG QEMU matches software breakpoints by virtual address
// without writing guest memory, so a breakpoint in the higher half can be set while the
// CPU still sits at the reset vector in real mode. (Under KVM that write would fail before
// paging is on; `hbreak` is the fallback there.)
import { execa } from "execa";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ISO = "build/run/keel.iso";
const ELF = "build/run/keel.elf";
const SOURCE = "kernel/main.ts";
const MARKER = "// gdb-test: breakpoint here";
const GDB_TIMEOUT_MS = 60_000;

/** The 1-based line of the marker comment in SOURCE, and that line's text. */
function markerLine(): { line: number; text: string } {
  const lines = readFileSync(resolve(ROOT, SOURCE), "utf8").split("\n");
  const index = lines.findIndex((l) => l.includes(MARKER));
  if (index < 0) throw new Error(`${SOURCE} has no line with the marker "${MARKER}"`);
  return { line: index + 1, text: lines[index]!.trim() };
}

/** A TCP port that was free a moment ago (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Extra QEMU arguments from the environment (`make test QEMU_EXTRA="-machine q35"`). */
function qemuExtra(): string[] {
  return (process.env.QEMU_EXTRA ?? "").split(/\s+/).filter((a) => a !== "");
}

/** Boots the run image halted under QEMU's gdbstub, runs batch GDB with the Keel scripts and `commands` (-ex each), and checks its output. */
async function withHaltedKernel(commands: string[], check: (out: string) => void): Promise<void> {
  const port = await freePort();
  const qemu = execa(
    "qemu-system-x86_64",
    ["-cdrom", ISO, "-display", "none", "-no-reboot", "-m", "128M", "-serial", "null", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-S", "-gdb", `tcp:127.0.0.1:${port}`, ...qemuExtra()],
    { cwd: ROOT, reject: false, stdin: "ignore", all: true },
  );
  try {
    const gdb = await execa("gdb", ["-batch", "-nx", ELF, "-x", "qemu/gdb/keel.gdb", ...commands.flatMap((c) => ["-ex", c])], {
      cwd: ROOT, reject: false, all: true, timeout: GDB_TIMEOUT_MS, stdin: "ignore", env: { KEEL_GDB_PORT: String(port) },
    });
    check(gdb.all ?? "");
  } finally {
    qemu.kill("SIGKILL");
    await qemu;
  }
}

describe("make gdb: source-level debugging in TypeScript", () => {
  it("stops at a breakpoint on a kernel/main.ts line and lists the TypeScript source", async () => {
    for (const f of [ISO, ELF]) {
      if (!existsSync(resolve(ROOT, f))) throw new Error(`${f} is missing: run \`make\` first`);
    }
    const { line, text } = markerLine();
    const port = await freePort();
    const qemu = execa(
      "qemu-system-x86_64",
      [
        "-cdrom", ISO, "-display", "none", "-no-reboot", "-m", "128M", "-serial", "null",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-S", "-gdb", `tcp:127.0.0.1:${port}`, ...qemuExtra(),
      ],
      { cwd: ROOT, reject: false, stdin: "ignore", all: true },
    );
    try {
      // keel.gdb connects to $KEEL_GDB_PORT, retrying while QEMU starts.
      const gdb = await execa(
        "gdb",
        [
          "-batch", "-nx", ELF, "-x", "qemu/gdb/keel.gdb",
          "-ex", "set breakpoint pending off",
          "-ex", `break ${SOURCE}:${line}`,
          "-ex", "continue",
          "-ex", "info line",
          "-ex", "bt",
          "-ex", "list",
        ],
        {
          cwd: ROOT, reject: false, all: true, timeout: GDB_TIMEOUT_MS, stdin: "ignore",
          env: { KEEL_GDB_PORT: String(port) },
        },
      );
      const out = gdb.all ?? "";
      const context = `gdb output:\n${out}\nqemu running: ${qemu.exitCode === undefined}`;
      expect(gdb.timedOut, `gdb timed out after ${GDB_TIMEOUT_MS} ms\n${context}`).toBe(false);
      const file = String.raw`(?:\S*/)?kernel/main\.ts`;
      expect(out, context).toMatch(new RegExp(String.raw`Breakpoint 1, .* at ${file}:${line}\n`));
      expect(out, context).toMatch(new RegExp(String.raw`Line ${line} of "${file}"`));
      expect(out, context).toMatch(new RegExp(String.raw`#0 .* at ${file}:${line}\n`));
      // `list` shows the TypeScript text around the line, the marker line included.
      expect(out.split("\n").map((l) => l.replace(/\s+/g, " ").trim()), context).toContain(
        `${line} ${text}`.replace(/\s+/g, " "),
      );
    } finally {
      qemu.kill("SIGKILL");
      await qemu;
    }
  }, GDB_TIMEOUT_MS + 30_000);

  it("kbreak stops at a TypeScript function by name; u64 prints in hex; keel-walk walks the live page tables", async () => {
    await withHaltedKernel(["kbreak kernelMain", "continue", "p bootInfo", "keel-walk $rip", "keel-walk 0x0000900000000000"], (out) => {
      const context = `gdb output:\n${out}`;
      expect(out, context).toMatch(/Breakpoint 1, main__kernelMain \(bootInfo=[^)]*\) at (?:\S*\/)?kernel\/main\.ts:\d+/);
      expect(out, context).toMatch(/\$1 = 0x[0-9a-f]+\n/);
      // The boot tables map the kernel's text with 2 MiB pages below the PML4's last slot.
      expect(out, context).toMatch(/walk of v0xffffffff80[0-9a-f]+ from CR3 0x[0-9a-f]+\nPML4 p0x[0-9a-f]+\[511\] = 0x[0-9a-f]+ {2}P W/);
      expect(out, context).toMatch(/-> p0x[0-9a-f]+ \((2 MiB|4 KiB|1 GiB) page at p0x[0-9a-f]+\)/);
      expect(out, context).toMatch(/keel-walk: 0x900000000000 is not canonical/);
    });
  }, GDB_TIMEOUT_MS + 30_000);

  it("keel-frames, keel-pages and keel-heap read the allocators' regions and the heap from the kernel's structures; enums print by name", async () => {
    await withHaltedKernel(["kbreak runConsole", "continue", "keel-frames", "keel-pages", "keel-heap", "print (mm_paging_mapper__MapError)1"], (out) => {
      const context = `gdb output:\n${out}`;
      expect(out, context).toMatch(/Breakpoint 1, /);
      // After memory init the frame allocator's free RAM is one region in 128 MiB, the magazine aside.
      const frames = /frames: (\d+) free in (\d+) regions, (\d+) in the magazine[^\n]*, (\d+) allocated/.exec(out);
      expect(frames, context).not.toBeNull();
      expect(Number(frames![1]), context).toBeGreaterThan(20_000);
      expect(out, context).toMatch(/ {2}\[p0x[0-9a-f]+\.\.p0x[0-9a-f]+fff\] \d+ frames\n/);
      expect(out, context).toMatch(/pages: \d+ free in \d+ regions, \d+ in the magazine[^\n]*, \d+ allocated/);
      expect(out, context).toMatch(/ {2}\[v0xffff[0-9a-f]+\.\.v0xffff[0-9a-f]+fff\] \d+ pages\n/);
      const heap = /heap: v0xffffc00000000000\.\.v0x[0-9a-f]+ \((\d+) bytes mapped\), (\d+) bytes used in (\d+) blocks, (\d+) free in (\d+) blocks/.exec(out);
      expect(heap, context).not.toBeNull();
      expect(Number(heap![2]) + Number(heap![4]), context).toBeLessThanOrEqual(Number(heap![1]));
      // Const enums are C enums: GDB prints a member's name, not its number.
      expect(out, context).toMatch(/= mm_paging_mapper__MapError__AlreadyMapped\n/);
    });
  }, GDB_TIMEOUT_MS + 30_000);

  it("make gdb's script fails loudly when QEMU cannot bind the port, before GDB attaches", async () => {
    const server = createServer();
    const port = await new Promise<number>((done) => server.listen(0, "127.0.0.1", () => done((server.address() as { port: number }).port)));
    try {
      const r = await execa("qemu/gdb/run-gdb.sh", [ELF, ISO], { cwd: ROOT, reject: false, all: true, timeout: 30_000, stdin: "ignore", env: { KEEL_GDB_PORT: String(port) } });
      expect(r.exitCode, r.all).toBe(2);
      expect(r.all).toMatch(/QEMU exited before GDB could attach \(port \d+ taken\?/);
      expect(r.all).not.toMatch(/Remote debugging|Breakpoint/);
    } finally {
      server.close();
    }
  }, 60_000);
});
