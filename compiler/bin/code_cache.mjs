// V8's code cache for the CommonJS modules of a cold keelc (its bundle, ts-morph and the
// TypeScript compiler it carries): what Node 22's module.enableCompileCache() does, and
// what TypeScript's own tsc.js turns on where Node has it, for the Node 20 we run on. A
// cold keelc otherwise parses and compiles about 12 MB of JavaScript, and then every
// TypeScript checker function it calls, again on every run: about 0.5 s of CPU, a tenth
// of a compile. The cache is written after a compilation, so it holds the functions a
// compilation runs, not only the modules' top level. It is named by each module's path,
// size and time and by the Node version, and V8 itself rejects data that does not fit
// (then the module compiles as usual and the cache is written anew): never stale, and
// any failure only costs the time it would have saved. KEELC_CODE_CACHE=0 runs without it.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire, Module } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";

/** Scripts compiled without usable cached data: their cache is written by saveCodeCache(). */
const pending = [];

/** The cache file of a module's source. */
function cacheFile(dir, filename) {
  const st = statSync(filename);
  const key = createHash("sha256").update(`${filename}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}`).digest("hex");
  return join(dir, `${key.slice(0, 32)}.v8`);
}

/** `require(file)`, compiling the CommonJS modules it loads with V8's code cache kept in `dir`. */
export function requireWithCodeCache(file, dir) {
  const original = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename) {
    let cache;
    let cachedData;
    try {
      cache = cacheFile(dir, filename);
      cachedData = readFileSync(cache);
    } catch {
      if (!cache) return original.call(this, content, filename);
    }
    // Node's own module wrapper and dynamic import() as in a module Node compiles itself.
    const script = new vm.Script(Module.wrap(content), { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    if (cachedData === undefined || script.cachedDataRejected) pending.push({ script, cache });
    const mod = this;
    const require = (id) => mod.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return script.runInThisContext({ displayErrors: true }).call(mod.exports, mod.exports, require, mod, filename, dirname(filename));
  };
  try {
    return createRequire(import.meta.url)(file);
  } finally {
    Module.prototype._compile = original;
  }
}

/** Writes the code cache of the modules that had none, with every function compiled so far (call after a compilation). */
export function saveCodeCache(dir) {
  try {
    if (pending.length) mkdirSync(dir, { recursive: true });
    for (const { script, cache } of pending.splice(0)) {
      const tmp = `${cache}.tmp-${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cache);
    }
  } catch {
    // A cache is only ever an optimisation.
  }
}
