// The resident keelc's head start: after a request, it watches the directories of that
// program's files, and when one changes it compiles the program again at once, so the next
// `make` finds the result ready (an edit saved in the editor is usually compiled before the
// build asks for it).
//
// A prepared result is handed out only when it is exactly what compiling at that moment
// would give: every file of the program, and every directory holding one or a directory
// with one (where module resolution looks for alternatives), must be as it was when the
// preparing compilation started (modification time, size, content, directory entries), and
// no file may have been modified since shortly before that start (a write during the
// compilation, even one restoring the same content, discards it). Otherwise the request
// compiles afresh.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CompileResult } from "./compile";

/** Changes are recognised by modification times; this covers coarse file-system clocks. */
const CLOCK_MARGIN_MS = 50;
/** Edits come in bursts (save, formatter, editor backup): wait this long for quiet. */
const QUIET_MS = 100;

interface Ready {
  key: string;
  result: CompileResult;
  snapshot: string;
}

/** A digest of the program's files and the directories where resolution looks; null when one changed after `since`. */
function snapshot(sources: readonly string[], since: number): string | null {
  const h = createHash("sha256");
  const dirs = new Set<string>();
  for (const f of [...sources].sort()) {
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch {
      return null;
    }
    if (st.mtimeMs > since - CLOCK_MARGIN_MS) return null;
    h.update(`${f}\0${st.ino}\0${st.size}\0${st.mtimeMs}\0`).update(fs.readFileSync(f)).update("\0");
    dirs.add(path.dirname(f));
    dirs.add(path.dirname(path.dirname(f)));
  }
  for (const d of [...dirs].sort()) {
    try {
      if (fs.statSync(d).mtimeMs > since - CLOCK_MARGIN_MS) return null;
      h.update(`${d}/\0${fs.readdirSync(d).sort().join("\0")}\0`);
    } catch {
      return null;
    }
  }
  return h.digest("hex");
}

/** Keeps at most one prepared compilation: of the last program asked for. */
export class Prepared {
  private ready: Ready | null = null;
  private last: { cwd: string; key: string; entry: string } | null = null;
  private watchers = new Map<string, fs.FSWatcher>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly compileIn: (cwd: string, entry: string) => CompileResult,
    private readonly log: (line: string) => void,
  ) {}

  /** The result of compiling `entry` in `cwd` (what the compilation depends on besides the files): prepared when still exact, else compiled now. */
  compile(cwd: string, entry: string): CompileResult {
    const key = JSON.stringify([cwd, entry]);
    if (this.timer) clearTimeout(this.timer); // this compilation sees the latest files
    this.timer = null;
    const ready = this.ready;
    this.ready = null;
    if (ready && ready.key === key && ready.result.sources.length > 0 && snapshot(ready.result.sources, Infinity) === ready.snapshot) {
      this.log(`keelc serve: ${entry}: prepared result still exact, used`);
      this.follow(cwd, key, entry, ready.result);
      this.ready = ready; // still exact for a repeated request
      return ready.result;
    }
    const result = this.run(cwd, key, entry);
    return result;
  }

  /** Compiles, remembers the result when no file changed meanwhile, and watches the program's directories. */
  private run(cwd: string, key: string, entry: string): CompileResult {
    const start = Date.now();
    const full = this.compileIn(cwd, entry);
    // Keep what the command line uses, not the program's syntax trees.
    const result: CompileResult = { ...full, ir: null };
    const snap = result.sources.length > 0 ? snapshot(result.sources, start) : null;
    this.ready = snap ? { key, result, snapshot: snap } : null;
    this.follow(cwd, key, entry, result);
    return result;
  }

  /** Watches the directories of `result`'s files; a change there prepares `entry` again. */
  private follow(cwd: string, key: string, entry: string, result: CompileResult): void {
    this.last = { cwd, key, entry };
    const dirs = new Set(result.sources.map((f) => path.dirname(f)));
    for (const [d, w] of this.watchers) {
      if (dirs.has(d)) continue;
      w.close();
      this.watchers.delete(d);
    }
    for (const d of dirs) {
      if (this.watchers.has(d)) continue;
      try {
        // Only TypeScript files matter (not an editor's swap or backup files).
        this.watchers.set(d, fs.watch(d, { persistent: false }, (_event, file) => (file === null || String(file).endsWith(".ts") ? this.changed() : undefined)));
      } catch {
        // a directory that cannot be watched only loses the head start
      }
    }
  }

  private changed(): void {
    this.ready = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.prepare(), QUIET_MS);
  }

  private prepare(): void {
    this.timer = null;
    const last = this.last;
    if (!last) return;
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    this.run(last.cwd, last.key, last.entry);
    const cpu = process.cpuUsage(cpu0);
    this.log(
      `keelc serve: ${last.entry}: prepared after a change in ${Date.now() - t0} ms (cpu ${Math.round((cpu.user + cpu.system) / 1000)} ms)` +
        (this.ready ? "" : " (files changed meanwhile: not kept)"),
    );
  }

  /** Stops watching. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
