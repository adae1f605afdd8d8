// `keelc serve`: a resident keelc for the edit loop. A cold keelc spends most of its time
// starting (Node, tsx, ts-morph, TypeScript's lib files) and running cold code; a resident
// one has all of that loaded and JIT-compiled, so a compilation costs only the work itself.
//
// Never stale, by construction: each request is answered by an ordinary, complete
// compilation (the same `main` as the command line, a fresh ts-morph project reading every
// file from disk), so its output is byte for byte a cold keelc's (test/compiler/
// server.test.ts checks). That compilation may have run already: after a request the server
// watches the program's directories and compiles again when a file changes (prepared.ts);
// its result is used only while every file it read is provably unchanged. Besides that
// result, what is kept between requests is only code: the compiler's own sources are hashed
// at start (compiler/bin/client.mjs sourceKey), and a request that finds them changed on
// disk gets `stale` and the server exits; the client then compiles cold.
//
// Protocol: one JSON line per connection on a Unix socket (build/keelc.sock): {cwd, argv}
// -> {status, out, err}; {command: "status" | "stop"} -> {message}.
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { main, type Io } from "./cli";
import { compile } from "./compile";
import { Prepared } from "./prepared";
// A plain JavaScript module shared with the client (no types of its own).
// @ts-expect-error -- compiler/bin/client.mjs has no declaration file
import { socketPath, sourceKey } from "../bin/client.mjs";

const USAGE = "usage: keelc serve [--socket PATH] [--idle-minutes N] [--warm ENTRY.ts] | keelc serve --status | keelc serve --stop";

interface Options {
  socket: string;
  idleMinutes: number;
  warm: string | null;
}

/** `keelc serve ARGS`: starts the server (the process stays up); returns 0, or 2 on bad arguments. */
export function serveCommand(args: string[], key: string): number {
  const options: Options = { socket: (socketPath as () => string)(), idleMinutes: 120, warm: null };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--socket") options.socket = args[++i] ?? "";
    else if (a === "--idle-minutes") options.idleMinutes = Number(args[++i]);
    else if (a === "--warm") options.warm = args[++i] ?? null;
    else {
      console.error(`keelc serve: unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  if (!options.socket || !(options.idleMinutes > 0) || !key) {
    console.error(`keelc serve: bad arguments\n${USAGE}`);
    return 2;
  }
  void startServer(options, key);
  return 0;
}

async function startServer(options: Options, key: string): Promise<void> {
  const { socket } = options;
  if (fs.existsSync(socket)) {
    if (await answers(socket)) {
      console.error(`keelc serve: a server already answers on ${socket}`);
      process.exitCode = 1;
      return;
    }
    fs.rmSync(socket, { force: true }); // left by a server that died
  }
  fs.mkdirSync(path.dirname(socket), { recursive: true });
  const started = Date.now();
  let served = 0;
  let idle: NodeJS.Timeout;
  const server = net.createServer((conn) => {
    let data = "";
    conn.setEncoding("utf8");
    conn.on("data", (d: string) => {
      data += d;
      const nl = data.indexOf("\n");
      if (nl < 0) return;
      let reply: object;
      try {
        reply = handle(JSON.parse(data.slice(0, nl)) as Request);
      } catch (e) {
        reply = { status: 70, out: "", err: `keelc serve: bad request: ${e instanceof Error ? e.message : String(e)}\n` };
      }
      conn.end(`${JSON.stringify(reply)}\n`);
      resetIdle();
    });
    conn.on("error", () => conn.destroy());
  });
  const shutdown = (why: string): void => {
    console.error(`keelc serve: stopping (${why}) after ${served} compilations`);
    server.close();
    prepared.close();
    fs.rmSync(socket, { force: true });
    process.exit(0);
  };
  const resetIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => shutdown(`idle for ${options.idleMinutes} minutes`), options.idleMinutes * 60_000);
  };

  interface Request {
    cwd?: string;
    argv?: string[];
    command?: string;
  }
  const handle = (req: Request): object => {
    if (req.command === "status") return { message: `pid ${process.pid}, ${socket}, up ${Math.round((Date.now() - started) / 1000)} s, ${served} compilations` };
    if (req.command === "stop") {
      setImmediate(() => shutdown("asked to"));
      return { message: `stopping pid ${process.pid}` };
    }
    if (!req.cwd || !Array.isArray(req.argv)) throw new Error("expected {cwd, argv}");
    if ((sourceKey as () => string)() !== key) {
      setImmediate(() => shutdown("the compiler's sources changed"));
      return { stale: true };
    }
    return compileFor(req.cwd, req.argv);
  };

  const compileFor = (cwd: string, argv: string[]): object => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (t) => out.push(`${t}\n`), err: (t) => err.push(`${t}\n`) };
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const home = process.cwd();
    let status: number;
    try {
      process.chdir(cwd); // paths in messages, names and depfiles are relative to the client's directory
      status = main(argv, io, key, (entry) => prepared.compile(cwd, entry));
    } catch (e) {
      err.push(`keelc serve: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      status = 70;
    } finally {
      process.chdir(home);
    }
    served++;
    console.error(`keelc serve: ${argv.join(" ")} -> ${status} in ${Date.now() - t0} ms (${cpuMs(cpu0)})`);
    return { status, out: out.join(""), err: err.join("") };
  };

  // The next compilation of the last program, started when one of its files changes.
  const prepared = new Prepared(
    (cwd, entry) => {
      const home = process.cwd();
      try {
        process.chdir(cwd);
        return compile(entry);
      } finally {
        process.chdir(home);
      }
    },
    (line) => console.error(line),
  );

  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  server.listen(socket, () => {
    console.error(`keelc serve: pid ${process.pid} listening on ${socket}`);
    resetIdle();
    // Run the compiler once, so the first request finds its code compiled.
    if (options.warm) {
      const t0 = Date.now();
      main(["--out", path.join(path.dirname(socket), "keelc-serve-warm"), options.warm], { out: () => {}, err: () => {} });
      console.error(`keelc serve: warmed with ${options.warm} in ${Date.now() - t0} ms`);
    }
  });
}

/** True when a server answers on `socket`. */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    c.on("connect", () => {
      c.end(`${JSON.stringify({ command: "status" })}\n`);
      resolve(true);
    });
    c.on("error", () => resolve(false));
  });
}

/** CPU time since `start`, as the log prints it (make edit-loop-bench adds it up). */
export function cpuMs(start: NodeJS.CpuUsage): string {
  const d = process.cpuUsage(start);
  return `cpu ${Math.round((d.user + d.system) / 1000)} ms`;
}
