// The whole memory init in Node with the debug checks of test builds on (as kernel/test_main.ts
// turns them on): the W^X scan and the freed-frame checks start, every free frame leaves the
// direct map (4 KiB pages in test builds), a frame handed out comes back into it, a released
// one is poisoned and unmapped again (checked by the independent page walker of test/sim),
// and stopping the checks maps every free frame back, checking the poison of each freed one.
import { describe, expect, it } from "vitest";
import { initMemory, kernelPageTables, stopFreedFrameChecks } from "../../kernel/boot/memory_init";
import { bootMemoryAt } from "../../kernel/boot/regions";
import { frameAllocator } from "../../kernel/mm/alloc";
import { DIRECT_MAP_BASE, DIRECT_MAP_SIZE } from "../../kernel/mm/addr";
import { enableDebugChecks } from "../../kernel/mm/debug";
import { POISON } from "../../kernel/mm/debug/pagealloc";
import { setConsoleSink } from "../../kernel/lib/console";
import { load64, store64 } from "../../kernel/lib/intrinsics";
import { machine, resetMachine, SimPageFault } from "../sim/machine";
import { faultWhereUnmapped, walk } from "../sim/page_walker";
import { expectPanic } from "../mm/support";
import { BootInfoBuilder } from "./builder";

resetMachine();
machine.directMap = { start: DIRECT_MAP_BASE, size: DIRECT_MAP_SIZE }; // the tables written before the switch are read through it after
setConsoleSink((b) => machine.out(0x3f8, b));

const MiB = 0x10_0000n;
const info = new BootInfoBuilder()
  .memoryMap([
    { base: 0n, length: 0x9fc00n, type: 1 },
    { base: MiB, length: 31n * MiB, type: 1 },
  ])
  .store(0x50_0000n);
enableDebugChecks();
initMemory(bootMemoryAt(info)); // one memory init per file: the allocators are module state

const direct = (frame: bigint): bigint => DIRECT_MAP_BASE + (frame << 12n);
const mapped = (frame: bigint): boolean => walk(kernelPageTables().p4Address(), direct(frame), DIRECT_MAP_BASE)?.phys === frame << 12n;

describe("memory init with the debug checks on", () => {
  it("scans for W^X mappings and unmaps every free frame from the direct map", () => {
    const line = machine.serial.split("\n").find((l) => l.startsWith("memory: debug checks:"));
    expect(line).toMatch(/^memory: debug checks: W\^X scan of \d+ tables, \d+ mappings, none writable and executable; freed frames poisoned and unmapped \((\d+) free frames unmapped from the direct map\)$/);
    const unmapped = BigInt(/\((\d+) free frames/.exec(line!)![1]);
    // Every frame free then; the heap has taken a few of them since, and they came back.
    expect(unmapped - frameAllocator.freeChunks()).toBeGreaterThanOrEqual(0n);
    expect(unmapped - frameAllocator.freeChunks()).toBeLessThan(256n);
    frameAllocator.flushMagazine();
    let free = 0n;
    for (let from = 0n; ; ) {
      const r = frameAllocator.freeRegionFrom(false, from);
      if (r.isEmpty()) break;
      for (let f = r.firstNumber(); f <= r.lastNumber(); f++) expect(mapped(f)).toBe(false);
      free += r.sizeInChunks();
      from = r.lastNumber() + 1n;
    }
    expect(free).toBe(frameAllocator.freeChunks());
    expect(free).toBeGreaterThan(7000n);
  });

  it("maps a frame back when handed out, poisons and unmaps it when released, and finds a write after free when the checks stop", () => {
    const f = frameAllocator.allocate(100n).allocated!;
    const first = f.range().firstNumber();
    expect([mapped(first), mapped(first + 99n), mapped(first + 100n)]).toEqual([true, true, false]);
    store64(direct(first + 99n) + 8n, 1n);
    f.release();
    expect([mapped(first), mapped(first + 99n)]).toEqual([false, false]);
    expect(machine.load(direct(first + 99n) + 8n, 8)).toBe(POISON); // poisoned, past the first 64 frames too
    faultWhereUnmapped(kernelPageTables().p4Address(), DIRECT_MAP_BASE, direct(first), 100n << 12n);
    expect(() => load64(direct(first + 50n))).toThrow(SimPageFault); // as the CPU: the free frame is not there
    machine.accessCheck = null;
    machine.store(direct(first + 80n) + 0x40n, 8, 9n); // a write after free that faulted nowhere (another mapping)
    expectPanic(() => stopFreedFrameChecks(), `use after free: frame p0x${((first + 80n) << 12n).toString(16)} was written after it was freed (word at +0x40 holds 0x9`);
  });
});
