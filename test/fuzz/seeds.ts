// Writes the committed seed corpora of the fuzz targets (test/fuzz/corpus/): rerun by hand
// when the builder or the captures change:  npx tsx test/fuzz/seeds.ts
//   boot/   the boot information GRUB handed over in QEMU (test/boot/fixtures), and
//           hand-made maps: overlapping, unsorted, duplicated, zero-length, unknown types,
//           modules, ELF sections, and malformed headers of each kind
//   alloc/  operation strings of several lengths (early arrays: even, trees: odd)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { BootInfoBuilder, Bytes, parseCapture, type MapEntry } from "../boot/builder";

const root = new URL("./corpus/", import.meta.url);
const MiB = 0x10_0000n;
const KERNEL_VMA = 0xffff_ffff_8000_0000n;

/** Seeds of the boot target, by name. */
export function bootSeeds(): Map<string, number[]> {
  const seeds = new Map<string, number[]>();
  const fixtures = new URL("../boot/fixtures/", import.meta.url);
  for (const f of readdirSync(fixtures).filter((n) => n.endsWith(".txt")).sort()) {
    seeds.set(`capture_${f.replace(/\.txt$/, "")}`, parseCapture(readFileSync(new URL(f, fixtures), "utf8")).bytes);
  }
  const pc: MapEntry[] = [
    { base: 0n, length: 0x9fc00n, type: 1 },
    { base: 0x9fc00n, length: 0x400n, type: 2 },
    { base: 0xf0000n, length: 0x10000n, type: 2 },
    { base: MiB, length: 0x7ee0000n, type: 1 },
    { base: 0x7fe0000n, length: 0x20000n, type: 2 },
  ];
  const messy: MapEntry[] = [
    { base: 0x800000n, length: 0x400000n, type: 1 },
    { base: 0x200000n, length: 0x200000n, type: 1 },
    { base: 0x200000n, length: 0x200000n, type: 1 },
    { base: 0x300000n, length: 0x200000n, type: 3 },
    { base: 0x380000n, length: 0x1000n, type: 4 },
    { base: 0x900000n, length: 0n, type: 2 },
    { base: 0x700000n, length: 0x101000n, type: 7 },
    { base: 0xa00000n, length: 0x100000n, type: 5 },
  ];
  seeds.set("pc_map", new BootInfoBuilder().string(2, "GRUB").memoryMap(pc).build());
  seeds.set("messy_map", new BootInfoBuilder().memoryMap(messy).build());
  seeds.set("full", new BootInfoBuilder().string(1, "console=ttyS0").string(2, "GRUB 2.06").meminfo(639, 129920).loadBase(0x100000)
    .memoryMap(pc)
    .elfSections([
      { type: 0, flags: 0n, address: 0n, size: 0n },
      { flags: 6n, address: MiB, size: 0x2000n },
      { flags: 6n, address: KERNEL_VMA + 0x109000n, size: 0x7000n },
      { type: 8, flags: 3n, address: KERNEL_VMA + 0x113000n, size: 0x11000n },
      { flags: 0n, address: 0x200000n, size: 0x1234n },
    ], { shndx: 4 })
    .module(0x300000, 0x300800, "initrd")
    .module(0x400000, 0x400000, "empty")
    .build());
  const many: MapEntry[] = [];
  for (let i = 0n; i < 120n; i++) many.push({ base: 16n * MiB + ((i * 37n) % 120n) * MiB, length: (i % 3n) * MiB / 2n + 0x1000n, type: Number(i % 6n) });
  seeds.set("many_entries", new BootInfoBuilder().memoryMap(many, { entrySize: 32, version: 1 }).build());
  seeds.set("entry_size_28", new BootInfoBuilder().memoryMap(pc.slice(0, 1), { entrySize: 28 }).build());
  seeds.set("truncated_tag", new BootInfoBuilder().tag(6, new Bytes().u32(24).u32(0).u64(0n).u64(0x9fc00n).u32(1).u32(0).u64(MiB)).build());
  seeds.set("tag_past_end", new BootInfoBuilder().tag(1, new Bytes().str("abc"), 0x100).build());
  const noEnd = new BootInfoBuilder().memoryMap(pc);
  noEnd.endTagSize = null;
  seeds.set("no_end_tag", noEnd.build());
  seeds.set("elf_shndx_out_of_range", new BootInfoBuilder().memoryMap(pc).elfSections([{ flags: 2n, address: KERNEL_VMA, size: 0x1000n }], { shndx: 1 }).build());
  seeds.set("module_backwards", new BootInfoBuilder().memoryMap(pc).module(0x400000, 0x300000, "bad").build());
  seeds.set("map_near_2_52", new BootInfoBuilder().memoryMap([{ base: 0xf_ffff_fff0_0000n, length: 0x10_0000n, type: 1 }, { base: 0xffff_ffff_ffff_f000n, length: 0x1000n, type: 2 }]).build());
  return seeds;
}

/** Seeds of the allocator target, by name: deterministic pseudo-random strings. */
export function allocSeeds(): Map<string, number[]> {
  const seeds = new Map<string, number[]>();
  let x = 0x2545f491;
  for (const length of [16, 63, 256, 801, 2048]) {
    const bytes: number[] = [];
    for (let i = 0; i < length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes.push(x & 0xff);
    }
    seeds.set(`ops_${length}`, bytes);
  }
  return seeds;
}

function write(dir: string, seeds: Map<string, number[]>): void {
  const at = new URL(`${dir}/`, root);
  rmSync(at, { recursive: true, force: true });
  mkdirSync(at, { recursive: true });
  for (const [name, bytes] of seeds) writeFileSync(new URL(name, at), Uint8Array.from(bytes));
  console.log(`test/fuzz/corpus/${dir}: ${seeds.size} seeds`);
}

if (process.argv[1]?.endsWith("seeds.ts")) {
  write("boot", bootSeeds());
  write("alloc", allocSeeds());
}
