// Writing keelc's output directory so that make-style tools can rebuild incrementally: a
// file whose content is unchanged keeps its modification time (gcc is not rerun for a
// module the edit did not touch), and a file the program no longer produces is removed
// (no stale module is linked). The directory then holds exactly the result, as if it had
// been emptied first.
import * as fs from "node:fs";
import * as path from "node:path";

/** What writeOutputs did, for logs and tests. */
export interface OutputStats {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/** Makes `dir` contain exactly `files` (name -> content), rewriting only files whose content differs. */
export function writeOutputs(dir: string, files: ReadonlyMap<string, string>): OutputStats {
  const stats: OutputStats = { written: [], unchanged: [], removed: [] };
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (files.has(entry.name) && entry.isFile()) continue;
    fs.rmSync(path.join(dir, entry.name), { recursive: true, force: true });
    stats.removed.push(entry.name);
  }
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    if (readOrNull(file) === text) {
      stats.unchanged.push(name);
      continue;
    }
    // Write beside and rename: a reader (or an interrupted run) never sees half a file.
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    stats.written.push(name);
  }
  return stats;
}

/** Writes one file unless it already has exactly this content. */
export function writeIfChanged(file: string, text: string): void {
  if (readOrNull(file) === text) return;
  fs.writeFileSync(file, text);
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}
