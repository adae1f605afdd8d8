// The compiler's sources as one CommonJS file, for a cold keelc: loading one file with
// require() skips tsx's module loader and Node's export scan of ts-morph (an ES module
// importing a CommonJS package), about a second of every cold run. The bundle is named by
// the hash of the compiler's sources (client.mjs sourceKey), so it is never stale: changed
// sources have another name, and a bundle is kept only when the sources did not change
// while it was built. Any failure falls back to running the sources through tsx.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, sourceKey } from "./client.mjs";
import { requireWithCodeCache, saveCodeCache } from "./code_cache.mjs";

const require = createRequire(import.meta.url);
/** Where the bundles are kept, and V8's code cache of what they load (code_cache.mjs) below it. */
const DIR = join(ROOT, "build", ".cache", "keelc");
const CODE_CACHE = join(DIR, "v8");

/** The compiler's `main`, from the bundle of `key` (built when missing), or null when it cannot be had. */
export async function bundledMain(key = sourceKey()) {
  const file = join(DIR, `keelc-${key.slice(0, 32)}.cjs`);
  try {
    if (!existsSync(file)) {
      const { build } = await import("esbuild");
      mkdirSync(DIR, { recursive: true });
      const tmp = `${file}.tmp-${process.pid}.cjs`;
      const cli = join(ROOT, "compiler", "src", "cli.ts");
      await build({
        entryPoints: [cli],
        outfile: tmp,
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        packages: "external",
        // Every import.meta.url in the compiler locates the repository from a file two
        // levels down (compiler/src, compiler/bin): the bundle's modules all see cli.ts's.
        define: { "import.meta.url": JSON.stringify(pathToFileURL(cli).href) },
        logLevel: "silent",
      });
      if (sourceKey() !== key) {
        // Edited while bundling: use it this once, keep nothing.
        const { main } = require(tmp);
        rmSync(tmp, { force: true });
        return main;
      }
      renameSync(tmp, file);
    }
    return (process.env.KEELC_CODE_CACHE === "0" ? require(file) : requireWithCodeCache(file, CODE_CACHE)).main;
  } catch {
    return null;
  }
}

/** Keeps V8's code cache of a bundled keelc's modules that had none (after a compilation: see code_cache.mjs). */
export function saveBundleCodeCache() {
  if (process.env.KEELC_CODE_CACHE !== "0") saveCodeCache(CODE_CACHE);
}
