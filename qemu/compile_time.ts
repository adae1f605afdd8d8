// keelc's compile time of the kernel beside `tsc --noEmit` on the same files, for make bench.
// Both run cold (a resident keelc must not answer) and alternate, so that a change in the
// machine's load (2 shared cores) falls on both; each gets one untimed run first (disk
// cache; keelc's bundle and V8 code cache, build products like tsc's installed JavaScript).
// tsc runs as `node node_modules/typescript/bin/tsc`: through npx, npm's own start-up (about
// 0.45 s of CPU) counted as tsc's. Wall time is the figure; the CPU time (user + sys of the
// child) is given beside it, as it varies less with the load.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { childrenCpuSeconds, median } from "./measure.ts";

/** The compile figures of build/bench.json (medians). */
export interface CompileTimes {
  keelcSeconds: number;
  tscNoEmitSeconds: number;
  keelcCpuSeconds: number;
  tscNoEmitCpuSeconds: number;
  /** Runs of each. */
  runs: number;
  /** 1-minute load average when measured (2 cores, shared: wall times grow with it). */
  load: number;
}

/** Wall and CPU seconds of one run of a command. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { wall: number; cpu: number } {
  const c0 = childrenCpuSeconds();
  const t0 = performance.now();
  execFileSync(cmd, args, { stdio: "ignore", env: { ...process.env, ...env } });
  return { wall: (performance.now() - t0) / 1000, cpu: childrenCpuSeconds() - c0 };
}

/** Times keelc and tsc --noEmit on kernel/main.ts, alternating, `runs` times each. */
export function measureCompile(runs = 3): CompileTimes {
  mkdirSync("build/bench-tsc", { recursive: true });
  writeFileSync("build/bench-tsc/tsconfig.json", JSON.stringify({ extends: "../../kernel/tsconfig.json", files: ["../../kernel/main.ts"], include: [] }));
  const keelc = (): { wall: number; cpu: number } => timed("node", ["compiler/bin/keelc.mjs", "--out", "build/bench-gen", "kernel/main.ts"], { KEELC_SERVER: "0" });
  const tsc = (): { wall: number; cpu: number } => timed("node", ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "build/bench-tsc/tsconfig.json"]);
  keelc();
  tsc();
  const k: { wall: number; cpu: number }[] = [];
  const t: { wall: number; cpu: number }[] = [];
  const load = loadavg()[0]!;
  for (let i = 0; i < runs; i++) {
    k.push(keelc());
    t.push(tsc());
  }
  return {
    keelcSeconds: median(k.map((r) => r.wall)),
    tscNoEmitSeconds: median(t.map((r) => r.wall)),
    keelcCpuSeconds: median(k.map((r) => r.cpu)),
    tscNoEmitCpuSeconds: median(t.map((r) => r.cpu)),
    runs,
    load,
  };
}

/** One line for the console. */
export function describeCompile(c: CompileTimes): string {
  return (
    `compile kernel/main.ts: keelc ${c.keelcSeconds.toFixed(2)} s, tsc --noEmit ${c.tscNoEmitSeconds.toFixed(2)} s, ratio ${(c.keelcSeconds / c.tscNoEmitSeconds).toFixed(2)} ` +
    `(wall, median of ${c.runs} alternating); CPU ${c.keelcCpuSeconds.toFixed(2)} s vs ${c.tscNoEmitCpuSeconds.toFixed(2)} s, ratio ${(c.keelcCpuSeconds / c.tscNoEmitCpuSeconds).toFixed(2)}; load ${c.load.toFixed(1)} on 2 cores`
  );
}
