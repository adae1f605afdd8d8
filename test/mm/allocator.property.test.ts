// Property tests: random sequences of every request kind, split, merge and release, run
// against a reference model (plain sets of chunk offsets), with the invariants checked
// after every step, in early mode, after the upgrade, and with the upgrade mid-run; for
// pages and frames, at the bottom and at the very top of each address space.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type Allocated, AllocError, type AllocResult, ChunkAllocator, NodePool } from "../../kernel/mm/alloc";
import {
  type Address, type Chunk, type ChunkRange, Frame, FrameRange, MAX_CHUNK_NUMBER, Page, PageRange, PhysicalAddress, VirtualAddress,
} from "../../kernel/mm/addr";
import { useSimulatedConsole } from "./support";

useSimulatedConsole();

/** The model's "any free chunk will do" (a single chunk served by the magazine). */
const ANY_FREE = -1;
/** Chunks in the universe a scenario plays in. */
const U = 256;
/** Live allocations at most (keeps the early arrays from filling up: regions <= 8 + live + 1). */
const MAX_LIVE = 24;
const EARLY_CAPACITY = 64;
const RUNS = Number(process.env.MM_PROPERTY_RUNS ?? 40);
const MAX_OPS = Number(process.env.MM_PROPERTY_OPS ?? 250);

/** What a scenario needs to know about one address space. */
interface Kit<A extends Address<A>, C extends Chunk<A, C>, R extends ChunkRange<A, C, R>> {
  name: string;
  empty: R;
  maxNumber: bigint;
  address(value: bigint): A;
  chunk(num: bigint): C;
}

const pageKit: Kit<VirtualAddress, Page, PageRange> = {
  name: "pages",
  empty: PageRange.empty(),
  maxNumber: MAX_CHUNK_NUMBER,
  address: (x) => VirtualAddress.checked(x) ?? fail(`bad address ${x}`),
  chunk: (n) => Page.fromNumber(n) ?? fail(`bad page ${n}`),
};
const frameKit: Kit<PhysicalAddress, Frame, FrameRange> = {
  name: "frames",
  empty: FrameRange.empty(),
  maxNumber: 0xff_ffff_ffffn,
  address: (x) => PhysicalAddress.checked(x) ?? fail(`bad address ${x}`),
  chunk: (n) => Frame.fromNumber(n) ?? fail(`bad frame ${n}`),
};

function fail(msg: string): never {
  throw new Error(msg);
}

type Mode = "early" | "upgraded" | "mid-run upgrade";
type Op = { kind: number; a: number; b: number; c: number };

const opsCount: Record<string, number> = {};
let stepsTotal = 0;
let scenarios = 0;
afterAll(() => {
  console.log(`mm property tests: ${scenarios} scenarios, ${stepsTotal} random operations, invariants checked after each; by kind: ${JSON.stringify(opsCount)}`);
});

/** Offsets [o, o+n) as a list. */
function span(o: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => o + i);
}

/** Maximal runs of a set of offsets, as "first..last" strings of chunk numbers. */
function runsOf(set: Set<number>, base: bigint): string[] {
  const xs = [...set].sort((x, y) => x - y);
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(`${base + BigInt(xs[i]!)}..${base + BigInt(xs[j]!)}`);
    i = j + 1;
  }
  return out;
}

function scenario<A extends Address<A>, C extends Chunk<A, C>, R extends ChunkRange<A, C, R>>(
  kit: Kit<A, C, R>,
  base: bigint,
  mode: Mode,
  frees: [number, number][],
  reserves: [number, number][],
  ops: Op[],
): void {
  scenarios++;
  type Owned = Allocated<A, C, R>;
  type Live = { obj: Owned; first: number; count: number; reserved: boolean };
  const range = (o: number, n: number): R => kit.empty.withNumbers(base + BigInt(o), BigInt(n));
  const a = new ChunkAllocator<A, C, R>(`${kit.name} under test`, kit.empty, EARLY_CAPACITY);
  const general = new Set<number>();
  const reservedRegions = new Set<number>();
  for (const [o, n] of reserves) for (const x of span(o, n)) reservedRegions.add(x);
  for (const [o, n] of frees) for (const x of span(o, n)) if (!reservedRegions.has(x)) general.add(x);
  const reservedFree = new Set(reservedRegions);
  // Interleave the init calls so both orders are exercised.
  for (let i = 0; i < Math.max(frees.length, reserves.length); i++) {
    if (i < frees.length) a.addFree(range(frees[i]![0], frees[i]![1]));
    if (i < reserves.length) a.addReserved(range(reserves[i]![0], reserves[i]![1]));
  }
  if (mode === "upgraded") a.upgrade(new NodePool(3 * EARLY_CAPACITY));
  const initialGeneral = runsOf(general, base);
  const initialReserved = runsOf(reservedFree, base);
  const total = general.size + reservedFree.size;
  const live: Live[] = [];
  /** True while a plain allocate/allocateBytes request is checked: those may come from the magazine. */
  let plainSingle = false;

  const offsetOf = (r: R): number => Number(r.firstNumber() - base);
  const fits = (set: Set<number>, o: number, n: number) => o >= 0 && o + n <= U && span(o, n).every((x) => set.has(x));
  const lowestFit = (n: number, alignChunks: number, lo: number, hi: number): number | null => {
    for (let o = lo; o + n - 1 <= hi; o++) if ((base + BigInt(o)) % BigInt(alignChunks) === 0n && fits(general, o, n)) return o;
    return null;
  };
  /** Checks a successful request against the model's expected offset (ANY_FREE: any free chunk) and takes the chunks in the model. */
  const expectTaken = (r: AllocResult<Owned>, expected: number, n: number, reserved: boolean) => {
    expect(r.error).toBe(AllocError.None);
    if (r.allocated === null) return;
    const got = offsetOf(r.allocated.range());
    expect({ got: expected === ANY_FREE ? ANY_FREE : got, n: Number(r.allocated.sizeInChunks()) }).toEqual({ got: expected, n });
    const from = reserved ? reservedFree : general;
    expect(span(got, n).every((x) => from.delete(x))).toBe(true);
    expect(span(got, n).every((x) => reservedRegions.has(x) === reserved)).toBe(true); // ordinary requests never get reserved chunks
    live.push({ obj: r.allocated, first: got, count: n, reserved });
  };
  const request = (r: AllocResult<Owned>, want: { at: number | null; error: AllocError }, n: number, reserved: boolean) => {
    if (want.at === null) {
      expect(r.allocated).toBeNull();
      expect(r.error).toBe(want.error);
    } else expectTaken(r, want.at, n, reserved);
  };
  const atRequest = (o: number, n: number, valid: boolean) => {
    if (!valid || n === 0) return { at: null, error: AllocError.InvalidRequest };
    if (span(o, n).some((x) => reservedRegions.has(x))) return { at: null, error: AllocError.AddressReserved };
    if (!fits(general, o, n)) return { at: null, error: AllocError.AddressInUse };
    return { at: o, error: AllocError.None };
  };
  const anywhere = (n: number, align: number, lo: number, hi: number) => {
    if (n === 0) return { at: null, error: AllocError.InvalidRequest };
    // A plain single-chunk request may be served from the magazine: any free chunk (expectTaken checks it is free).
    if (n === 1 && align === 1 && lo === 0 && hi === U - 1 && plainSingle) return general.size === 0 ? { at: null, error: AllocError.OutOfMemory } : { at: ANY_FREE, error: AllocError.None };
    const at = lowestFit(n, align, lo, hi);
    return at === null ? { at: null, error: AllocError.OutOfMemory } : { at, error: AllocError.None };
  };

  const checkInvariants = () => {
    // The magazine holds free chunks, each once; the free regions hold the others, merged into maximal regions.
    // (Loops collect what is wrong and assert once: an expect() per element made vitest's
    // assertion bookkeeping a third of this file's time.)
    const inMagazine = new Set<number>();
    const badMagazine: string[] = [];
    for (let i = 0; i < a.magazineSize(); i++) {
      const r = a.magazineChunk(i);
      if (r.sizeInChunks() !== 1n) badMagazine.push(`entry ${i} has ${r.sizeInChunks()} chunks`);
      if (!general.has(offsetOf(r)) || inMagazine.has(offsetOf(r))) badMagazine.push(`entry ${i} (offset ${offsetOf(r)}) is not free or is held twice`);
      inMagazine.add(offsetOf(r));
    }
    expect(badMagazine).toEqual([]);
    const inRegions = new Set([...general].filter((x) => !inMagazine.has(x)));
    const freeRuns: string[] = [];
    for (let r = a.freeRegionFrom(false, 0n); !r.isEmpty(); r = a.freeRegionFrom(false, r.lastNumber() + 1n)) freeRuns.push(`${r.firstNumber()}..${r.lastNumber()}`);
    expect(freeRuns).toEqual(runsOf(inRegions, base));
    const resRuns: string[] = [];
    for (let r = a.freeRegionFrom(true, 0n); !r.isEmpty(); r = a.freeRegionFrom(true, r.lastNumber() + 1n)) resRuns.push(`${r.firstNumber()}..${r.lastNumber()}`);
    expect(resRuns).toEqual(runsOf(reservedFree, base));
    const sorted = [...live].sort((x, y) => x.first - y.first);
    const actual = sorted.map((l) => `${offsetOf(l.obj.range())}+${l.obj.sizeInChunks()}`);
    expect(actual).toEqual(sorted.map((l) => `${l.first}+${l.count}`));
    const overlapping = sorted.filter((l, i) => i > 0 && sorted[i - 1]!.first + sorted[i - 1]!.count > l.first).map((l) => `${l.first}+${l.count}`);
    expect(overlapping, "live allocations overlapping the one before").toEqual([]);
    const freeAndLive = sorted.some((l) => span(l.first, l.count).some((x) => general.has(x) || reservedFree.has(x)));
    expect(freeAndLive).toBe(false);
    const liveChunks = live.reduce((s, l) => s + l.count, 0);
    expect(Number(a.allocatedChunks())).toBe(liveChunks);
    expect(Number(a.freeChunks() + a.freeReservedChunks() + a.allocatedChunks())).toBe(total); // conservation
  };

  for (const op of ops) {
    stepsTotal++;
    let kind = op.kind % 12;
    if (kind <= 6 && live.length >= MAX_LIVE) kind = 9; // release instead of growing further
    if (kind === 11 && mode !== "mid-run upgrade") kind = 9;
    const name = ["anywhere", "at", "bytes", "bytesAt", "aligned", "within", "reserved", "split", "merge", "release", "release", "upgrade"][kind]!;
    opsCount[name] = (opsCount[name] ?? 0) + 1;
    switch (kind) {
      case 0: {
        const n = op.a % 25;
        plainSingle = true;
        request(a.allocate(BigInt(n)), anywhere(n, 1, 0, U - 1), n, false);
        plainSingle = false;
        break;
      }
      case 1: {
        const o = op.a % U;
        const n = op.b % 9;
        const valid = base + BigInt(o + n - 1) <= kit.maxNumber;
        request(a.allocateAt(kit.address(((base + BigInt(o)) << 12n) + BigInt(op.c % 4096)), BigInt(n)), atRequest(o, n, valid), n, false);
        break;
      }
      case 2: {
        const bytes = op.a % 70000;
        const n = Math.ceil(bytes / 4096);
        plainSingle = true;
        request(a.allocateBytes(BigInt(bytes)), anywhere(n, 1, 0, U - 1), n, false);
        plainSingle = false;
        break;
      }
      case 3: {
        const o = op.a % U;
        const addr = ((base + BigInt(o)) << 12n) + BigInt(op.c % 4096);
        const bytes = BigInt(op.b % 30000);
        const lastChunk = bytes === 0n ? 0n : (addr + bytes - 1n) >> 12n;
        const n = Number(lastChunk - (base + BigInt(o))) + 1;
        const valid = bytes > 0n && lastChunk <= kit.maxNumber;
        request(a.allocateBytesAt(kit.address(addr), bytes), atRequest(o, n, valid), n, false);
        break;
      }
      case 4: {
        const n = op.a % 9;
        const alignBytes = [0, 1, 2048, 3000, 4096, 8192, 16384, 65536, 1 << 20, 1 << 21][op.b % 10]!;
        const pow2 = alignBytes !== 0 && (alignBytes & (alignBytes - 1)) === 0;
        const want = pow2 ? anywhere(n, alignBytes > 4096 ? alignBytes / 4096 : 1, 0, U - 1) : { at: null, error: AllocError.InvalidRequest };
        request(a.allocateAligned(BigInt(n), BigInt(alignBytes)), want, n, false);
        break;
      }
      case 5: {
        const lo = op.a % U;
        const hi = op.b % U;
        const n = op.c % 9;
        const r = lo <= hi ? range(lo, hi - lo + 1) : kit.empty;
        const want = lo > hi ? { at: null, error: AllocError.InvalidRequest } : anywhere(n, 1, lo, hi);
        request(a.allocateIn(r, BigInt(n)), want, n, false);
        break;
      }
      case 6: {
        const o = op.a % U;
        const n = Math.min(op.b % 7, U - o);
        let want: { at: number | null; error: AllocError };
        if (n === 0) want = { at: null, error: AllocError.InvalidRequest };
        else if (!span(o, n).every((x) => reservedRegions.has(x))) want = { at: null, error: AllocError.NotReserved };
        else if (!fits(reservedFree, o, n)) want = { at: null, error: AllocError.AddressInUse };
        else want = { at: o, error: AllocError.None };
        request(a.allocateReserved(n === 0 ? kit.empty : range(o, n)), want, n, true);
        break;
      }
      case 7: {
        if (live.length === 0) break;
        const i = op.a % live.length;
        const l = live[i]!;
        const k = op.b % l.count;
        const halves = l.obj.split(kit.chunk(base + BigInt(l.first + k)));
        if (k === 0) {
          expect(halves.second).toBeNull(); // refused: the whole comes back as `first`
          live[i] = { ...l, obj: halves.first };
          break;
        }
        expect(halves.second).not.toBeNull();
        live.splice(i, 1, { obj: halves.first, first: l.first, count: k, reserved: l.reserved }, { obj: halves.second!, first: l.first + k, count: l.count - k, reserved: l.reserved });
        break;
      }
      case 8: {
        if (live.length === 0) break;
        const i = op.a % live.length;
        const j = op.b % live.length;
        const x = live[i]!;
        const y = live[j]!;
        if (i === j) break; // keelc rejects x.merge(x): x is borrowed while it moves
        const contiguous = x.reserved === y.reserved && (y.first === x.first + x.count || x.first === y.first + y.count);
        const refused = x.obj.merge(y.obj);
        expect(refused === null).toBe(contiguous);
        if (contiguous) {
          live[i] = { obj: x.obj, first: Math.min(x.first, y.first), count: x.count + y.count, reserved: x.reserved };
          live.splice(j, 1);
        }
        break;
      }
      case 9:
      case 10: {
        if (live.length === 0) break;
        const [l] = live.splice(op.a % live.length, 1);
        l!.obj.release();
        for (const x of span(l!.first, l!.count)) (l!.reserved ? reservedFree : general).add(x);
        break;
      }
      case 11:
        if (!a.isUpgraded()) a.upgrade(new NodePool(3 * EARLY_CAPACITY));
        break;
    }
    checkInvariants();
  }
  expect(a.isUpgraded()).toBe(mode === "upgraded" || (mode === "mid-run upgrade" && a.isUpgraded()));
  // Releasing everything merges back to exactly the initial free sets.
  while (live.length > 0) {
    const l = live.pop()!;
    l.obj.release();
    for (const x of span(l.first, l.count)) (l.reserved ? reservedFree : general).add(x);
    checkInvariants();
  }
  expect(runsOf(general, base)).toEqual(initialGeneral);
  expect(runsOf(reservedFree, base)).toEqual(initialReserved);
}

const spanArb = fc.tuple(fc.nat({ max: U - 1 }), fc.integer({ min: 1, max: 96 })).map(([o, n]): [number, number] => [o, Math.min(n, U - o)]);
const opArb = fc.record({ kind: fc.nat(), a: fc.nat(), b: fc.nat(), c: fc.nat() });
const inputArb = fc.record({
  frees: fc.array(spanArb, { minLength: 1, maxLength: 4 }),
  reserves: fc.array(spanArb.map(([o, n]): [number, number] => [o, Math.min(n, 12)]), { maxLength: 3 }),
  ops: fc.array(opArb, { minLength: 1, maxLength: MAX_OPS, size: "max" }),
});

const spaces: { label: string; run: (mode: Mode, i: { frees: [number, number][]; reserves: [number, number][]; ops: Op[] }) => void }[] = [
  { label: "pages at the bottom of the lower half", run: (m, i) => scenario(pageKit, 0n, m, i.frees, i.reserves, i.ops) },
  { label: "pages at the top of the address space", run: (m, i) => scenario(pageKit, MAX_CHUNK_NUMBER + 1n - BigInt(U), m, i.frees, i.reserves, i.ops) },
  { label: "frames at the top of physical memory", run: (m, i) => scenario(frameKit, frameKit.maxNumber + 1n - BigInt(U), m, i.frees, i.reserves, i.ops) },
];

describe("allocator against a reference model", () => {
  for (const mode of ["early", "upgraded", "mid-run upgrade"] as const) {
    for (const space of spaces) {
      it(`${space.label}, ${mode}`, () => {
        fc.assert(fc.property(inputArb, (input) => space.run(mode, input)), { numRuns: RUNS });
      }, 120_000);
    }
  }
});
