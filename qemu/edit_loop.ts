// The edit loop, measured: `make` (the image `make run` boots) after a one-line change to
// kernel/main.ts, with a cold keelc and with the resident one (make serve). Each run adds a
// different line, so keelc's C for main.ts really changes (and every later #line moves);
// kernel/main.ts is restored afterwards, also when a build fails or the run is interrupted.
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { childrenCpuSeconds } from "./measure.ts";

const MAIN = "kernel/main.ts";
const ANCHOR = '  println("keel: bye");\n';

/** One mode's runs: wall seconds of `make` and build-image.sh's step times of the median run. */
export interface LoopTimes {
  medianSeconds: number;
  runs: number[];
  steps: string[];
  /**
   * CPU seconds of the median run: make and everything it waited for, plus the resident
   * keelc's (its log). On a shared machine the wall time grows with the load; this does not
   * (much), and on an idle machine the wall time is at most about this.
   */
  cpuSeconds: number;
}

/** CPU seconds the resident keelc logged after byte `from` of its log. */
function serverCpuSeconds(from: number): number {
  if (!existsSync(SERVER_LOG)) return 0;
  const text = readFileSync(SERVER_LOG, "utf8").slice(from);
  return [...text.matchAll(/\(cpu (\d+) ms\)/g)].reduce((sum, m) => sum + Number(m[1]) / 1000, 0);
}

const SERVER_LOG = "build/keelc-server.log";
const logSize = (): number => (existsSync(SERVER_LOG) ? statSync(SERVER_LOG).size : 0);

export interface EditLoop {
  date: string;
  /** 1-minute load average before and after (2 cores shared: a load above 2 means waiting). */
  load: [number, number];
  coldKeelc: LoopTimes;
  residentKeelc: LoopTimes;
}

function serverUp(): boolean {
  return execFileSync("node", ["compiler/bin/keelc.mjs", "serve", "--status"], { encoding: "utf8" }).includes(" pid ");
}

/** Times `make` `runs` times after a one-line change; warmup runs first are not counted. */
function loop(original: string, label: string, env: NodeJS.ProcessEnv, runs: number, warmup: number): LoopTimes {
  const times: { seconds: number; steps: string[]; cpu: number }[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const log0 = logSize();
    const cpu0 = childrenCpuSeconds();
    writeFileSync(MAIN, original.replace(ANCHOR, `  println("edit loop ${label} ${i}");\n${ANCHOR}`));
    const t0 = performance.now();
    execFileSync("make", [], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, ...env } });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = childrenCpuSeconds() - cpu0 + serverCpuSeconds(log0);
    const steps = readFileSync("build/run/logs/times", "utf8").trimEnd().split("\n");
    if (i >= warmup) times.push({ seconds, steps, cpu });
  }
  const sorted = [...times].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { medianSeconds: median.seconds, runs: times.map((t) => t.seconds), steps: median.steps, cpuSeconds: median.cpu };
}

/** Measures the loop with a cold and with a resident keelc (started here if none is up, and stopped again). */
export function measureEditLoop(runs = 3): EditLoop {
  const original = readFileSync(MAIN, "utf8");
  if (!original.includes(ANCHOR)) throw new Error(`${MAIN} no longer has the line the edit loop adds before: ${ANCHOR.trim()}`);
  const restore = (): void => writeFileSync(MAIN, original);
  const onSignal = (): void => {
    restore();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const load0 = loadavg()[0]!;
  const startedServer = !serverUp();
  try {
    const coldKeelc = loop(original, "cold", { KEELC_SERVER: "0" }, runs, 0);
    if (startedServer) execFileSync("make", ["serve"], { stdio: "ignore" });
    const residentKeelc = loop(original, "resident", {}, runs, 1);
    return { date: new Date().toISOString(), load: [load0, loadavg()[0]!], coldKeelc, residentKeelc };
  } finally {
    restore();
    if (startedServer) execFileSync("make", ["serve-stop"], { stdio: "ignore" });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** The figures as lines for a terminal. */
export function describeEditLoop(e: EditLoop): string {
  const mode = (name: string, t: LoopTimes): string =>
    `${name}: ${t.medianSeconds.toFixed(2)} s (median; runs ${t.runs.map((r) => r.toFixed(2)).join(", ")}; CPU ${t.cpuSeconds.toFixed(2)} s)\n${t.steps.map((s) => `    ${s}`).join("\n")}`;
  return [
    `edit loop: make after a one-line change to ${MAIN} (load ${e.load[0].toFixed(2)} -> ${e.load[1].toFixed(2)} on ${cpus().length} cores)`,
    mode("  cold keelc", e.coldKeelc),
    mode("  resident keelc (make serve)", e.residentKeelc),
  ].join("\n");
}
