// The kernel heap in Node, on the global page and frame allocators and a mapper over the
// simulated memory: random allocate/free sequences keep blocks disjoint, aligned and intact,
// the free list sorted and merged (heapCheck), and freeing everything leaves one free block.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frameAllocator, pageAllocator } from "../../kernel/mm/alloc";
import {
  heapAlloc, heapBlocksUsed, heapBytesFree, heapBytesMapped, heapBytesUsed, heapCheck, heapFree, heapFreeBlocks, initHeap, objectAlloc,
} from "../../kernel/mm/heap";
import { DIRECT_MAP_BASE, FrameRange, HEAP_BASE, HEAP_WINDOW_SIZE, PageRange } from "../../kernel/mm/addr";
import { Mapper } from "../../kernel/mm/paging";
import { machine, resetMachine } from "../sim/machine";
import { walk } from "../sim/page_walker";
import { setConsoleSink } from "../../kernel/lib/console";
import { expectPanic } from "./support";

// No machine reset between tests: the heap and its tables live in the simulated memory.
resetMachine();
setConsoleSink((b) => machine.out(0x3f8, b));

// One heap per file (module state): set up once.
frameAllocator.addFree(FrameRange.empty().withNumbers(0x100n, 0x4000n)); // 64 MiB
pageAllocator.addReserved(PageRange.empty().withNumbers(HEAP_BASE >> 12n, HEAP_WINDOW_SIZE >> 12n));
const mapper = Mapper.create(frameAllocator, DIRECT_MAP_BASE, 0n);
initHeap(mapper, 0x1_0000n);

describe("kernel heap", () => {
  it("random allocate/free: aligned, disjoint, intact, merged", () => {
    const op = fc.record({ alloc: fc.boolean(), size: fc.integer({ min: 0, max: 20_000 }), pick: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
        // each run frees what it allocated (a failing run may not: shrinking then starts from its leftovers)
        const baseBlocks = heapBlocksUsed();
        const live: { a: bigint; size: bigint; tag: bigint }[] = [];
        let tag = 1n;
        try {
        for (const o of ops) {
          if (o.alloc || live.length === 0) {
            const size = BigInt(o.size);
            const a = heapAlloc(size);
            expect(a).not.toBe(0n);
            expect(a & 0xfn).toBe(0n);
            expect(a >= HEAP_BASE && a + size <= HEAP_BASE + heapBytesMapped()).toBe(true);
            for (const l of live) expect(a + size <= l.a || l.a + l.size <= a).toBe(true);
            if (size >= 16n) {
              machine.store(a, 8, tag);
              machine.store(a + size - 8n, 8, tag);
            }
            live.push({ a, size, tag });
            tag++;
          } else {
            const [l] = live.splice(o.pick % live.length, 1);
            if (l!.size >= 16n) {
              expect(machine.load(l!.a, 8)).toBe(l!.tag);
              expect(machine.load(l!.a + l!.size - 8n, 8)).toBe(l!.tag);
            }
            heapFree(l!.a);
          }
          heapCheck();
        }
        } catch (e) {
          for (const l of live) heapFree(l.a); // leave no leftovers for the shrinker's next run
          throw e;
        }
        for (const l of live) heapFree(l.a);
        heapCheck();
        expect(heapBlocksUsed()).toBe(baseBlocks);
        if (baseBlocks === 0n) {
          expect(heapBytesUsed()).toBe(0n);
          expect(heapFreeBlocks()).toBe(1n);
          expect(heapBytesFree()).toBe(heapBytesMapped());
        }
      }),
      { numRuns: 40 },
    );
  });

  it("grows with mapped pages (the walker sees them read-write, no-execute)", () => {
    const before = heapBytesMapped();
    const a = heapAlloc(before + 0x1000n);
    expect(a).not.toBe(0n);
    expect(heapBytesMapped()).toBeGreaterThan(before);
    const t = walk(mapper.p4Address(), HEAP_BASE + heapBytesMapped() - 1n, DIRECT_MAP_BASE);
    expect(t?.writable).toBe(true);
    expect(t?.executable).toBe(false);
    heapFree(a);
    heapCheck();
  });

  it("objectAlloc zeroes; bad frees panic", () => {
    const a = heapAlloc(64n);
    machine.store(a + 8n, 8, 0xffffn);
    heapFree(a);
    const b = objectAlloc(64n);
    expect(machine.load(b + 8n, 8)).toBe(0n);
    heapFree(b);
    expectPanic(() => heapFree(b), "not an allocated block");
    expectPanic(() => heapFree(HEAP_BASE + 8n), "not a heap block");
    expectPanic(() => heapFree(0x1000n), "not a heap block");
  });

  it("returns 0 when frames run out", () => {
    expect(heapAlloc(HEAP_WINDOW_SIZE + 1n)).toBe(0n);
    expect(heapAlloc(0x8000_0000n)).toBe(0n); // 2 GiB: more frames than the 64 MiB there are
    heapCheck();
    expect(frameAllocator.allocatedChunks()).toBeGreaterThan(0n);
  });
});
