// The oracle's driver: a Node process of its own that runs transformed programs (ES modules
// written by index.ts) one after the other, each on a fresh HostMachine (the machine of
// `keelc run-node`, twin of the hosted C runtime), and writes their outcomes as JSON.
// Usage: node --import tsx test/oracle/driver.ts JOBS.json OUTCOMES.json
import * as fs from "node:fs";
import { pathToFileURL } from "node:url";
import { HostMachine, HostStop } from "../../compiler/src/hosted";

/** Exit status when the TypeScript itself throws (a ReferenceError, a stack overflow, …). */
export const UNCAUGHT_STATUS = 70;

interface Job {
  entry: string;
  module: string;
}

interface Outcome {
  stdout: string;
  stderr: string;
  status: number;
}

/** Runs one program: imports its entry (module initialisers run) and calls kernelMain. */
async function runProgram(job: Job): Promise<Outcome> {
  const machine = new HostMachine();
  const intrinsics = machine.intrinsics();
  // A stop is final: once the program stopped, every further intrinsic throws it again, so
  // code that runs on the way out (`using` disposals in finally blocks) cannot add output,
  // as after a real stop.
  let stop: HostStop | null = null;
  (globalThis as Record<string, unknown>).__keelOracleMachine = (name: string, args: unknown[]) => {
    if (stop) throw stop;
    const f = intrinsics[name] as ((...a: unknown[]) => unknown) | undefined;
    if (!f) throw new Error(`oracle: the intrinsic ${name} has no stand-in on the host machine`);
    try {
      return f(...args);
    } catch (e) {
      if (e instanceof HostStop) stop = e;
      throw e;
    }
  };
  let extra = "";
  try {
    const mod = (await import(job.module)) as { kernelMain(bootInfo: bigint): void };
    mod.kernelMain(0n);
  } catch (e) {
    if (!stop) extra = `oracle: uncaught ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`;
  }
  const stopped = stop as HostStop | null; // assigned by the machine above
  const status = stopped ? stopped.status : extra ? UNCAUGHT_STATUS : 0;
  return { stdout: machine.stdout().toString("utf8"), stderr: machine.stderr + extra, status };
}

const [jobsFile, outFile] = process.argv.slice(2);
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && jobsFile && outFile) {
  const jobs = JSON.parse(fs.readFileSync(jobsFile, "utf8")) as Job[];
  const outcomes: Record<string, Outcome> = {};
  for (const job of jobs) outcomes[job.entry] = await runProgram(job);
  fs.writeFileSync(outFile, JSON.stringify(outcomes));
}
