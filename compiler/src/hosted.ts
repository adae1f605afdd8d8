// Running a kernel program outside the kernel, two ways that must agree byte for byte:
//
//   run-node   the JavaScript backend (emit_js.ts) on HostMachine below, in this process;
//   run-hosted the C backend built with gcc against boot/runtime/hosted/keel_hosted.c into
//              an ordinary executable (ASan + UBSan), run as a child process.
//
// HostMachine is the Node twin of keel_hosted.c (read that file's header for the contract:
// COM1 to stdout, other ports are latches, simulated sparse memory, qemuExit(code) ends
// with status (code << 1) | 1, haltForever with HALT_STATUS, a panic message on the last
// line is echoed on stderr). It lives in compiler/ rather than reusing test/sim/machine.ts because the
// compiler is a tool that must not depend on the test tree, and because it must mirror the
// hosted C runtime exactly (streamed stdout, exit statuses), which is a different job from
// the unit-test machine; both take the same intrinsics shape, so emitted JS runs on either.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { CFiles } from "./emit_c";
import { emitJs } from "./emit_js";
import type { Program } from "./ir";

/** Exit status of haltForever in both hosted executions (even: never a QEMU status). */
export const HALT_STATUS = 4;
/** Exit status of run-node / run-hosted when keelc could not build or start the program. */
export const BUILD_FAILED_STATUS = 125;

/** The repository root (compiler/src/../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The hosted C runtime. */
export const HOSTED_RUNTIME_DIR = path.join(REPO_ROOT, "boot", "runtime", "hosted");

/** gcc flags of hosted builds. */
export const HOSTED_CFLAGS = [
  "-std=gnu11",
  "-O1",
  "-g",
  "-fsanitize=address,undefined",
  "-fno-sanitize-recover=all",
  "-fno-omit-frame-pointer",
  "-Wall",
  "-Wextra",
  "-Werror",
];

/** How one execution ended. */
export interface RunResult {
  stdout: Buffer;
  stderr: string;
  status: number;
}

/** Thrown by HostMachine's `never` intrinsics: the program stopped with `status`. */
export class HostStop extends Error {
  constructor(readonly status: number) {
    super(`program stopped with status ${status}`);
    this.name = "HostStop";
  }
}

const COM1 = 0x3f8;
const LINE_CONTROL = COM1 + 3;
const LINE_STATUS = COM1 + 5;
const LCR_DLAB = 0x80;
const TRANSMIT_EMPTY = 0x20;
const PAGE = 4096n;
const MASK64 = 0xffff_ffff_ffff_ffffn;

/** The machine of run-node: the twin of boot/runtime/hosted/keel_hosted.c. */
export class HostMachine {
  private readonly out: number[] = [];
  private readonly ports = new Map<number, number>();
  private readonly pages = new Map<bigint, Uint8Array>();
  private line: number[] = [];
  private lineDone = false;
  /** What the program wrote on stderr (the echoed panic line). */
  stderr = "";

  /** The bytes written to COM1 so far. */
  stdout(): Buffer {
    return Buffer.from(this.out);
  }

  private serialByte(b: number): void {
    this.out.push(b);
    if (this.lineDone) {
      this.line = [];
      this.lineDone = false;
    }
    if (b === 10) this.lineDone = true;
    else if (this.line.length < 4095) this.line.push(b);
  }

  private portOut(port: number, value: number): void {
    if (port === COM1 && ((this.ports.get(LINE_CONTROL) ?? 0) & LCR_DLAB) === 0) this.serialByte(value & 0xff);
    else this.ports.set(port, value >>> 0);
  }

  private portIn(port: number): number {
    if (port === LINE_STATUS) return TRANSMIT_EMPTY;
    return this.ports.get(port) ?? 0;
  }

  private stop(status: number): never {
    const text = Buffer.from(this.line).toString("utf8");
    const at = text.lastIndexOf("panic at ");
    if (at >= 0) this.stderr += text.slice(at) + "\n";
    throw new HostStop(status);
  }

  private byteAt(addr: bigint): { bytes: Uint8Array; offset: number } {
    const a = addr & MASK64;
    const base = a & ~(PAGE - 1n);
    let bytes = this.pages.get(base);
    if (!bytes) {
      bytes = new Uint8Array(Number(PAGE));
      this.pages.set(base, bytes);
    }
    return { bytes, offset: Number(a - base) };
  }

  private load(addr: bigint, size: number): bigint {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) {
      const { bytes, offset } = this.byteAt(addr + BigInt(i));
      v = (v << 8n) | BigInt(bytes[offset]!);
    }
    return v;
  }

  private store(addr: bigint, size: number, value: bigint): void {
    for (let i = 0; i < size; i++) {
      const { bytes, offset } = this.byteAt(addr + BigInt(i));
      bytes[offset] = Number((value >> BigInt(8 * i)) & 0xffn);
    }
  }

  /** The intrinsics object the emitted JavaScript calls (kernel/lib/intrinsics.ts). */
  intrinsics(): Record<string, (...args: never[]) => unknown> {
    return {
      outb: (port: number, value: number) => this.portOut(port, value & 0xff),
      inb: (port: number) => this.portIn(port) & 0xff,
      outw: (port: number, value: number) => this.portOut(port, value & 0xffff),
      inw: (port: number) => this.portIn(port) & 0xffff,
      outl: (port: number, value: number) => this.portOut(port, value >>> 0),
      inl: (port: number) => this.portIn(port) >>> 0,
      qemuExit: (code: number) => this.stop((((code << 1) | 1) >>> 0) & 0xff),
      haltForever: () => this.stop(HALT_STATUS),
      load8: (addr: bigint) => Number(this.load(addr, 1)),
      load16: (addr: bigint) => Number(this.load(addr, 2)),
      load32: (addr: bigint) => Number(this.load(addr, 4)),
      load64: (addr: bigint) => this.load(addr, 8),
      store8: (addr: bigint, value: number) => this.store(addr, 1, BigInt(value)),
      store16: (addr: bigint, value: number) => this.store(addr, 2, BigInt(value)),
      store32: (addr: bigint, value: number) => this.store(addr, 4, BigInt(value)),
      store64: (addr: bigint, value: bigint) => this.store(addr, 8, value),
      // The memory-management stand-ins of keel_hosted.c, with the same values.
      kernelRodataStart: () => HOSTED_KERNEL_VMA + 0x109000n,
      kernelRodataEnd: () => HOSTED_KERNEL_VMA + 0x10b000n,
      kernelDataStart: () => HOSTED_KERNEL_VMA + 0x10b000n,
      kernelDataEnd: () => HOSTED_KERNEL_VMA + 0x10c000n,
      kernelBssStart: () => HOSTED_KERNEL_VMA + 0x10c000n,
      kernelBssEnd: () => HOSTED_KERNEL_VMA + 0x144000n,
      readTsc: () => (this.tsc += 1000n),
      cpuidEdx: () => 0,
      // Objects live in JavaScript's heap: the hook is accepted and never used, as in C.
      setObjectAllocator: () => undefined,
      // No interrupts arrive, so no watchdog: a guarded call simply runs (as in keel_hosted.c);
      // RFLAGS.IF and the CPU index are plain state of the one CPU.
      enableInterrupts: () => {
        this.interrupts = true;
      },
      disableInterrupts: () => {
        const was = this.interrupts;
        this.interrupts = false;
        return was;
      },
      restoreInterrupts: (enabled: boolean) => {
        if (enabled) this.interrupts = true;
      },
      installCpuLocal: (index: number) => {
        this.cpuIndex = index;
      },
      cpuIndex: () => this.cpuIndex,
      cpuLockState: () => this.lockStates.get(this.cpuIndex) ?? 0,
      setCpuLockState: (state: number) => {
        this.lockStates.set(this.cpuIndex, state);
      },
      spinHint: () => undefined,
      ...atomicIntrinsics(),
      runGuarded: (body: () => void) => {
        body();
        return false;
      },
      abandonGuarded: () => this.stop(HALT_STATUS),
    };
  }

  /** A counter that only moves forward, as keel_hosted.c's. */
  private tsc = 0n;
  private interrupts = false;
  private cpuIndex = 0;
  /** Each CPU-local area's lock state (keel_arch.c's %gs:12), by CPU index. */
  private readonly lockStates = new Map<number, number>();
}

/** An AtomicU64/AtomicU32 of emitted JavaScript or of the oracle: an object with the field `value`. */
interface Cell {
  value: number | bigint;
}

/**
 * The atomic intrinsics on one CPU (kernel/lib/atomic.ts): the cell's field, the fetch
 * operations wrapping at the width (bigint: 64 bits; number: 32 bits), as gcc's builtins.
 */
export function atomicIntrinsics(): Record<string, (...args: never[]) => unknown> {
  const rmw = (op: (old: bigint, v: bigint) => bigint) => (cell: Cell, v: number | bigint): number | bigint => {
    const old = cell.value;
    const next = BigInt.asUintN(typeof old === "bigint" ? 64 : 32, op(BigInt(old), BigInt(v)));
    cell.value = typeof old === "bigint" ? next : Number(next);
    return old;
  };
  const load = (cell: Cell) => cell.value;
  const store = (cell: Cell, v: number | bigint) => {
    cell.value = v;
  };
  const swap = rmw((_old, v) => v);
  const compareExchange = (cell: Cell, expected: number | bigint, desired: number | bigint) => {
    const old = cell.value;
    if (old === expected) cell.value = desired;
    return old;
  };
  const fetchAdd = rmw((a, b) => a + b);
  const fetchSub = rmw((a, b) => a - b);
  const fetchAnd = rmw((a, b) => a & b);
  const fetchOr = rmw((a, b) => a | b);
  const ops: Record<string, (...args: never[]) => unknown> = {};
  for (const bits of ["64", "32"]) {
    Object.assign(ops, {
      [`atomicLoad${bits}`]: load,
      [`atomicStore${bits}`]: store,
      [`atomicSwap${bits}`]: swap,
      [`atomicCompareExchange${bits}`]: compareExchange,
      [`atomicFetchAdd${bits}`]: fetchAdd,
      [`atomicFetchSub${bits}`]: fetchSub,
      [`atomicFetchAnd${bits}`]: fetchAnd,
      [`atomicFetchOr${bits}`]: fetchOr,
    });
  }
  return ops;
}

/** keel_hosted.c's stand-in for the kernel's link base. */
const HOSTED_KERNEL_VMA = 0xffff_ffff_8000_0000n;

/** Instantiates the ES module text of emitJs on an intrinsics object. */
export function instantiateJs(moduleText: string, intrinsics: object, name = "keel-program.js"): { keel_start(bootInfo: bigint): void } {
  // The module's only export is keel_load; evaluate it as a function body so that this
  // works the same under plain Node and under vitest's module runner.
  const body = moduleText.replace(/^export function keel_load\(/m, "function keel_load(") + `\nreturn keel_load;\n//# sourceURL=${name}`;
  if (body === moduleText) throw new Error("not a keelc JavaScript module");
  const load = new Function(body)() as (i: object) => { keel_start(bootInfo: bigint): void };
  return load(intrinsics);
}

/** Runs a lowered program through the JS backend on a fresh HostMachine. */
export function runJs(ir: Program, name?: string): RunResult {
  return runJsText(emitJs(ir), name);
}

/** What to say about an intrinsic the hosted machine does not provide (both backends). */
export function noStandIn(name: string): string {
  return `intrinsic ${name} (kernel/lib/intrinsics.ts) has no stand-in on the hosted machine, which has ports, memory and a console but no CPU state: run this program in QEMU (make run ENTRY=<file>)`;
}

/** Thrown by an intrinsic the hosted machine lacks: the run stops as a build would have (status 125). */
class NoStandIn extends Error {
  constructor(name: string) {
    super(noStandIn(name));
  }
}

/** The intrinsics, and for any other name a function that stops the program with noStandIn. */
function withoutStandIn(intrinsics: Record<string, (...args: never[]) => unknown>): Record<string, (...args: never[]) => unknown> {
  return new Proxy(intrinsics, {
    get: (target, key) => (typeof key !== "string" || key in target ? Reflect.get(target, key) : () => {
      throw new NoStandIn(key);
    }),
  });
}

/** Runs emitted JavaScript on a fresh HostMachine. */
export function runJsText(moduleText: string, name?: string): RunResult {
  const m = new HostMachine();
  const prog = instantiateJs(moduleText, withoutStandIn(m.intrinsics()), name);
  let status = 0;
  try {
    prog.keel_start(0n);
  } catch (e) {
    if (e instanceof NoStandIn) return { stdout: m.stdout(), stderr: `${m.stderr}keelc: ${e.message}\n`, status: BUILD_FAILED_STATUS };
    if (!(e instanceof HostStop)) throw e;
    status = e.status;
  }
  return { stdout: m.stdout(), stderr: m.stderr, status };
}

/** Result of building a hosted executable. */
export interface HostedBuild {
  ok: boolean;
  exe: string;
  /** gcc's messages (empty when ok). */
  log: string;
}

/** Writes the C files into `dir`; returns gcc's arguments to link them with the hosted
 *  runtime (its source, or an object built with HOSTED_CFLAGS) into `dir/program`. */
export function hostedGccArgs(files: CFiles, dir: string, runtimeObject?: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), text);
  const cFiles = [...files.keys()].filter((n) => n.endsWith(".c")).map((n) => path.join(dir, n));
  return [...HOSTED_CFLAGS, `-I${dir}`, `-I${path.join(REPO_ROOT, "boot", "runtime")}`, ...cFiles, runtimeObject ?? path.join(HOSTED_RUNTIME_DIR, "keel_hosted.c"), "-o", path.join(dir, "program")];
}

/** Writes the C files into `dir` and links them with the hosted runtime. */
export function buildHosted(files: CFiles, dir: string): HostedBuild {
  const r = spawnSync("gcc", hostedGccArgs(files, dir), { encoding: "utf8" });
  let log = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`;
  const missing = [...new Set([...log.matchAll(/undefined reference to `keel_(\w+)'/g)].map((m) => m[1]!))];
  if (missing.length > 0) log += missing.map((n) => `keelc: ${noStandIn(n)}\n`).join("");
  return { ok: r.status === 0 && log === "", exe: path.join(dir, "program"), log };
}

/** Environment of hosted runs: sanitizers report and stop, no leak noise from exit(). */
export const HOSTED_ENV = {
  ...process.env,
  ASAN_OPTIONS: "detect_leaks=1:abort_on_error=0:exitcode=99",
  UBSAN_OPTIONS: "print_stacktrace=1:halt_on_error=1",
};

/** Runs a hosted executable, capturing its output. */
export function runExecutable(exe: string, timeoutMs = 20_000): RunResult {
  const r = spawnSync(exe, [], { env: HOSTED_ENV, timeout: timeoutMs, maxBuffer: 64 << 20 });
  const status = r.status ?? (r.signal ? 128 + (os.constants.signals[r.signal] ?? 0) : BUILD_FAILED_STATUS);
  return { stdout: r.stdout ?? Buffer.alloc(0), stderr: (r.stderr ?? Buffer.alloc(0)).toString("utf8"), status };
}
