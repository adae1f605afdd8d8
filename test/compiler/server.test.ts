// The resident keelc (keelc serve, compiler/src/server.ts) answers exactly what a cold keelc
// writes: the same C files byte for byte, the same depfile, the same diagnostics and exit
// status, also after the program changed between two requests; and its output directory
// keeps the files whose content did not change (so the build recompiles only those that did).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- compiler/bin/client.mjs is plain JavaScript without a declaration file
import { sourceKey } from "../../compiler/bin/client.mjs";

// The program: a copy of a small fixture in a directory of its own inside the repository
// (its imports of kernel/ adjusted); every output goes to a temporary directory elsewhere,
// so the program's directories change only when the test edits the program.
fs.mkdirSync("build", { recursive: true });
const work = fs.mkdtempSync(path.join("build", "server-test-"));
fs.mkdirSync(path.join(work, "p"));
const program = path.join(work, "p", "prog.ts");
const fixture = fs.readFileSync("test/kernels/fail_one.ts", "utf8").replaceAll('"../../kernel/', '"../../../kernel/');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keelc-serve-"));
const socket = path.join(tmp, "keelc.sock");

const keelc = (args: string[], env: Record<string, string>) =>
  execa("node", ["compiler/bin/keelc.mjs", ...args], { reject: false, env: { KEELC_SOCKET: socket, ...env } });
const cold = (args: string[]) => keelc(args, { KEELC_SERVER: "0" });
const resident = (args: string[]) => keelc(args, {});

/** name -> content of every file in dir. */
function contents(dir: string): Map<string, string> {
  return new Map(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

/** Compiles `program` cold and through the server into fresh / given directories; both results. */
async function both(residentOut: string) {
  const coldOut = fs.mkdtempSync(path.join(tmp, "cold-"));
  const [c, r] = await Promise.all([
    cold(["--out", coldOut, "--deps", path.join(coldOut, "x.d"), program]),
    resident(["--out", residentOut, "--deps", path.join(tmp, "resident.d"), program]),
  ]);
  return { c, r, coldOut };
}

let server: ResultPromise | null = null;
let serverLog = "";

describe("keelc serve", () => {
  beforeAll(async () => {
    fs.writeFileSync(program, fixture);
    server = execa("node", ["compiler/bin/keelc.mjs", "serve", "--socket", socket, "--idle-minutes", "10"], { reject: false });
    server.stderr!.on("data", (d: Buffer) => (serverLog += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!serverLog.includes("listening") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(serverLog).toContain("listening");
  }, 90_000);

  afterAll(async () => {
    await keelc(["serve", "--stop"], {});
    await server;
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("writes byte for byte what a cold keelc writes, before and after a one-line change", async () => {
    const out = path.join(tmp, "resident-out");
    const first = await both(out);
    expect(first.c.exitCode, first.c.stderr).toBe(0);
    expect(first.r.exitCode, first.r.stderr).toBe(0);
    expect(serverLog).toMatch(/prog\.ts -> 0 in \d+ ms/); // it was the server that compiled
    const before = contents(out);
    const beforeTimes = new Map([...before.keys()].map((f) => [f, fs.statSync(path.join(out, f)).mtimeMs]));
    const coldFiles = contents(first.coldOut);
    coldFiles.delete("x.d");
    expect(before).toEqual(coldFiles);
    const depsTail = (f: string) => fs.readFileSync(f, "utf8").split("\n").slice(1).join("\n");
    expect(depsTail(path.join(tmp, "resident.d"))).toBe(depsTail(path.join(first.coldOut, "x.d")));

    // One line of the program changes; the server must see it (no stale answer).
    fs.writeFileSync(program, fixture.replace("expectEqU32(two + two, 5,", "expectEqU32(two + two, 6,"));
    const second = await both(out);
    expect(second.r.exitCode, second.r.stderr).toBe(0);
    const after = contents(out);
    const coldAfter = contents(second.coldOut);
    coldAfter.delete("x.d");
    expect(after).toEqual(coldAfter);
    const changed = [...after.keys()].filter((f) => after.get(f) !== before.get(f));
    expect(changed.filter((f) => f.endsWith("prog.c"))).toHaveLength(1); // the edited module's C

    // A file whose content did not change was not rewritten (gcc is not rerun for it).
    const kept = [...after.keys()].filter((f) => after.get(f) === before.get(f));
    expect(kept.length).toBeGreaterThan(0);
    for (const f of kept) expect(fs.statSync(path.join(out, f)).mtimeMs, f).toBe(beforeTimes.get(f));
  }, 120_000);

  it("prepares the next compilation when a file changes, and its answer is the cold one (prepared.test.ts: when it is not used)", async () => {
    const out = path.join(tmp, "resident-prepared");
    const used = () => serverLog.split("prepared result still exact, used").length - 1;
    const prepared = () => serverLog.split("prepared after a change").length - 1;
    fs.writeFileSync(program, fixture.replace("expectEqU32(two + two, 5,", "expectEqU32(two + two, 7,"));
    await resident(["--out", out, program]); // the server now follows this program
    const before = { used: used(), prepared: prepared() };
    fs.writeFileSync(program, fixture.replace("expectEqU32(two + two, 5,", "expectEqU32(two + two, 8,"));
    const deadline = Date.now() + 60_000;
    while (prepared() === before.prepared && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(prepared()).toBe(before.prepared + 1);
    const first = await both(out);
    expect(first.r.exitCode, first.r.stderr).toBe(0);
    expect(used(), serverLog).toBe(before.used + 1); // answered from the prepared compilation...
    const coldFiles = contents(first.coldOut);
    coldFiles.delete("x.d");
    expect(contents(out)).toEqual(coldFiles); // ...which is exactly the cold one

  }, 180_000);

  it("reports a compile error as a cold keelc does: file:line:col, status 1", async () => {
    fs.writeFileSync(program, fixture.replace("const two: u32 = 2;", "const two: u32 = 2n;"));
    const { c, r } = await both(path.join(tmp, "resident-bad"));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/prog\.ts:\d+:\d+ - error/);
    expect(r.stderr).toBe(c.stderr);
    expect(c.exitCode).toBe(1);
  }, 120_000);

  it("names the compiler's sources by content: a change makes a running server stale", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "keelc-key-"));
    fs.mkdirSync(path.join(root, "compiler", "src"), { recursive: true });
    fs.writeFileSync(path.join(root, "compiler", "src", "a.ts"), "export const a = 1;\n");
    const k1 = sourceKey(root);
    expect(sourceKey(root)).toBe(k1);
    fs.writeFileSync(path.join(root, "compiler", "src", "a.ts"), "export const a = 2;\n");
    expect(sourceKey(root)).not.toBe(k1);
    fs.rmSync(root, { recursive: true });
  });
});
