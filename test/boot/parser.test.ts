// The multiboot2 parser on hand-made boot information: normalisation of messy maps, the
// reserved regions, the smaller tags, and a clear panic for each kind of malformed input.
import { describe, expect, it } from "vitest";
import { bootInfoSize, TAG_MEMORY_MAP } from "../../kernel/boot/multiboot2";
import { parseBootInfo } from "../../kernel/boot/boot_info";
import { computeBootMemory, linkerKernelImage, RESERVED_ELF_COPY, RESERVED_KERNEL_IMAGE, RESERVED_MODULE } from "../../kernel/boot/regions";
import { printBootReport } from "../../kernel/boot/boot_report";
import { machine } from "../sim/machine";
import { expectPanic, useSimulatedConsole } from "../mm/support";
import { BootInfoBuilder, Bytes, type MapEntry } from "./builder";

useSimulatedConsole();

const AT = 0x10000n;
const MiB = 0x10_0000n;
const KERNEL_VMA = 0xffff_ffff_8000_0000n;

/** The QEMU pc 128 MiB map (captured in fixtures/bios_pc_128m.txt). */
const PC_128M: MapEntry[] = [
  { base: 0x0n, length: 0x9fc00n, type: 1 },
  { base: 0x9fc00n, length: 0x400n, type: 2 },
  { base: 0xf0000n, length: 0x10000n, type: 2 },
  { base: 0x100000n, length: 0x7ee0000n, type: 1 },
  { base: 0x7fe0000n, length: 0x20000n, type: 2 },
  { base: 0xfffc0000n, length: 0x40000n, type: 2 },
  { base: 0xfd00000000n, length: 0x300000000n, type: 2 },
];

/** The simulated kernel image (linker symbols of test/sim/intrinsics.ts), physical. */
const SIM_IMAGE: [bigint, bigint] = [0x100000n, 0x143fffn];

/** The boot memory picture of the information at `info`, as the kernel computes it. */
export function readBootMemory(info: bigint) {
  return computeBootMemory(parseBootInfo(info), linkerKernelImage());
}

/** Free frames as [first address, last address] pairs. */
export function freeRegions(info: bigint): [bigint, bigint][] {
  const mem = readBootMemory(info);
  const out: [bigint, bigint][] = [];
  for (let i = 0n; i < mem.freeRegionCount(); i++) {
    const fr = mem.freeRegion(i);
    out.push([fr.firstNumber() << 12n, ((fr.lastNumber() + 1n) << 12n) - 1n]);
  }
  return out;
}

describe("memory map", () => {
  it("reads entries stepping by entry_size, of any version", () => {
    const info = new BootInfoBuilder().memoryMap(PC_128M, { entrySize: 32, version: 1 }).store(AT);
    const map = parseBootInfo(info).memoryMap();
    expect(map.count).toBe(7n);
    expect(map.entrySize).toBe(32n);
    expect(map.version).toBe(1);
    const e = map.entry(3n);
    expect([e.base, e.length, e.type]).toEqual([0x100000n, 0x7ee0000n, 1]);
    expect([...map].map((x) => x.base)).toEqual(PC_128M.map((x) => x.base));
  });

  it("gives the free RAM of a real map minus the first MiB, the kernel image and the boot information", () => {
    const info = new BootInfoBuilder().memoryMap(PC_128M).store(0x56a3c0n - 0x3c0n);
    const size = bootInfoSize(info);
    expect(freeRegions(info)).toEqual([[SIM_IMAGE[1] + 1n, info - 1n], [info + ((size + 0xfffn) & ~0xfffn), 0x7fdffffn]]);
  });

  it("normalises unsorted, duplicated and overlapping available entries: no frame twice", () => {
    const entries: MapEntry[] = [
      { base: 0x800000n, length: 0x400000n, type: 1 }, // 8..12 MiB
      { base: 0x200000n, length: 0x200000n, type: 1 }, // 2..4 MiB
      { base: 0x200000n, length: 0x200000n, type: 1 }, // duplicate
      { base: 0x300000n, length: 0x200000n, type: 1 }, // 3..5 MiB, overlaps
      { base: 0x500000n, length: 0x1000n, type: 1 }, // touches 5 MiB
      { base: 0x900000n, length: 0n, type: 2 }, // zero length: ignored
      { base: 0x700000n, length: 0x1000n, type: 7 }, // unknown type: reserved
    ];
    const info = new BootInfoBuilder().memoryMap(entries).store(AT);
    expect(freeRegions(info)).toEqual([
      [0x200000n, 0x500fffn],
      [0x800000n, 0xbfffffn],
    ]);
    const mem = readBootMemory(info);
    expect(mem.freeFrameCount()).toBe((0x301000n + 0x400000n) / 0x1000n);
    expect(mem.availableBytes()).toBe(0x301000n + 0x400000n);
  });

  it("keeps only whole frames of entries that start or end inside a frame", () => {
    const info = new BootInfoBuilder().memoryMap([
      { base: 0x200800n, length: 0x2000n, type: 1 }, // 0x200800..0x2027ff: frame 0x201000 only
      { base: 0x300000n, length: 0x800n, type: 1 }, // half a frame: nothing
      { base: 0x400000n, length: 0x1800n, type: 1 }, // adjacent halves make one frame
      { base: 0x401800n, length: 0x800n, type: 1 },
    ]).store(AT);
    expect(freeRegions(info)).toEqual([[0x201000n, 0x201fffn], [0x400000n, 0x401fffn]]);
  });

  it("reserves the kernel image, modules and GRUB's section copies", () => {
    const info = new BootInfoBuilder()
      .memoryMap([{ base: 0n, length: 0x9fc00n, type: 1 }, { base: MiB, length: 0x1f00000n, type: 1 }])
      .elfSections([
        { type: 0, flags: 0n, address: 0n, size: 0n },
        { flags: 6n, address: 0x100000n, size: 0x2ceen }, // .boot (identity, physical)
        { flags: 6n, address: KERNEL_VMA + 0x109000n, size: 0x7000n }, // .text
        { type: 8, flags: 3n, address: KERNEL_VMA + 0x113000n, size: 0x11000n }, // .bss
        { flags: 0n, address: 0x200000n, size: 0x1234n }, // .debug_info copied by GRUB
        { flags: 0n, address: 0n, size: 0x100n }, // not copied
      ])
      .module(0x300000, 0x300800, "initrd")
      .module(0x400000, 0x400000, "empty")
      .store(AT);
    const mem = readBootMemory(info);
    expect([mem.image.first, mem.image.last]).toEqual([0x100000n, 0x143fffn]); // the linker's extent covers the sections
    expect(mem.info.sections.kernelImage()).toEqual(expect.objectContaining({ first: 0x100000n, last: 0x123fffn }));
    expect(mem.reservedCount()).toBe(5n);
    expect(mem.reserved(3n).kind).toBe(RESERVED_MODULE);
    expect(mem.reserved(4n).kind).toBe(RESERVED_ELF_COPY);
    expect(mem.reserved(4n).index).toBe(4n);
    expect(freeRegions(info)).toEqual([[0x144000n, 0x1fffffn], [0x202000n, 0x2fffffn], [0x301000n, 0x1ffffffn]]);
    printBootReport(mem);
    expect(machine.serial).toContain("  [p0x0000000000300000..p0x00000000003007ff] module 0 \"initrd\"\n");
    expect(machine.serial).toContain("  [p0x0000000000200000..p0x0000000000201233] ELF section copy 4\n");
    expect(machine.serial).toContain("  [p0x0000000000100000..p0x0000000000143fff] kernel image\n");
    expect(machine.serial).toContain("ELF sections: 6 (3 allocated, 1 copied by GRUB)\n");
    expect(machine.serial).toContain("free regions: 3\n");
  });
});

describe("the kernel image is reserved from the linker symbols", () => {
  const ram: MapEntry[] = [{ base: 0n, length: 0x9fc00n, type: 1 }, { base: MiB, length: 0x1f00000n, type: 1 }];

  it("without an ELF-sections tag", () => {
    const info = new BootInfoBuilder().memoryMap(ram).store(AT);
    const mem = readBootMemory(info);
    expect(mem.info.hasElfSections()).toBe(false);
    expect(mem.reserved(1n).kind).toBe(RESERVED_KERNEL_IMAGE);
    expect([mem.image.first, mem.image.last]).toEqual(SIM_IMAGE);
    expect(freeRegions(info)).toEqual([[SIM_IMAGE[1] + 1n, 0x1ffffffn]]);
  });

  it("with an empty ELF-sections tag", () => {
    const info = new BootInfoBuilder().memoryMap(ram).elfSections([]).store(AT);
    const mem = readBootMemory(info);
    expect(mem.info.hasElfSections()).toBe(true);
    expect(mem.info.sections.count).toBe(0n);
    expect([mem.image.first, mem.image.last]).toEqual(SIM_IMAGE);
    expect(freeRegions(info)).toEqual([[SIM_IMAGE[1] + 1n, 0x1ffffffn]]);
  });

  it("with a tag whose sections do not cover the image: the linker's extent still counts", () => {
    const info = new BootInfoBuilder().memoryMap(ram).elfSections([{ flags: 6n, address: KERNEL_VMA + 0x200000n, size: 0x1000n }]).store(AT);
    const mem = readBootMemory(info);
    expect([mem.image.first, mem.image.last]).toEqual([MiB, 0x200fffn]); // widened by the section, never narrowed
    expect(freeRegions(info)).toEqual([[0x201000n, 0x1ffffffn]]);
  });
});

describe("other tags", () => {
  it("reads modules, basic meminfo, load base, strings", () => {
    const info = parseBootInfo(new BootInfoBuilder().string(1, "quiet").string(2, "GRUB 2.06").meminfo(639, 129920).module(0x300000, 0x301000, "m0").module(0x400000, 0x402000, "m1").loadBase(0x100000).memoryMap(PC_128M).store(AT));
    expect(info.modules).toBe(2n);
    const m = info.module(1n);
    expect([m.start, m.end]).toEqual([0x400000n, 0x402000n]);
    expect(info.basicMeminfo()).toEqual(expect.objectContaining({ lowerKiB: 639n, upperKiB: 129920n }));
    expect(info.loadBase()).toBe(0x100000n);
    expect(info.acpiRsdp()).toBeNull();
    expect(info.commandLineTag()).toBe(AT + 8n);
  });

  it("reads an ACPI 2.0 RSDP copy and checks its checksums", () => {
    const rsdp = new Bytes().u64(0x2052_5450_2044_5352n).u8(0).pad(6).u8(2).u32(0x7fe1ad8).u32(36).u64(0x7fe1b00n).u8(0).pad(3);
    const fix = (from: number, to: number, at: number) => {
      const sum = rsdp.data.slice(from, to).reduce((a, b) => a + b, 0);
      rsdp.data[at] = (256 - (sum % 256)) % 256;
    };
    fix(0, 20, 8);
    fix(0, 36, 32);
    const info = new BootInfoBuilder().tag(15, rsdp).store(AT);
    expect(parseBootInfo(info).acpiRsdp()).toEqual(expect.objectContaining({ revision: 2, rsdt: 0x7fe1ad8n, xsdt: 0x7fe1b00n }));
    machine.store(info + 16n + 9n, 1, 0x41n); // corrupt the OEM id
    expectPanic(() => parseBootInfo(info), "ACPI RSDP tag at 0x10008: bad checksum over the first 20 bytes");
  });
});

describe("malformed information panics naming the defect", () => {
  const map = () => new BootInfoBuilder().memoryMap(PC_128M);

  it("misaligned information", () => {
    expectPanic(() => bootInfoSize(AT + 4n), "multiboot2 information at 0x10004 is not 8-byte aligned");
  });

  it("total size not a multiple of 8 (misaligned tags)", () => {
    const b = map();
    b.totalSize = 0xb4;
    const info = b.store(AT);
    expectPanic(() => parseBootInfo(info), "multiboot2 information at 0x10000 has total size 180, not a multiple of 8: its tags cannot all be 8-byte aligned");
  });

  it("absurd total size", () => {
    const b = map();
    b.totalSize = 0x4000_0000;
    expectPanic(() => parseBootInfo(b.store(AT)), "multiboot2 information at 0x10000 has a bad total size 1073741824");
  });

  it("truncated tag (size below its header)", () => {
    const info = new BootInfoBuilder().tag(2, [], 4).store(AT);
    expectPanic(() => parseBootInfo(info), "multiboot2 tag 2 at 0x10008 has size 4, less than its header");
  });

  it("tag size past the end", () => {
    const info = new BootInfoBuilder().tag(1, new Bytes().str("abc"), 0x100).store(AT);
    expectPanic(() => parseBootInfo(info), "multiboot2 tag 1 at 0x10008 (size 256) runs past the end 0x10020");
  });

  it("no end tag", () => {
    const b = map();
    b.endTagSize = null;
    b.totalSize = 8 + 16 + 7 * 24;
    expectPanic(() => parseBootInfo(b.store(AT)), "multiboot2 information at 0x10000 has no end tag");
  });

  it("end tag of the wrong size", () => {
    const b = map();
    b.endTagSize = 16;
    b.totalSize = 8 + 16 + 7 * 24 + 16;
    expectPanic(() => parseBootInfo(b.store(AT)), "multiboot2 end tag at 0x100c0 has size 16, not 8");
  });

  it("memory map tag shorter than its header", () => {
    const info = new BootInfoBuilder().tag(TAG_MEMORY_MAP, [24, 0, 0, 0]).store(AT);
    expectPanic(() => parseBootInfo(info), "memory map tag at 0x10008 has size 12, less than its 16-byte header");
  });

  it("entry size 0", () => {
    const info = new BootInfoBuilder().memoryMap(PC_128M, { entrySizeField: 0 }).store(AT);
    expectPanic(() => parseBootInfo(info), "memory map tag at 0x10008 has entry size 0");
  });

  it("entry size smaller than 24", () => {
    const info = new BootInfoBuilder().memoryMap(PC_128M.slice(0, 2), { entrySizeField: 16 }).store(AT);
    expectPanic(() => parseBootInfo(info), "memory map tag at 0x10008 has entry size 16, smaller than an entry (24 bytes)");
  });

  it("huge entry size", () => {
    const info = new BootInfoBuilder().memoryMap(PC_128M, { entrySizeField: 0x10000 }).store(AT);
    expectPanic(() => parseBootInfo(info), "memory map tag at 0x10008 has a huge entry size 65536 (more than 1024)");
  });

  it("entry size not a multiple of 8", () => {
    const info = new BootInfoBuilder().memoryMap(PC_128M.slice(0, 1), { entrySize: 28 }).store(AT);
    expectPanic(() => parseBootInfo(info), "memory map tag at 0x10008 has entry size 28, not a multiple of 8");
  });

  it("truncated last entry", () => {
    const payload = new Bytes().u32(24).u32(0).u64(0n).u64(0x9fc00n).u32(1).u32(0).u64(0x100000n); // one entry and 8 bytes of the next
    const info = new BootInfoBuilder().tag(TAG_MEMORY_MAP, payload).store(AT);
    expectPanic(() => parseBootInfo(info), "memory map tag at 0x10008: its 32 bytes of entries are not a whole number of 24-byte entries (truncated entry)");
  });

  it("no memory map", () => {
    const info = new BootInfoBuilder().string(2, "GRUB").store(AT);
    expectPanic(() => readBootMemory(info), "multiboot2 information at 0x10000 has no memory map tag");
  });

  it("entry wrapping past 2^64", () => {
    const info = new BootInfoBuilder().memoryMap([{ base: 0xffff_ffff_ffff_f000n, length: 0x2000n, type: 2 }]).store(AT);
    expectPanic(() => parseBootInfo(info), "memory map entry 0 (base 0xfffffffffffff000, length 0x2000) wraps past 2^64");
  });

  it("entry above the 52-bit physical address space", () => {
    const info = new BootInfoBuilder().memoryMap([{ base: 0x10_0000_0000_0000n, length: 0x1000n, type: 1 }]).store(AT);
    expectPanic(() => parseBootInfo(info), "memory map entry 0 (base 0x10000000000000, length 0x1000) ends above the 52-bit physical address space");
  });

  it("ELF section headers smaller than ELF64's", () => {
    const info = map().elfSections([{ flags: 2n, address: KERNEL_VMA, size: 0x1000n }], { entsize: 40 }).store(AT);
    expectPanic(() => parseBootInfo(info), "has section header size 40, smaller than an ELF64 section header (64 bytes)");
  });

  it("ELF section header size 0", () => {
    const info = map().elfSections([], { entsize: 0, num: 3 }).store(AT);
    expectPanic(() => parseBootInfo(info), "has section header size 0");
  });

  it("ELF section headers past the tag", () => {
    const info = map().elfSections([{ flags: 2n, address: KERNEL_VMA, size: 0x1000n }], { num: 5 }).store(AT);
    expectPanic(() => parseBootInfo(info), "ELF sections tag at 0x100c0: 5 headers of 64 bytes run past its size 84");
  });

  it("ELF string table index out of range", () => {
    const info = map().elfSections([{ flags: 2n, address: KERNEL_VMA, size: 0x1000n }], { shndx: 1 }).store(AT);
    expectPanic(() => parseBootInfo(info), "ELF sections tag at 0x100c0: string table index 1 is not below the section count 1");
  });

  it("module ending before it starts", () => {
    const info = map().module(0x400000, 0x300000, "bad").store(AT);
    expectPanic(() => parseBootInfo(info), "module tag at 0x100c0: end 0x300000 is below start 0x400000");
  });

  it("basic meminfo tag too short", () => {
    const info = new BootInfoBuilder().tag(4, [1, 2, 3, 4]).store(AT);
    expectPanic(() => parseBootInfo(info), "multiboot2 basic meminfo tag at 0x10008 has size 12, less than the 16 bytes it needs");
  });
});
