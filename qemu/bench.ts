// make bench: instruction counts of the kernel's memory operations, measured by the
// benchmark kernel (kernel/bench_main.ts) under QEMU's `-icount shift=0`, where the TSC
// counts instructions, so every figure repeats exactly; plus keelc's compile time of the
// kernel next to `tsc --noEmit` on the same files, and the edit loop (qemu/edit_loop.ts).
// Writes build/bench.json.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { describeCompile, measureCompile } from "./compile_time.ts";
import { describeEditLoop, measureEditLoop } from "./edit_loop.ts";
import { median } from "./measure.ts";
import { runQemu } from "./runner.ts";

const ISO = "build/bench/keel.iso";
/** RAM sizes to measure; BENCH_RAM="64M 1G" picks some (while working on one figure). */
const RAM_SIZES = process.env.BENCH_RAM ? process.env.BENCH_RAM.split(/[ ,]+/) : ["64M", "128M", "1G", "4G", "16G", "64G", "1T"];
/** Every boot uses `-cpu max` (1 GiB pages: CPUID 0x8000_0001 EDX bit 26, which the default qemu64 CPU lacks). */
const CPU = ["-cpu", "max"];
/** From this size on, guest RAM is a sparse file (no host RAM needed) on q35 with 48 physical address bits. */
const SPARSE_FROM_BYTES = 64n << 30n;
/** Alternating runs of keelc and of tsc --noEmit for the compile figures (BENCH_COMPILE_RUNS). */
const COMPILE_RUNS = Number(process.env.BENCH_COMPILE_RUNS ?? 5);

/** Bytes in a QEMU size like "64M", "1T". */
function sizeBytes(size: string): bigint {
  const m = /^(\d+)([MGT])$/.exec(size);
  if (!m) throw new Error(`bad RAM size ${size}`);
  return BigInt(m[1]!) << { M: 20n, G: 30n, T: 40n }[m[2] as "M" | "G" | "T"];
}

/** QEMU flags for `ram` of guest RAM; the sparse file to delete afterwards, if any. */
function ramArgs(ram: string): { args: string[]; file: string | null } {
  if (sizeBytes(ram) < SPARSE_FROM_BYTES) return { args: CPU, file: null };
  const file = `build/bench-ram-${ram}`;
  closeSync(openSync(file, "w")); // empty: QEMU extends it sparsely, pages appear only where the guest writes
  return {
    args: ["-object", `memory-backend-file,id=m0,size=${ram},mem-path=${file},share=on`, "-machine", "q35,memory-backend=m0", "-cpu", "max,phys-bits=48"],
    file,
  };
}

interface RamResult {
  memoryInit: number;
  memoryInitAllocators: number;
  memoryInitPageTables: number;
  memoryInitHeap: number;
  perOperation: Record<string, number>;
}

/** Boots the benchmark kernel with `ram` and reads its figures. */
async function measure(ram: string): Promise<RamResult> {
  const { args, file } = ramArgs(ram);
  const run = await runQemu({ iso: ISO, memory: ram, extraArgs: ["-icount", "shift=0", ...args], timeoutMs: 180_000 });
  if (file !== null) rmSync(file, { force: true });
  if (run.verdict !== "pass") throw new Error(`benchmark kernel failed with ${ram}:\n${run.describe()}`);
  const init = run.lines.map((l) => /^memory init: (\d+) TSC ticks \(allocators (\d+), page tables (\d+), heap (\d+)\)/.exec(l)).find((m) => m);
  if (!init) throw new Error(`no "memory init" line with ${ram}:\n${run.describe()}`);
  const perOperation: Record<string, number> = {};
  for (const l of run.lines) {
    const m = /^bench (\w+) (\d+)$/.exec(l);
    if (m) perOperation[m[1]!] = Number(m[2]);
  }
  return { memoryInit: Number(init[1]), memoryInitAllocators: Number(init[2]), memoryInitPageTables: Number(init[3]), memoryInitHeap: Number(init[4]), perOperation };
}

/** Wall seconds from QEMU's start to the first serial line matching `ready` (no -icount: real time). */
function bootSeconds(iso: string, ready: RegExp): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const q = spawn("qemu-system-x86_64", ["-cdrom", iso, "-serial", "stdio", "-display", "none", "-no-reboot", "-m", "128M", "-monitor", "none"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    const timer = setTimeout(() => { q.kill("SIGKILL"); reject(new Error(`${iso}: no ${ready} within 60 s:\n${out}`)); }, 60_000);
    q.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!ready.test(out)) return;
      const s = (performance.now() - t0) / 1000;
      clearTimeout(timer);
      q.once("exit", () => resolve(s));
      q.kill("SIGKILL");
    });
  });
}

/**
 * Boots of each kernel (BENCH_BOOTS overrides). One kernel's boot varies by about 200 ms from
 * boot to boot (0.50 to 0.72 s for the reference kernel, in SeaBIOS and GRUB: the same for
 * both), so a median of 5 moved the ratio by about 0.06 between runs; 21 pairs take 30 s.
 */
function bootCount(): number {
  return Number(process.env.BENCH_BOOTS ?? 21);
}

/** Keel's run image to its console prompt against the reference C kernel to its line, alternating, median of `n` boots each. */
async function bootTimes(n: number): Promise<{ keelSeconds: number; referenceSeconds: number; ratio: number }> {
  const keel: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < n; i++) {
    keel.push(await bootSeconds("build/run/keel.iso", /keel> /));
    reference.push(await bootSeconds("build/reference/keel.iso", /reference kernel ready/));
  }
  const keelSeconds = median(keel);
  const referenceSeconds = median(reference);
  return { keelSeconds, referenceSeconds, ratio: keelSeconds / referenceSeconds };
}

// BENCH_BOOT_ONLY=1: re-measure the boot times alone (wall time is noisy on a shared machine) into the existing build/bench.json.
if (process.env.BENCH_BOOT_ONLY === "1") {
  const previous = JSON.parse(readFileSync("build/bench.json", "utf8"));
  previous.boot = await bootTimes(bootCount());
  writeFileSync("build/bench.json", JSON.stringify(previous, null, 2) + "\n");
  console.log(`boot to the console prompt: keel ${previous.boot.keelSeconds.toFixed(3)} s, reference ${previous.boot.referenceSeconds.toFixed(3)} s, ratio ${previous.boot.ratio.toFixed(2)}`);
  process.exit(0);
}

// BENCH_COMPILE_ONLY=1: re-measure keelc against tsc alone (wall time is noisy on a shared machine) into the existing build/bench.json.
if (process.env.BENCH_COMPILE_ONLY === "1") {
  const previous = JSON.parse(readFileSync("build/bench.json", "utf8"));
  previous.compile = measureCompile(COMPILE_RUNS);
  writeFileSync("build/bench.json", JSON.stringify(previous, null, 2) + "\n");
  console.log(describeCompile(previous.compile));
  process.exit(0);
}

console.log(`make bench: every boot with -cpu max (1 GiB pages); ${RAM_SIZES.filter((r) => sizeBytes(r) >= SPARSE_FROM_BYTES).join(", ") || "no size"} with guest RAM from a sparse file ` +
  `(-object memory-backend-file,...,share=on -machine q35,memory-backend=m0 -cpu max,phys-bits=48: no host RAM needed)`);
const results: Record<string, RamResult> = {};
for (const ram of RAM_SIZES) results[ram] = await measure(ram);
const boot = await bootTimes(bootCount());

const compile = measureCompile(COMPILE_RUNS);
// The edit loop (make after a one-line change to kernel/main.ts); BENCH_EDIT_LOOP=0 skips it.
const editLoop = process.env.BENCH_EDIT_LOOP === "0" ? undefined : measureEditLoop();

const report = { date: new Date().toISOString(), unit: "instructions (QEMU -icount shift=0)", ram: results, compile, boot, editLoop };
writeFileSync("build/bench.json", JSON.stringify(report, null, 2) + "\n");

const ops = Object.keys(results[RAM_SIZES[0]!]!.perOperation);
console.log(`instructions per operation / phase (QEMU -icount shift=0; exact and repeatable)`);
const headers = ["RAM", "memory init", "allocators", "page tables", "heap", ...ops];
const widths = headers.map((h) => Math.max(h.length, 10) + 2);
console.log(headers.map((h, i) => h.padStart(widths[i]!)).join(""));
for (const ram of RAM_SIZES) {
  const r = results[ram]!;
  const row = [ram, r.memoryInit, r.memoryInitAllocators, r.memoryInitPageTables, r.memoryInitHeap, ...ops.map((o) => r.perOperation[o] ?? "-")];
  console.log(row.map((v, i) => String(v).padStart(widths[i]!)).join(""));
}
console.log(describeCompile(compile));
if (editLoop) console.log(describeEditLoop(editLoop));
console.log(`boot to the console prompt (wall time, median of alternating boots, 128M, default CPU): keel ${boot.keelSeconds.toFixed(3)} s, reference C multiboot2 kernel ${boot.referenceSeconds.toFixed(3)} s, ratio ${boot.ratio.toFixed(2)}`);
console.log("written to build/bench.json");
