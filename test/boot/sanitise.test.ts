// The memory-map sanitiser (kernel/boot/regions.ts): overlapping, unsorted, duplicated and
// zero-length entries are resolved in one sweep, the most restrictive type winning, and
// every range where entries overlapped is reported. Hand-made cases for each shape, then
// random maps against a page-by-page reference model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseBootInfo } from "../../kernel/boot/boot_info";
import { printBootReport } from "../../kernel/boot/boot_report";
import { computeBootMemory, linkerKernelImage } from "../../kernel/boot/regions";
import { machine } from "../sim/machine";
import { useSimulatedConsole } from "../mm/support";
import { BootInfoBuilder, type MapEntry } from "./builder";

useSimulatedConsole();

const AT = 0x10000n;
const AVAILABLE = 1;
const RESERVED = 2;
const ACPI_RECLAIMABLE = 3;
const NVS = 4;
const DEFECTIVE = 5;
const UNKNOWN = 0; // the sanitised map's type for types the specification does not define

/** The sanitised map and the overlaps of `entries`, as [first, last, type] and [first, last, winner, others]. */
function sanitise(entries: MapEntry[]) {
  const mem = computeBootMemory(parseBootInfo(new BootInfoBuilder().memoryMap(entries).store(AT)), linkerKernelImage());
  const map: [bigint, bigint, number][] = [];
  for (let i = 0n; i < mem.sanitisedCount(); i++) {
    const e = mem.sanitised(i);
    map.push([e.region.first, e.region.last, e.type]);
  }
  const overlaps: [bigint, bigint, number, number][] = [];
  for (let i = 0n; i < mem.conflictCount(); i++) {
    const c = mem.conflict(i);
    overlaps.push([c.region.first, c.region.last, c.winner, c.others]);
  }
  return { map, overlaps, mem };
}

const M = 0x10_0000n; // 1 MiB
/** Class bits of the `others` mask (regions.ts CLASS_*). */
const BIT = { available: 1, acpi: 2, reserved: 4, nvs: 8, defective: 16, unknown: 32 };

describe("sanitised memory map", () => {
  it("partial overlap: the reserved part wins, the rest stays available", () => {
    const { map, overlaps } = sanitise([
      { base: 2n * M, length: 2n * M, type: AVAILABLE },
      { base: 3n * M, length: 2n * M, type: RESERVED },
    ]);
    expect(map).toEqual([[2n * M, 3n * M - 1n, AVAILABLE], [3n * M, 5n * M - 1n, RESERVED]]);
    expect(overlaps).toEqual([[3n * M, 4n * M - 1n, RESERVED, BIT.available]]);
  });

  it("containment: a reserved hole inside available RAM splits it in three", () => {
    const { map, overlaps, mem } = sanitise([
      { base: 2n * M, length: 14n * M, type: AVAILABLE },
      { base: 4n * M, length: M, type: RESERVED },
    ]);
    expect(map).toEqual([[2n * M, 4n * M - 1n, AVAILABLE], [4n * M, 5n * M - 1n, RESERVED], [5n * M, 16n * M - 1n, AVAILABLE]]);
    expect(overlaps).toEqual([[4n * M, 5n * M - 1n, RESERVED, BIT.available]]);
    expect(mem.availableBytes()).toBe(13n * M);
    expect(mem.freeFrameCount()).toBe(13n * M / 0x1000n);
  });

  it("available RAM inside a reserved entry is reserved", () => {
    const { map, overlaps } = sanitise([
      { base: 2n * M, length: 4n * M, type: RESERVED },
      { base: 3n * M, length: M, type: AVAILABLE },
    ]);
    expect(map).toEqual([[2n * M, 6n * M - 1n, RESERVED]]);
    expect(overlaps).toEqual([[3n * M, 4n * M - 1n, RESERVED, BIT.available]]);
  });

  it("identical duplicates merge; the report names the type listed twice", () => {
    const { map, overlaps } = sanitise([
      { base: 2n * M, length: M, type: AVAILABLE },
      { base: 2n * M, length: M, type: AVAILABLE },
      { base: 8n * M, length: M, type: RESERVED },
      { base: 8n * M, length: M, type: RESERVED },
    ]);
    expect(map).toEqual([[2n * M, 3n * M - 1n, AVAILABLE], [8n * M, 9n * M - 1n, RESERVED]]);
    expect(overlaps).toEqual([[2n * M, 3n * M - 1n, AVAILABLE, BIT.available], [8n * M, 9n * M - 1n, RESERVED, BIT.reserved]]);
  });

  it("identical entries of different types: the most restrictive wins", () => {
    const { map, overlaps } = sanitise([
      { base: 2n * M, length: M, type: AVAILABLE },
      { base: 2n * M, length: M, type: ACPI_RECLAIMABLE },
    ]);
    expect(map).toEqual([[2n * M, 3n * M - 1n, ACPI_RECLAIMABLE]]);
    expect(overlaps).toEqual([[2n * M, 3n * M - 1n, ACPI_RECLAIMABLE, BIT.available]]);
  });

  it("a chain of three: each overlaps the next", () => {
    const { map, overlaps } = sanitise([
      { base: 4n * M, length: 2n * M, type: RESERVED },
      { base: 2n * M, length: 2n * M, type: AVAILABLE },
      { base: 3n * M, length: 2n * M, type: ACPI_RECLAIMABLE },
    ]);
    expect(map).toEqual([[2n * M, 3n * M - 1n, AVAILABLE], [3n * M, 4n * M - 1n, ACPI_RECLAIMABLE], [4n * M, 6n * M - 1n, RESERVED]]);
    expect(overlaps).toEqual([[3n * M, 4n * M - 1n, ACPI_RECLAIMABLE, BIT.available], [4n * M, 5n * M - 1n, RESERVED, BIT.acpi]]);
  });

  it("three entries over one range: the winner and both others are reported", () => {
    const { map, overlaps } = sanitise([
      { base: 2n * M, length: 4n * M, type: AVAILABLE },
      { base: 3n * M, length: 2n * M, type: ACPI_RECLAIMABLE },
      { base: 3n * M + 0x8000n, length: 0x1000n, type: NVS },
    ]);
    expect(map).toEqual([
      [2n * M, 3n * M - 1n, AVAILABLE],
      [3n * M, 3n * M + 0x7fffn, ACPI_RECLAIMABLE],
      [3n * M + 0x8000n, 3n * M + 0x8fffn, NVS],
      [3n * M + 0x9000n, 5n * M - 1n, ACPI_RECLAIMABLE],
      [5n * M, 6n * M - 1n, AVAILABLE],
    ]);
    expect(overlaps).toEqual([
      [3n * M, 3n * M + 0x7fffn, ACPI_RECLAIMABLE, BIT.available],
      [3n * M + 0x8000n, 3n * M + 0x8fffn, NVS, BIT.available | BIT.acpi],
      [3n * M + 0x9000n, 5n * M - 1n, ACPI_RECLAIMABLE, BIT.available],
    ]);
  });

  it("unknown types are reserved and beat every defined type", () => {
    const { map, overlaps, mem } = sanitise([
      { base: 2n * M, length: 2n * M, type: AVAILABLE },
      { base: 3n * M, length: M, type: 7 },
      { base: 5n * M, length: M, type: DEFECTIVE },
      { base: 5n * M, length: M, type: 0xffff_ffff },
      { base: 7n * M, length: M, type: 0 },
    ]);
    expect(map).toEqual([[2n * M, 3n * M - 1n, AVAILABLE], [3n * M, 4n * M - 1n, UNKNOWN], [5n * M, 6n * M - 1n, UNKNOWN], [7n * M, 8n * M - 1n, UNKNOWN]]);
    expect(overlaps).toEqual([[3n * M, 4n * M - 1n, UNKNOWN, BIT.available], [5n * M, 6n * M - 1n, UNKNOWN, BIT.defective]]);
    expect(mem.freeFrameCount()).toBe(M / 0x1000n);
  });

  it("the order of restriction: available < ACPI reclaimable < reserved < ACPI NVS < defective", () => {
    const types = [AVAILABLE, ACPI_RECLAIMABLE, RESERVED, NVS, DEFECTIVE];
    for (let lo = 0; lo < types.length; lo++)
      for (let hi = lo + 1; hi < types.length; hi++) {
        const { map } = sanitise([
          { base: 2n * M, length: M, type: types[hi]! },
          { base: 2n * M, length: M, type: types[lo]! },
        ]);
        expect(map, `${types[hi]} over ${types[lo]}`).toEqual([[2n * M, 3n * M - 1n, types[hi]]]);
      }
  });

  it("zero-length entries are ignored, even inside available RAM", () => {
    const { map, overlaps } = sanitise([
      { base: 2n * M, length: 2n * M, type: AVAILABLE },
      { base: 3n * M, length: 0n, type: RESERVED },
      { base: 9n * M, length: 0n, type: AVAILABLE },
    ]);
    expect(map).toEqual([[2n * M, 4n * M - 1n, AVAILABLE]]);
    expect(overlaps).toEqual([]);
  });

  it("unsorted, adjacent entries of one type merge without an overlap line", () => {
    const { map, overlaps } = sanitise([
      { base: 4n * M, length: M, type: AVAILABLE },
      { base: 2n * M, length: 2n * M, type: AVAILABLE },
      { base: 5n * M, length: M, type: RESERVED },
      { base: 6n * M, length: M, type: RESERVED },
    ]);
    expect(map).toEqual([[2n * M, 5n * M - 1n, AVAILABLE], [5n * M, 7n * M - 1n, RESERVED]]);
    expect(overlaps).toEqual([]);
  });

  it("entries reaching the top of the 52-bit physical space", () => {
    const top = 0x10_0000_0000_0000n;
    const { map } = sanitise([
      { base: top - 2n * M, length: 2n * M, type: AVAILABLE },
      { base: top - M, length: M, type: RESERVED },
    ]);
    expect(map).toEqual([[top - 2n * M, top - M - 1n, AVAILABLE], [top - M, top - 1n, RESERVED]]);
  });

  it("prints the sanitised map and one line per overlap in the boot report", () => {
    const info = new BootInfoBuilder()
      .memoryMap([
        { base: 0n, length: 0x9fc00n, type: AVAILABLE },
        { base: 0x9f000n, length: 0x1000n, type: RESERVED }, // overlaps the end of low RAM
        { base: M, length: 0x7ee0000n, type: AVAILABLE },
        { base: M, length: 0x7ee0000n, type: AVAILABLE }, // duplicate
        { base: 0x4000000n, length: 0x100000n, type: ACPI_RECLAIMABLE }, // inside RAM
        { base: 0x4080000n, length: 0x1000n, type: NVS }, // inside the ACPI range
        { base: 0x7fe0000n, length: 0x20000n, type: RESERVED },
        { base: 0x7fd0000n, length: 0x20000n, type: 12 }, // unknown, overlapping RAM and the reserved tail
      ])
      .store(0x56a000n);
    printBootReport(computeBootMemory(parseBootInfo(info), linkerKernelImage()));
    const report = machine.serial;
    const part = report.slice(report.indexOf("sanitised memory map"), report.indexOf("basic meminfo"));
    expect(part).toBe(
      [
        "sanitised memory map: 9 entries",
        "  [p0x0000000000000000..p0x000000000009efff] available",
        "  [p0x000000000009f000..p0x000000000009ffff] reserved",
        "  [p0x0000000000100000..p0x0000000003ffffff] available",
        "  [p0x0000000004000000..p0x000000000407ffff] ACPI reclaimable",
        "  [p0x0000000004080000..p0x0000000004080fff] ACPI NVS",
        "  [p0x0000000004081000..p0x00000000040fffff] ACPI reclaimable",
        "  [p0x0000000004100000..p0x0000000007fcffff] available",
        "  [p0x0000000007fd0000..p0x0000000007feffff] reserved (unknown type)",
        "  [p0x0000000007ff0000..p0x0000000007ffffff] reserved",
        "memory map overlaps resolved: 8",
        "  [p0x000000000009f000..p0x000000000009fbff] reserved kept, also listed as available",
        "  [p0x0000000000100000..p0x0000000003ffffff] available kept, also listed as available",
        "  [p0x0000000004000000..p0x000000000407ffff] ACPI reclaimable kept, also listed as available",
        "  [p0x0000000004080000..p0x0000000004080fff] ACPI NVS kept, also listed as available, ACPI reclaimable",
        "  [p0x0000000004081000..p0x00000000040fffff] ACPI reclaimable kept, also listed as available",
        "  [p0x0000000004100000..p0x0000000007fcffff] available kept, also listed as available",
        "  [p0x0000000007fd0000..p0x0000000007fdffff] reserved (unknown type) kept, also listed as available",
        "  [p0x0000000007fe0000..p0x0000000007feffff] reserved (unknown type) kept, also listed as reserved",
        "",
      ].join("\n"),
    );
  });
});

/** Types drawn for random maps: every defined one, and two unknown ones. */
const TYPES = [AVAILABLE, AVAILABLE, AVAILABLE, RESERVED, ACPI_RECLAIMABLE, NVS, DEFECTIVE, 0, 9];
/** Rank of a type (higher wins), as regions.ts orders them. */
function rank(type: number): number {
  return [AVAILABLE, ACPI_RECLAIMABLE, RESERVED, NVS, DEFECTIVE].indexOf(type) === -1 ? 5 : [AVAILABLE, ACPI_RECLAIMABLE, RESERVED, NVS, DEFECTIVE].indexOf(type);
}
const RANK_TYPE = [AVAILABLE, ACPI_RECLAIMABLE, RESERVED, NVS, DEFECTIVE, UNKNOWN];

/** Sanitising random maps agrees with the page-by-page reference. */
export const RANDOM_MAPS = 400;

describe("sanitised memory map against a reference model", () => {
  it(`agrees page by page on ${RANDOM_MAPS} random maps (unsorted, overlapping, duplicated, zero-length)`, () => {
    const PAGE = 0x1000n;
    const BASE = 0x200_0000n; // above the kernel image and the boot information
    const PAGES = 48;
    const entry = fc.record({ first: fc.integer({ min: 0, max: PAGES - 1 }), pages: fc.integer({ min: 0, max: 12 }), type: fc.constantFrom(...TYPES) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (raw) => {
        const entries = raw.map((e) => ({ base: BASE + BigInt(e.first) * PAGE, length: BigInt(e.pages) * PAGE, type: e.type }));
        const { map, overlaps, mem } = sanitise(entries);
        // Reference: per page, the highest rank listed and how many entries list it.
        const best: number[] = new Array(PAGES + 12).fill(-1);
        const listed: number[] = new Array(PAGES + 12).fill(0);
        for (const e of raw)
          for (let p = e.first; p < e.first + e.pages; p++) {
            best[p] = Math.max(best[p]!, rank(e.type));
            listed[p]! += 1;
          }
        const got: number[] = new Array(PAGES + 12).fill(-1);
        for (const [first, last, type] of map) {
          for (let a = first; a <= last; a += PAGE) got[Number((a - BASE) / PAGE)] = RANK_TYPE.indexOf(type);
        }
        expect(got).toEqual(best);
        // Sorted, disjoint, maximal.
        for (let i = 1; i < map.length; i++) {
          expect(map[i]![0] > map[i - 1]![1]).toBe(true);
          if (map[i]![0] === map[i - 1]![1] + 1n) expect(map[i]![2]).not.toBe(map[i - 1]![2]);
        }
        // An overlap line exactly where two or more entries list a page.
        const overlapped: boolean[] = new Array(PAGES + 12).fill(false);
        for (const [first, last] of overlaps) for (let a = first; a <= last; a += PAGE) overlapped[Number((a - BASE) / PAGE)] = true;
        expect(overlapped).toEqual(listed.map((n) => n > 1));
        // Free frames: exactly the available pages.
        expect(mem.freeFrameCount()).toBe(BigInt(best.filter((r) => r === 0).length));
      }),
      { numRuns: RANDOM_MAPS },
    );
  });
});
