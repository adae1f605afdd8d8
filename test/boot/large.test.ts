// Boot information as large as real machines hand over: 1,000 memory-map entries (unsorted,
// half of them overlapping the other half), 64 modules and 64 ELF sections copied by GRUB.
// It is accepted, memory init runs on it (the early region arrays and the node pool sized
// from the map; the node pool after the upgrade grows on demand), and the boot work grows as n log n: key comparisons of the sort and loads
// from the boot information are counted (no time measured) for n = 125 .. 1,000.
import { describe, expect, it, vi } from "vitest";
import { parseBootInfo } from "../../kernel/boot/boot_info";
import { initMemory } from "../../kernel/boot/memory_init";
import { printBootReport } from "../../kernel/boot/boot_report";
import { computeBootMemory, linkerKernelImage, RESERVED_ELF_COPY, RESERVED_MODULE } from "../../kernel/boot/regions";
import { sortComparisons } from "../../kernel/lib/sort";
import { frameAllocator } from "../../kernel/mm/alloc";
import { setConsoleSink } from "../../kernel/lib/console";
import { machine, resetMachine } from "../sim/machine";
import { BootInfoBuilder, type MapEntry, type Section } from "./builder";

resetMachine();
setConsoleSink((b) => machine.out(0x3f8, b));

const MiB = 0x10_0000n;
const KERNEL_VMA = 0xffff_ffff_8000_0000n;
const BASE = 64n * MiB;
const AT = 0x80_0000n;

/** `pairs` available entries of 1.5 MiB every 2 MiB from 64 MiB, each overlapped by a 1 MiB reserved entry, in a scrambled order. */
function bigMap(pairs: number): MapEntry[] {
  const out: MapEntry[] = [{ base: 0n, length: 0x9fc00n, type: 1 }, { base: MiB, length: 62n * MiB, type: 1 }];
  const body: MapEntry[] = [];
  for (let i = 0n; i < BigInt(pairs); i++) {
    body.push({ base: BASE + i * 2n * MiB, length: 3n * MiB / 2n, type: 1 });
    body.push({ base: BASE + i * 2n * MiB + MiB, length: MiB, type: i % 7n === 0n ? 4 : 2 });
  }
  for (let i = 0; i < body.length; i++) out.push(body[(i * 389) % body.length]!); // 389 is prime to every size used
  return out;
}

/** Boot information with `pairs` map pairs, `modules` modules and `copies` copied ELF sections. */
function bigInfo(pairs: number, modules: number, copies: number): BootInfoBuilder {
  const b = new BootInfoBuilder().string(2, "GRUB").memoryMap(bigMap(pairs));
  const sections: Section[] = [{ type: 0, flags: 0n, address: 0n, size: 0n }, { flags: 6n, address: KERNEL_VMA + MiB, size: 0x40000n }];
  for (let i = 0; i < copies; i++) sections.push({ flags: 0n, address: 0x200_0000n + BigInt(i) * 0x3000n, size: 0x2100n });
  b.elfSections(sections);
  for (let i = 0; i < modules; i++) b.module(0x300_0000 + i * 0x5000, 0x300_0000 + i * 0x5000 + 0x4321, `module${i}`);
  return b;
}

/** Comparisons and boot-information loads of parsing and sweeping `b`. */
function cost(b: BootInfoBuilder) {
  const info = b.store(AT);
  const loads = vi.spyOn(machine, "load");
  const c0 = sortComparisons();
  const mem = computeBootMemory(parseBootInfo(info), linkerKernelImage());
  const result = { comparisons: sortComparisons() - c0, loads: loads.mock.calls.length, events: 2n * (mem.info.memoryMap().count + mem.reservedCount()), mem };
  loads.mockRestore();
  return result;
}

describe("large boot information", () => {
  it("1,000 map entries, 64 modules, 64 copied ELF sections: accepted, reserved, reported", () => {
    const { mem } = cost(bigInfo(499, 64, 64));
    expect(mem.info.memoryMap().count).toBe(1000n);
    expect(mem.info.modules).toBe(64n);
    expect(mem.info.sections.copies).toBe(64n);
    let modules = 0;
    let copies = 0;
    for (let i = 0n; i < mem.reservedCount(); i++) {
      const k = mem.reserved(i).kind;
      if (k === RESERVED_MODULE) modules++;
      if (k === RESERVED_ELF_COPY) copies++;
    }
    expect([modules, copies]).toEqual([64, 64]);
    expect(mem.conflictCount()).toBe(499n);
    // Below 64 MiB: modules and copies punch holes; above: 499 runs of 1 MiB free.
    expect(mem.freeRegionCount()).toBeGreaterThan(499n);
    printBootReport(mem);
    expect(machine.serial).toContain("memory map: 1000 entries");
    expect(machine.serial).toContain(`free regions: ${mem.freeRegionCount()}\n`);
  });

  it("boot work grows as n log n: comparisons and loads for 125 .. 1,000 entries", () => {
    const rows: string[] = [];
    for (const pairs of [62, 125, 250, 499]) {
      const { comparisons, loads, events } = cost(bigInfo(pairs, 64, 64));
      const nlogn = Number(events) * Math.log2(Number(events));
      rows.push(`entries ${2 * pairs + 2}, events ${events}: ${comparisons} comparisons (${(Number(comparisons) / nlogn).toFixed(2)} n log2 n), ${loads} boot-information loads (${(loads / Number(events)).toFixed(1)} per event)`);
      expect(Number(comparisons)).toBeLessThanOrEqual(2 * nlogn); // heap sort: at most 2 n log2 n
      expect(loads).toBeLessThanOrEqual(40 * Number(events)); // each entry and tag read a bounded number of times
    }
    console.log(rows.join("\n"));
  });

  it("memory init runs on it: early region arrays sized from the map, then the growing node pool", () => {
    const info = bigInfo(499, 64, 64).store(AT);
    const mem = computeBootMemory(parseBootInfo(info), linkerKernelImage());
    initMemory(mem);
    expect(frameAllocator.isUpgraded()).toBe(true);
    expect(frameAllocator.freeChunks()).toBeGreaterThan(0n);
    expect(frameAllocator.freeRegionCount(false)).toBeGreaterThan(499);
    expect(machine.serial).toMatch(/allocators upgraded to heap-backed trees \(node pools of \d+ and \d+, growing on demand\)/);
  });
});
