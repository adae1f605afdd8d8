// Memory init in Node on boot information whose RAM lies mostly above the direct map's
// reach, without an ELF-sections tag: the kernel image is still reserved (linker symbols),
// and once the kernel's tables are loaded, page-table frames come only from RAM the direct
// map reaches (TABLE_FRAME_LIMIT), never from the far larger RAM above it.
import { describe, expect, it } from "vitest";
import { initMemory, kernelPageTables } from "../../kernel/boot/memory_init";
import { bootMemoryAt } from "../../kernel/boot/regions";
import { frameAllocator, type AllocatedFrames } from "../../kernel/mm/alloc";
import { PAGES_BASE, PageRange, TABLE_FRAME_LIMIT } from "../../kernel/mm/addr";
import { MapError } from "../../kernel/mm/paging/mapper";
import { PageFlags } from "../../kernel/mm/paging/flags";
import { FrameRange } from "../../kernel/mm/addr";
import { setConsoleSink } from "../../kernel/lib/console";
import { machine, resetMachine } from "../sim/machine";
import { BootInfoBuilder } from "./builder";

resetMachine();
setConsoleSink((b) => machine.out(0x3f8, b));

const MiB = 0x10_0000n;
const GiB = 0x4000_0000n;
const IMAGE_LAST = 0x143fffn; // test/sim/intrinsics.ts: __kernel_start..__kernel_end, physical
const info = new BootInfoBuilder()
  .memoryMap([
    { base: 0n, length: 0x9fc00n, type: 1 },
    { base: MiB, length: 15n * MiB, type: 1 }, // 15 MiB below the reach (and below 4 GiB)
    { base: TABLE_FRAME_LIMIT, length: 16n * GiB, type: 1 }, // 16 GiB above it
  ])
  .store(0x50_0000n);
const mem = bootMemoryAt(info);
initMemory(mem); // one memory init per file: the allocators are module state

describe("memory init with RAM above the direct map's reach, no ELF sections tag", () => {
  it("reserves the kernel image from the linker symbols", () => {
    expect([mem.image.first, mem.image.last]).toEqual([MiB, IMAGE_LAST]);
    for (let i = 0n; i < mem.freeRegionCount(); i++) {
      const fr = mem.freeRegion(i);
      expect(fr.firstNumber() << 12n > IMAGE_LAST || fr.lastNumber() << 12n < MiB, "no free frame in the image").toBe(true);
    }
    const p4 = kernelPageTables().p4Address();
    expect(p4 > IMAGE_LAST, `P4 table at ${p4.toString(16)} is not on the image`).toBe(true);
  });

  it("takes table frames only below TABLE_FRAME_LIMIT once the kernel's tables are loaded", () => {
    const below = FrameRange.empty().withNumbers(0n, TABLE_FRAME_LIMIT >> 12n);
    const held: AllocatedFrames[] = [];
    for (;;) {
      const r = frameAllocator.allocateIn(below, 1n);
      if (r.allocated === null) break;
      held.push(r.allocated);
    }
    expect(held.length).toBeGreaterThan(1000);
    const freeAbove = frameAllocator.freeChunks();
    expect(freeAbove).toBe((16n * GiB) >> 12n); // every free frame now lies above the reach
    const m = kernelPageTables();
    const page = PageRange.empty().withNumbers(PAGES_BASE >> 12n, 1n);
    const frame = FrameRange.empty().withNumbers(TABLE_FRAME_LIMIT >> 12n, 1n); // a frame above the reach may be mapped, never used as a table
    expect(m.mapRange(page, frame, PageFlags.readWrite()).error).toBe(MapError.OutOfFrames);
    expect(frameAllocator.freeChunks()).toBe(freeAbove);
    for (const f of held.splice(0, 8)) f.release();
    expect(m.mapRange(page, frame, PageFlags.readWrite()).error).toBe(MapError.None);
    expect(frameAllocator.freeChunks()).toBeGreaterThanOrEqual(freeAbove); // the new tables came from the 8 frames below
    expect(frameAllocator.freeChunks() - freeAbove).toBeLessThan(8n);
    for (const f of held) f.release();
  });
});
