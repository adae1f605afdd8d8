// Hand-made multiboot2 boot information for the Node tests: tags are appended in order,
// each padded to 8 bytes, then an end tag; `store` writes the bytes into the simulated
// machine. Every size field can be overridden to build malformed information.
import { machine } from "../sim/machine";

/** A memory-map entry as the firmware writes it. */
export interface MapEntry {
  base: bigint;
  length: bigint;
  type: number;
}

/** Little-endian byte writer. */
export class Bytes {
  readonly data: number[] = [];
  u8(v: number): this {
    this.data.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number | bigint): this {
    const x = BigInt(v);
    for (let i = 0n; i < 4n; i++) this.u8(Number((x >> (8n * i)) & 0xffn));
    return this;
  }
  u64(v: bigint): this {
    return this.u32(v & 0xffff_ffffn).u32(v >> 32n);
  }
  str(s: string): this {
    for (const c of s) this.u8(c.charCodeAt(0));
    return this.u8(0);
  }
  pad(n: number): this {
    for (let i = 0; i < n; i++) this.u8(0);
    return this;
  }
}

/** One section header for the ELF sections tag. */
export interface Section {
  type?: number;
  flags: bigint;
  address: bigint;
  size: bigint;
}

/** Builds boot information tag by tag. */
export class BootInfoBuilder {
  private readonly tags: { type: number; payload: number[]; size?: number }[] = [];
  /** Overrides total_size (default: the real size). */
  totalSize: number | null = null;
  /** The end tag's size field (default 8); null omits the end tag. */
  endTagSize: number | null = 8;

  /** A tag with `payload` after its header; `size` overrides the size field. */
  tag(type: number, payload: Bytes | number[], size?: number): this {
    this.tags.push({ type, payload: Array.isArray(payload) ? payload : payload.data, size });
    return this;
  }

  /** Command line (1) or bootloader name (2). */
  string(type: 1 | 2, s: string): this {
    return this.tag(type, new Bytes().str(s));
  }

  /** A memory map (6); `entrySize` >= 24 pads each entry, `entrySizeField` lies about it. */
  memoryMap(entries: MapEntry[], opts: { entrySize?: number; entrySizeField?: number; version?: number; size?: number } = {}): this {
    const entrySize = opts.entrySize ?? 24;
    const b = new Bytes().u32(opts.entrySizeField ?? entrySize).u32(opts.version ?? 0);
    for (const e of entries) {
      b.u64(e.base).u64(e.length).u32(e.type).u32(0);
      b.pad(Math.max(0, entrySize - 24));
    }
    return this.tag(6, b, opts.size);
  }

  /** ELF sections (9) with 64-byte headers (or `entsize`). */
  elfSections(sections: Section[], opts: { entsize?: number; num?: number; shndx?: number; size?: number } = {}): this {
    const entsize = opts.entsize ?? 64;
    const b = new Bytes().u32(opts.num ?? sections.length).u32(entsize).u32(opts.shndx ?? 0);
    for (const s of sections) {
      b.u32(0).u32(s.type ?? 1).u64(s.flags).u64(s.address).u64(0n).u64(s.size).u32(0).u32(0).u64(0n).u64(0n);
      b.pad(Math.max(0, entsize - 64));
    }
    return this.tag(9, b, opts.size);
  }

  /** A module (3). */
  module(start: number, end: number, name: string): this {
    return this.tag(3, new Bytes().u32(start).u32(end).str(name));
  }

  /** Basic meminfo (4). */
  meminfo(lowerKiB: number, upperKiB: number): this {
    return this.tag(4, new Bytes().u32(lowerKiB).u32(upperKiB));
  }

  /** Load base address (21). */
  loadBase(addr: number): this {
    return this.tag(21, new Bytes().u32(addr));
  }

  /** The bytes. */
  build(): number[] {
    const out = new Bytes().u32(0).u32(0);
    for (const t of this.tags) {
      out.u32(t.type).u32(t.size ?? 8 + t.payload.length);
      out.data.push(...t.payload);
      while (out.data.length % 8 !== 0) out.u8(0);
    }
    if (this.endTagSize !== null) out.u32(0).u32(this.endTagSize);
    const total = this.totalSize ?? out.data.length;
    for (let i = 0; i < 4; i++) out.data[i] = (total >>> (8 * i)) & 0xff;
    return out.data;
  }

  /** Writes the information at `addr` in the simulated machine and returns `addr`. */
  store(addr: bigint): bigint {
    storeBytes(addr, this.build());
    return addr;
  }
}

/** Writes bytes into simulated memory. */
export function storeBytes(addr: bigint, bytes: number[]): void {
  bytes.forEach((b, i) => machine.store(addr + BigInt(i), 1, BigInt(b)));
}

/** A captured boot (test/boot/fixtures/NAME.txt): raw information and the report printed. */
export interface Capture {
  address: bigint;
  bytes: number[];
  report: string;
}

/** Parses a capture file written by test/boot/capture.sh. */
export function parseCapture(text: string): Capture {
  const lines = text.split("\n");
  const head = lines.findIndex((l) => l.startsWith("boot information dump: "));
  const [, addr, size] = /^boot information dump: (0x[0-9a-f]+) (\d+)$/.exec(lines[head]!)!;
  const endDump = lines.indexOf("end of dump");
  const bytes: number[] = [];
  for (const l of lines.slice(head + 1, endDump))
    for (const w of l.trim().split(/\s+/).filter(Boolean)) new Bytes().u32(Number(w)).data.forEach((b) => bytes.push(b));
  if (bytes.length !== Number(size)) throw new Error(`capture holds ${bytes.length} bytes, header says ${size}`);
  const endReport = lines.indexOf("end of report");
  return { address: BigInt(addr!), bytes, report: lines.slice(endDump + 1, endReport).join("\n") + "\n" };
}
