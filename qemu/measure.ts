// Small pieces the benchmarks share (qemu/bench.ts, compile_time.ts, edit_loop.ts).
import { readFileSync } from "node:fs";

/** CPU seconds (user + sys) of this process's waited-for children so far (/proc/self/stat cutime + cstime). */
export function childrenCpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
  // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100; // clock ticks (USER_HZ = 100 on Linux)
}

/** The median of `xs` (the upper one of an even count); `xs` is left as it is. */
export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
