// Regenerates README.md's measurement table from build/bench.json (make bench writes it):
// everything between the <!-- bench:begin --> and <!-- bench:end --> markers is replaced.
import { readFileSync, writeFileSync } from "node:fs";
import type { EditLoop } from "./edit_loop.ts";

interface RamResult { memoryInit: number; memoryInitAllocators: number; memoryInitPageTables: number; memoryInitHeap: number; perOperation: Record<string, number> }
interface Report {
  date: string;
  ram: Record<string, RamResult>;
  compile: { keelcSeconds: number; tscNoEmitSeconds: number; keelcCpuSeconds?: number; tscNoEmitCpuSeconds?: number; load?: number };
  editLoop?: EditLoop;
  boot: { keelSeconds: number; referenceSeconds: number; ratio: number };
}

const report = JSON.parse(readFileSync("build/bench.json", "utf8")) as Report;
const n = (x: number | undefined) => (x === undefined ? "-" : x.toLocaleString("en-US"));
const columns: [string, (r: RamResult) => number | undefined][] = [
  ["memory init", (r) => r.memoryInit],
  ["of which allocators", (r) => r.memoryInitAllocators],
  ["page tables", (r) => r.memoryInitPageTables],
  ["heap", (r) => r.memoryInitHeap],
  ["frame alloc+release", (r) => r.perOperation.frame_alloc_release],
  ["page alloc+release", (r) => r.perOperation.page_alloc_release],
  ["map+unmap (tables present)", (r) => r.perOperation.map_unmap],
  ["map+unmap (with allocation)", (r) => r.perOperation.map_unmap_with_allocation],
  ["translate", (r) => r.perOperation.translate],
];
const lines = [
  `| RAM | ${columns.map((c) => c[0]).join(" | ")} |`,
  `|---|${columns.map(() => "---").join("|")}|`,
  ...Object.entries(report.ram).map(([ram, r]) => `| ${ram} | ${columns.map((c) => n(c[1](r))).join(" | ")} |`),
  "",
  `Boot to the console prompt (wall time, median of alternating boots): Keel ${report.boot.keelSeconds.toFixed(2)} s, ` +
    `a minimal C multiboot2 kernel booted the same way (\`test/reference/\`) ${report.boot.referenceSeconds.toFixed(2)} s: ratio ${report.boot.ratio.toFixed(2)}.`,
  `Compile time of the kernel (\`kernel/main.ts\`): keelc ${report.compile.keelcSeconds.toFixed(1)} s, \`tsc --noEmit\` on the same files ${report.compile.tscNoEmitSeconds.toFixed(1)} s ` +
    `(ratio ${(report.compile.keelcSeconds / report.compile.tscNoEmitSeconds).toFixed(2)}` +
    `${report.compile.keelcCpuSeconds === undefined || report.compile.tscNoEmitCpuSeconds === undefined ? "" : `; CPU ${report.compile.keelcCpuSeconds.toFixed(1)} s and ${report.compile.tscNoEmitCpuSeconds.toFixed(1)} s, ratio ${(report.compile.keelcCpuSeconds / report.compile.tscNoEmitCpuSeconds).toFixed(2)}`}` +
    `${report.compile.load === undefined ? "" : `, load ${report.compile.load.toFixed(1)} on 2 cores`}). Run of ${report.date.slice(0, 10)}.`,
];
if (report.editLoop) {
  const e = report.editLoop;
  lines.push(
    `Edit loop (\`make\` after a one-line change to \`kernel/main.ts\`, median of ${e.residentKeelc.runs.length}, \`make edit-loop-bench\`): ` +
      `${e.residentKeelc.medianSeconds.toFixed(1)} s with the resident keelc (\`make serve\`; CPU ${e.residentKeelc.cpuSeconds.toFixed(1)} s), ` +
      `${e.coldKeelc.medianSeconds.toFixed(1)} s with a cold one (CPU ${e.coldKeelc.cpuSeconds.toFixed(1)} s); load ${e.load[0].toFixed(1)}–${e.load[1].toFixed(1)} on 2 cores.`,
  );
}
const readme = readFileSync("README.md", "utf8");
const re = /(<!-- bench:begin -->\n)[\s\S]*?(<!-- bench:end -->)/;
if (!re.test(readme)) throw new Error("README.md has no <!-- bench:begin --> ... <!-- bench:end --> markers");
writeFileSync("README.md", readme.replace(re, `$1${lines.join("\n")}\n$2`));
console.log("README.md: measurement table regenerated from build/bench.json");
