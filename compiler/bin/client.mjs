// The client side of a resident keelc (compiler/src/server.ts), in plain JavaScript so that
// asking a running server costs a Node start and no TypeScript loading. Also the key that
// names the compiler's own sources: a server answers only while its key is the one on disk.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (compiler/bin/..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The server's socket: KEELC_SOCKET, or build/keelc.sock in the repository. */
export function socketPath() {
  return process.env.KEELC_SOCKET || join(ROOT, "build", "keelc.sock");
}

/**
 * A hash of everything that decides what keelc outputs besides the program itself: the
 * compiler's sources and the installed packages (TypeScript, ts-morph). A server started
 * from other sources must not answer.
 */
export function sourceKey(root = ROOT) {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  walk(join(root, "compiler"));
  for (const f of ["package-lock.json", "node_modules/.package-lock.json"]) if (existsSync(join(root, f))) files.push(join(root, f));
  const h = createHash("sha256");
  for (const f of files) h.update(`${f.slice(root.length)}\0`).update(readFileSync(f)).update("\0");
  return h.digest("hex");
}

/** Sends one request (an object) and resolves to the server's answer, or null when no server answered. */
export function request(message, socket = socketPath()) {
  return new Promise((resolve) => {
    if (!existsSync(socket)) return resolve(null);
    const c = connect(socket);
    let data = "";
    c.setEncoding("utf8");
    c.on("connect", () => c.write(`${JSON.stringify(message)}\n`));
    c.on("data", (d) => (data += d));
    c.on("error", () => resolve(null));
    c.on("close", () => {
      try {
        resolve(JSON.parse(data));
      } catch {
        resolve(null);
      }
    });
  });
}

/** True for a command line a server runs (a compilation), not run-node/run-hosted/serve/help. */
export function isCompilation(argv) {
  return !["run-node", "run-hosted", "serve"].includes(argv[0]) && !argv.some((a) => ["--help", "-h", "--version", "-V"].includes(a));
}
