#!/usr/bin/env node
// keelc entry point. A compilation goes to the resident keelc when one is up (keelc serve,
// `make serve`; the answer is the cold compile's, see compiler/src/server.ts); otherwise,
// and with KEELC_SERVER=0, the compiler runs here: its sources bundled into one file
// (bundle.mjs, cached by their hash), or through tsx (KEELC_BUNDLE=0, or no esbuild).
import { bundledMain, saveBundleCodeCache } from "./bundle.mjs";
import { isCompilation, request, sourceKey } from "./client.mjs";
import { tierForOneCompilation } from "./tiering.mjs";

const argv = process.argv.slice(2);

async function viaServer() {
  if (process.env.KEELC_SERVER === "0" || !isCompilation(argv)) return false;
  const answer = await request({ cwd: process.cwd(), argv });
  if (!answer || typeof answer.status !== "number") return false; // none, or started from other sources
  process.stdout.write(answer.out);
  process.stderr.write(answer.err);
  process.exitCode = answer.status;
  return true;
}

async function serverControl() {
  if (argv[0] !== "serve" || !(argv.includes("--stop") || argv.includes("--status"))) return false;
  const answer = await request({ command: argv.includes("--stop") ? "stop" : "status" });
  if (!answer) console.log("keelc serve: no server is running");
  else console.log(`keelc serve: ${answer.message}`);
  return true;
}

if (!(await serverControl()) && !(await viaServer())) {
  // The key is taken before the compiler's sources are loaded: a source changed while
  // loading makes the server stale at its first request, never silently current.
  const key = sourceKey();
  if (isCompilation(argv)) tierForOneCompilation();
  let main = process.env.KEELC_BUNDLE === "0" ? null : await bundledMain(key);
  if (!main) {
    const { register } = await import("tsx/esm/api");
    register();
    ({ main } = await import("../src/cli.ts"));
  }
  process.exitCode = main(argv, undefined, key);
  if (isCompilation(argv)) saveBundleCodeCache();
}
