// The simulated machine behind kernel/lib/intrinsics.ts under Node: sparse memory, a
// 16550 serial port that captures output, and QEMU's isa-debug-exit as a thrown error.

/** Thrown when kernel code calls qemuExit (exit status (code << 1) | 1, as QEMU). */
export class QemuExit extends Error {
  constructor(readonly code: number, readonly serial: string) {
    super(`qemuExit(${code}) (status ${(code << 1) | 1})` + lastLineNote(serial));
    this.name = "QemuExit";
  }
  /** QEMU's process exit status for this exit. */
  get status(): number {
    return (this.code << 1) | 1;
  }
}

/** Thrown by haltForever: the machine stops for good. */
export class MachineHalted extends Error {
  constructor(readonly serial: string) {
    super("machine halted" + lastLineNote(serial));
    this.name = "MachineHalted";
  }
}

function lastLineNote(serial: string): string {
  const lines = serial.trimEnd().split("\n");
  const last = lines[lines.length - 1];
  return last ? `: ${last}` : "";
}

const PAGE = 4096n;
const COM1 = 0x3f8;
const LINE_STATUS = COM1 + 5;
const TRANSMIT_EMPTY = 0x20;

/** Thrown by an access the `accessCheck` of the machine refuses: the page fault a CPU would raise (cr2 = `address`). */
export class SimPageFault extends Error {
  constructor(readonly address: bigint, readonly write: boolean) {
    super(`page fault at 0x${address.toString(16)} (${write ? "write" : "read"}): not present`);
    this.name = "SimPageFault";
  }
}

/** One simulated machine: reset it between tests with `resetMachine()`. */
export class Machine {
  serial = "";
  readonly ports = new Map<number, number>();
  readonly pages = new Map<bigint, Uint8Array>();
  /**
   * Memory has no translation here (addresses are what the kernel uses); a test that needs
   * the CPU's page faults sets this to refuse an access (throw SimPageFault), e.g.
   * page_walker.ts faultWhereUnmapped. Its own loads are not checked.
   */
  accessCheck: ((addr: bigint, size: number, write: boolean) => void) | null = null;
  private checking = false;

  private check(addr: bigint, size: number, write: boolean): void {
    if (this.accessCheck === null || this.checking) return;
    this.checking = true;
    try {
      this.accessCheck(addr, size, write);
    } finally {
      this.checking = false;
    }
  }

  /**
   * Opt-in: the direct map as one window onto physical memory, as the kernel's tables make
   * it after memory init: [start, start + size) reads and writes physical address - start.
   * Off by default, so tests that use such addresses as memory of their own keep it apart.
   */
  directMap: { start: bigint; size: bigint } | null = null;

  private page(addr: bigint): { bytes: Uint8Array; offset: number } {
    const d = this.directMap;
    if (d !== null && addr >= d.start && addr - d.start < d.size) addr -= d.start;
    const base = addr & ~(PAGE - 1n);
    let bytes = this.pages.get(base);
    if (!bytes) {
      bytes = new Uint8Array(Number(PAGE));
      this.pages.set(base, bytes);
    }
    return { bytes, offset: Number(addr - base) };
  }

  /** Reads `size` bytes little-endian at a 64-bit address (exact). */
  load(addr: bigint, size: number): bigint {
    this.check(addr, size, false);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) {
      const { bytes, offset } = this.page((addr + BigInt(i)) & 0xffff_ffff_ffff_ffffn);
      v = (v << 8n) | BigInt(bytes[offset]!);
    }
    return v;
  }

  /** Writes `size` bytes little-endian at a 64-bit address. */
  store(addr: bigint, size: number, value: bigint): void {
    this.check(addr, size, true);
    for (let i = 0; i < size; i++) {
      const { bytes, offset } = this.page((addr + BigInt(i)) & 0xffff_ffff_ffff_ffffn);
      bytes[offset] = Number((value >> BigInt(8 * i)) & 0xffn);
    }
  }

  /** Port output: COM1's data register appends to `serial`. */
  out(port: number, value: number): void {
    if (port === COM1 && (this.ports.get(COM1 + 3) ?? 0) & 0x80) {
      this.ports.set(port, value); // divisor latch low byte, not data
      return;
    }
    if (port === COM1) this.serial += String.fromCharCode(value & 0xff);
    else this.ports.set(port, value);
  }

  /** Port input: COM1's line status always says the transmitter is empty. */
  in(port: number): number {
    if (port === LINE_STATUS) return TRANSMIT_EMPTY;
    return this.ports.get(port) ?? 0;
  }
}

/** The machine the intrinsics act on. */
export let machine = new Machine();

/** Starts a fresh machine (call in beforeEach). */
export function resetMachine(): Machine {
  machine = new Machine();
  return machine;
}
