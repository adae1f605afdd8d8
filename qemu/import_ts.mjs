// Imports a self-contained TypeScript module (one importing only packages and node: modules,
// no relative .ts files) without tsx: its JavaScript, transpiled by TypeScript once per
// content, is kept in build/.cache/ts/ under the hash of the source, so a build step that
// runs it (qemu/line-table.mjs, twice per image) costs a Node start, not also tsx's loader.
// A changed source has another hash: the cache never serves old code.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The module `file` (a path relative to the repository root, or absolute). */
export async function importTs(file) {
  const source = readFileSync(join(ROOT, file.startsWith("/") ? file.slice(ROOT.length) : file), "utf8");
  if (/^\s*(import|export)\b[^;]*from\s+["']\.\.?\//m.test(source)) throw new Error(`${file} imports relative modules: import it through tsx`);
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 24);
  const dir = join(ROOT, "build", ".cache", "ts");
  const js = join(dir, `${basename(file, ".ts")}-${hash}.mjs`);
  if (!existsSync(js)) {
    const { default: ts } = await import("typescript");
    const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false }, fileName: file });
    mkdirSync(dir, { recursive: true });
    const tmp = `${js}.tmp-${process.pid}`;
    writeFileSync(tmp, out.outputText);
    renameSync(tmp, js); // atomic: a concurrent build sees the whole file or none
  }
  return import(pathToFileURL(js).href);
}
