// The kernel's line and function tables, built from its own ELF at build time (as Linux's
// kallsyms): read .debug_line (DWARF 2-4 line programs) and .symtab of the first link,
// and write a C file defining the tables of boot/runtime/keel_symbols.h. The kernel looks
// fault addresses up in them (boot/runtime/keel_symbols.c) to print `kernel/x.ts:LINE`.
// The same parsed rows symbolize addresses on the host (symbolize()).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface Section {
  name: string;
  type: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
}

export interface LineRow {
  address: bigint;
  file: string;
  line: number;
  /** Last row of a sequence: the address just past its code. */
  end: boolean;
}

export interface FunctionSymbol {
  address: bigint;
  size: bigint;
  name: string;
}

export interface Elf {
  bytes: Buffer;
  sections: Section[];
  section(name: string): Section | undefined;
  /** Value of a symbol from .symtab (the first with this name), or undefined. */
  symbol(name: string): bigint | undefined;
  functions: FunctionSymbol[];
}

const SHT_SYMTAB = 2;
const STT_FUNC = 2;

/** Parses the section headers and symbol table of an ELF64 little-endian file. */
export function readElf(file: string): Elf {
  const bytes = readFileSync(file);
  if (bytes.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file}: not an ELF file`);
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new Error(`${file}: not ELF64 little-endian`);
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  const shentsize = bytes.readUInt16LE(0x3a);
  const shnum = bytes.readUInt16LE(0x3c);
  const shstrndx = bytes.readUInt16LE(0x3e);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    raw.push({
      nameOffset: bytes.readUInt32LE(at),
      type: bytes.readUInt32LE(at + 4),
      addr: bytes.readBigUInt64LE(at + 0x10),
      offset: Number(bytes.readBigUInt64LE(at + 0x18)),
      size: Number(bytes.readBigUInt64LE(at + 0x20)),
      link: bytes.readUInt32LE(at + 0x28),
    });
  }
  const shstr = raw[shstrndx]!;
  const sections: Section[] = raw.map((s) => ({
    name: cstring(bytes, shstr.offset + s.nameOffset),
    type: s.type,
    addr: s.addr,
    offset: s.offset,
    size: s.size,
    link: s.link,
  }));
  const symbols = new Map<string, bigint>();
  const functions: FunctionSymbol[] = [];
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab) {
    const strtab = sections[symtab.link]!;
    for (let at = symtab.offset; at + 24 <= symtab.offset + symtab.size; at += 24) {
      const name = cstring(bytes, strtab.offset + bytes.readUInt32LE(at));
      const info = bytes[at + 4]!;
      const shndx = bytes.readUInt16LE(at + 6);
      const value = bytes.readBigUInt64LE(at + 8);
      const size = bytes.readBigUInt64LE(at + 16);
      if (name && !symbols.has(name)) symbols.set(name, value);
      if ((info & 0xf) === STT_FUNC && shndx !== 0 && name) functions.push({ address: value, size, name });
    }
  }
  return {
    bytes,
    sections,
    section: (name) => sections.find((s) => s.name === name),
    symbol: (name) => symbols.get(name),
    functions,
  };
}

function cstring(bytes: Buffer, at: number): string {
  const end = bytes.indexOf(0, at);
  return bytes.toString('utf8', at, end < 0 ? bytes.length : end);
}

/** A cursor over a byte buffer with DWARF's encodings. */
class Reader {
  constructor(readonly bytes: Buffer, public at: number) {}
  u8(): number { return this.bytes[this.at++]!; }
  i8(): number { const v = this.bytes.readInt8(this.at); this.at += 1; return v; }
  u16(): number { const v = this.bytes.readUInt16LE(this.at); this.at += 2; return v; }
  u32(): number { const v = this.bytes.readUInt32LE(this.at); this.at += 4; return v; }
  u64(): bigint { const v = this.bytes.readBigUInt64LE(this.at); this.at += 8; return v; }
  uleb(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return result;
    }
  }
  sleb(): bigint {
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    return result;
  }
  str(): string {
    const s = cstring(this.bytes, this.at);
    this.at += Buffer.byteLength(s) + 1;
    return s;
  }
}

const U64_MASK = (1n << 64n) - 1n;

/**
 * Every row of every line program in .debug_line. File names are `dir/name` from the
 * program's tables, made relative to `root` when under it (so the emitted #line paths such
 * as kernel/x.ts come back exactly as written).
 */
export function lineRows(elf: Elf, root = process.cwd()): LineRow[] {
  const section = elf.section('.debug_line');
  if (!section) throw new Error('no .debug_line section: was the kernel compiled with -g?');
  const rows: LineRow[] = [];
  const bytes = elf.bytes;
  let unit = section.offset;
  const sectionEnd = section.offset + section.size;
  while (unit < sectionEnd) {
    const r = new Reader(bytes, unit);
    let length = r.u32();
    let offsetSize = 4;
    if (length === 0xffffffff) {
      length = Number(r.u64());
      offsetSize = 8;
    }
    const unitEnd = r.at + length;
    const version = r.u16();
    if (version < 2 || version > 4) {
      throw new Error(`.debug_line unit at ${unit - section.offset}: DWARF version ${version} not supported (build with -gdwarf-4)`);
    }
    const headerLength = offsetSize === 8 ? Number(r.u64()) : r.u32();
    const programStart = r.at + headerLength;
    const minInstLength = r.u8();
    if (version >= 4) r.u8(); // maximum_operations_per_instruction (1 on x86)
    const defaultIsStmt = r.u8() !== 0;
    void defaultIsStmt;
    const lineBase = r.i8();
    const lineRange = r.u8();
    const opcodeBase = r.u8();
    const opcodeLengths = [0];
    for (let i = 1; i < opcodeBase; i++) opcodeLengths.push(r.u8());
    const dirs = [''];
    for (let d = r.str(); d !== ''; d = r.str()) dirs.push(d);
    const files = [''];
    const addFile = (rr: Reader, name: string) => {
      const dir = dirs[Number(rr.uleb())] ?? '';
      rr.uleb(); // modification time
      rr.uleb(); // length
      files.push(displayPath(dir, name, root));
    };
    for (let f = r.str(); f !== ''; f = r.str()) addFile(r, f);

    r.at = programStart;
    let address = 0n;
    let file = 1;
    let line = 1;
    const reset = () => {
      address = 0n;
      file = 1;
      line = 1;
    };
    const emit = (end: boolean) => rows.push({ address, file: files[file] ?? '', line, end });
    while (r.at < unitEnd) {
      const op = r.u8();
      if (op >= opcodeBase) {
        const adjusted = op - opcodeBase;
        address = (address + BigInt(Math.floor(adjusted / lineRange) * minInstLength)) & U64_MASK;
        line += lineBase + (adjusted % lineRange);
        emit(false);
        continue;
      }
      switch (op) {
        case 0: {
          const len = Number(r.uleb());
          const next = r.at + len;
          const ext = r.u8();
          if (ext === 1) {
            emit(true);
            reset();
          } else if (ext === 2) {
            address = r.u64();
          } else if (ext === 3) {
            addFile(r, r.str());
          }
          r.at = next; // set_discriminator and unknown extended opcodes
          break;
        }
        case 1: emit(false); break; // copy
        case 2: address = (address + r.uleb() * BigInt(minInstLength)) & U64_MASK; break;
        case 3: line += Number(r.sleb()); break;
        case 4: file = Number(r.uleb()); break;
        case 5: r.uleb(); break; // column
        case 6: case 7: case 10: case 11: break; // is_stmt, basic_block, prologue/epilogue
        case 8: address += BigInt(Math.floor((255 - opcodeBase) / lineRange) * minInstLength); break;
        case 9: address += BigInt(r.u16()); break;
        default:
          for (let i = 0; i < opcodeLengths[op]!; i++) r.uleb();
      }
    }
    unit = unitEnd;
  }
  return rows;
}

function displayPath(dir: string, name: string, root: string): string {
  const joined = path.isAbsolute(name) || dir === '' ? name : path.posix.join(dir, name);
  if (path.isAbsolute(joined) && joined.startsWith(root + '/')) return joined.slice(root.length + 1);
  return joined;
}

export interface Tables {
  base: bigint;
  /** [offset, file index, line]; line 0 ends the code before the next row. */
  lines: Array<[number, number, number]>;
  files: string[];
  functions: Array<[number, number, string]>;
}

const LINE_BITS = 20;

/** The tables for addresses in [__text_start, __text_end) of a linked kernel. */
export function buildTables(elf: Elf, root = process.cwd()): Tables {
  const base = elf.symbol('__text_start');
  const end = elf.symbol('__text_end');
  if (base === undefined || end === undefined) throw new Error('__text_start/__text_end not in the symbol table');
  const inText = (a: bigint) => a >= base && a < end;
  // Rows at one address: the last one describes the instruction there, and the end of a
  // sequence comes before a sequence starting at the same address.
  // A row at the address where its own sequence ends describes no bytes (gcc -O3 leaves
  // such rows before an end of sequence): dropped, or it would outlive the end.
  const all = lineRows(elf, root);
  const sequenceEnds: bigint[] = [];
  for (const row of all) if (row.end) sequenceEnds.push(row.address);
  let sequence = 0;
  const rows = all
    .map((row, index) => ({ ...row, index, sequence: row.end ? sequence++ : sequence }))
    .filter((row) => row.end || row.address !== sequenceEnds[row.sequence])
    .filter((row) => inText(row.address) || (row.end && row.address === end))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.end !== b.end ? (a.end ? -1 : 1) : a.index - b.index));
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const lines: Array<[number, number, number]> = [];
  for (const row of rows) {
    const offset = Number(row.address - base);
    let f = 0;
    let line = 0;
    if (!row.end) {
      if (row.line >= 1 << LINE_BITS) throw new Error(`line ${row.line} of ${row.file} does not fit the table`);
      if (!fileIndex.has(row.file)) {
        fileIndex.set(row.file, files.length);
        files.push(row.file);
      }
      f = fileIndex.get(row.file)!;
      line = row.line;
    }
    const last = lines[lines.length - 1];
    if (last && last[0] === offset) lines.pop(); // a later row at the same address wins
    const prev = lines[lines.length - 1];
    if (prev && prev[1] === f && prev[2] === line) continue; // same source as the row before
    lines.push([offset, f, line]);
  }
  if (files.length >= 1 << (32 - LINE_BITS)) throw new Error(`${files.length} source files do not fit the table`);
  // Functions: sorted, one per address, sizes kept within the next function.
  const fns = elf.functions.filter((f) => inText(f.address)).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const functions: Array<[number, number, string]> = [];
  for (let i = 0; i < fns.length; i++) {
    const f = fns[i]!;
    if (functions.length && functions[functions.length - 1]![0] === Number(f.address - base)) continue;
    let j = i + 1;
    while (j < fns.length && fns[j]!.address <= f.address) j++;
    const next = j < fns.length ? fns[j]!.address : end;
    let size = f.size > 0n ? f.size : next - f.address;
    if (f.address + size > next) size = next - f.address;
    functions.push([Number(f.address - base), Number(size), f.name]);
  }
  return { base, lines, files, functions };
}

/** Empty tables: the first link's placeholder. */
export function emptyTables(): Tables {
  return { base: 0n, lines: [], files: [], functions: [] };
}

/** Line rows per block of the compact line table (keel_symbols.h). */
const LINE_BLOCK_ROWS = 32;

/** `n` as an unsigned LEB128 varint. */
function varint(n: number, out: number[]): void {
  do {
    const low = n & 0x7f;
    n = Math.floor(n / 128);
    out.push(n > 0 ? low | 0x80 : low);
  } while (n > 0);
}

/**
 * The line rows in blocks of LINE_BLOCK_ROWS (keel_symbols.h): each block's first row in full
 * in the block index, the others as deltas in a byte stream. 2.8 bytes a row instead of 8:
 * GRUB reads the image a word per port access, and the rows were a quarter of it.
 */
export function encodeLineRows(lines: Array<[number, number, number]>): { blocks: Array<[number, number, number]>; stream: number[] } {
  const blocks: Array<[number, number, number]> = [];
  const stream: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const [offset, file, line] = lines[i]!;
    if (i % LINE_BLOCK_ROWS === 0) {
      blocks.push([offset, (file << LINE_BITS) | line, stream.length]);
      continue;
    }
    const [prevOffset, prevFile, prevLine] = lines[i - 1]!;
    varint(offset - prevOffset, stream);
    const delta = line - prevLine;
    const zigzag = delta >= 0 ? delta * 2 : -delta * 2 - 1;
    varint(zigzag * 2 + (file !== prevFile ? 1 : 0), stream);
    if (file !== prevFile) varint(file, stream);
  }
  return { blocks, stream };
}

/** The rows back from encodeLineRows' output (what keel_symbols.c decodes; for tests). */
export function decodeLineRows(blocks: Array<[number, number, number]>, stream: number[], count: number): Array<[number, number, number]> {
  const rows: Array<[number, number, number]> = [];
  const mask = (1 << LINE_BITS) - 1;
  let at = 0;
  const next = (): number => {
    let n = 0;
    for (let scale = 1; ; scale *= 128) {
      const b = stream[at++]!;
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n;
    }
  };
  for (let i = 0; i < count; i++) {
    if (i % LINE_BLOCK_ROWS === 0) {
      const [offset, packed, start] = blocks[i / LINE_BLOCK_ROWS]!;
      at = start;
      rows.push([offset, packed >>> LINE_BITS, packed & mask]);
      continue;
    }
    const [prevOffset, prevFile, prevLine] = rows[i - 1]!;
    const offset = prevOffset + next();
    const word = next();
    const zigzag = Math.floor(word / 2);
    const line = prevLine + (zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2);
    const file = word % 2 === 1 ? next() : prevFile;
    rows.push([offset, file, line]);
  }
  return rows;
}

/** C source defining the tables of boot/runtime/keel_symbols.h. */
export function tablesToC(t: Tables): string {
  const q = (s: string) => JSON.stringify(s); // file and C symbol names: plain ASCII
  const { blocks, stream } = encodeLineRows(t.lines);
  const bytes: string[] = [];
  for (let i = 0; i < stream.length; i += 24) bytes.push('    ' + stream.slice(i, i + 24).map((b) => `${b},`).join(''));
  const out = [
    '/* Generated by qemu/line-table.mjs from the kernel ELF: do not edit. */',
    '#include "keel_symbols.h"',
    '',
    `const uint64_t keel_symbols_base = UINT64_C(0x${t.base.toString(16)});`,
    `const uint32_t keel_line_row_count = ${t.lines.length};`,
    `const uint32_t keel_line_file_count = ${t.files.length};`,
    `const uint32_t keel_function_row_count = ${t.functions.length};`,
    `const char *const keel_line_files[${Math.max(1, t.files.length)}] = {`,
    ...(t.files.length ? t.files.map((f) => `    ${q(f)},`) : ['    0,']),
    '};',
    `const struct keel_line_block keel_line_blocks[${Math.max(1, blocks.length)}] = {`,
    ...(blocks.length ? blocks.map(([o, p, at]) => `    {0x${o.toString(16)}, ${p}u, ${at}u},`) : ['    {0, 0, 0},']),
    '};',
    `const uint8_t keel_line_deltas[${Math.max(1, stream.length)}] = {`,
    ...(bytes.length ? bytes : ['    0,']),
    '};',
    `const struct keel_function_row keel_function_rows[${Math.max(1, t.functions.length)}] = {`,
    ...(t.functions.length ? t.functions.map(([o, s, n]) => `    {0x${o.toString(16)}, ${s}, ${q(n)}},`) : ['    {0, 0, 0},']),
    '};',
    '',
  ];
  return out.join('\n');
}

/** Host-side symbolizer over the same tables: `file:line` and function of an address. */
export function symbolize(t: Tables, addr: bigint): { file: string; line: number; fn: string } | null {
  if (addr < t.base) return null;
  const offset = Number(addr - t.base);
  let lo = 0;
  let hi = t.lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t.lines[mid]![0] <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0 || t.lines[found]![2] === 0) return null;
  const [, f, line] = t.lines[found]!;
  const fn = t.functions.find(([o, s]) => offset >= o && offset < o + s)?.[2] ?? '';
  return { file: t.files[f]!, line, fn };
}
