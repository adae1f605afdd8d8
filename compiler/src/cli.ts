// keelc's command line: `keelc [--out DIR] ENTRY.ts`. Exit status 0 on success, 1 when
// there were diagnostics, 2 on a usage error; never a stack trace.
import * as fs from "node:fs";
import * as path from "node:path";
import { compile, formatResult } from "./compile";
import { runCommand } from "./run";

const USAGE = "usage: keelc [--out DIR] ENTRY.ts";

/** Runs keelc with command-line arguments; returns the exit status. */
export function main(argv: string[]): number {
  // `keelc run-node FILE.ts`, `keelc run-hosted FILE.ts`: compile and run (run.ts).
  if (argv[0] === "run-node" || argv[0] === "run-hosted") return runCommand(argv[0], argv.slice(1));
  let out = "build/gen";
  const entries: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--out") out = argv[++i] ?? "";
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith("-")) {
      console.error(`keelc: unknown option ${a}\n${USAGE}`);
      return 2;
    } else entries.push(a);
  }
  if (entries.length !== 1 || !out) {
    console.error(`keelc: expected one entry file\n${USAGE}`);
    return 2;
  }
  const entry = entries[0]!;
  if (!fs.existsSync(entry)) {
    console.error(`keelc: ${entry}: no such file`);
    return 2;
  }
  const result = compile(entry);
  const messages = formatResult(result);
  if (messages) console.error(messages);
  if (!result.ok) {
    const n = result.typeErrors.length + result.diagnostics.length;
    console.error(`\nkeelc: ${n} error${n === 1 ? "" : "s"}; no C emitted.`);
    return 1;
  }
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const [name, text] of result.files) fs.writeFileSync(path.join(out, name), text);
  return 0;
}
