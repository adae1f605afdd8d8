// A randomized test of the chunk allocator against a per-chunk reference model, written in
// kernel TypeScript so that the very same code runs in Node (vitest), compiled to a hosted
// executable, and on the metal (KTAP in QEMU). Every step checks: no two live allocations
// overlap, chunks are conserved, reserved chunks never go to ordinary requests, and releasing
// everything restores the initial free set.
import { u32, u64, truncU32, type bool } from "../lib/int";
import { expect } from "../lib/ktap";
import { println } from "../lib/console";
import { load8 } from "../lib/intrinsics";
import { U32Array } from "../lib/fixed_array";
import { type Allocated, AllocError, ChunkAllocator, NodePool } from "../mm/alloc";
import { take, type Consumed } from "../lib/owned";
import { Frame, FrameRange, PhysicalAddress } from "../mm/addr";

type Frames = Allocated<PhysicalAddress, Frame, FrameRange>;

/** The window of frames the test allocator manages: frames 0x100 .. 0x1ff. */
const FIRST: u64 = 0x100n;
const CHUNKS: u32 = 256;
/** A reserved region inside the window: frames 0x180 .. 0x18f. */
const RESERVED_FIRST: u64 = 0x180n;
const RESERVED_COUNT: u32 = 16;
const MAX_LIVE: u32 = 48;
const MASK64: u64 = 0xffff_ffff_ffff_ffffn;
const FREE: u32 = 0;

let seed: u64 = 0x9e37_79b9_7f4a_7c15n;
let operations: u32 = 0;
let failures: u32 = 0;
/** A fuzzer's input, when set (randomRunOnInput): the bytes [input, inputEnd) replace xorshift. */
let input: u64 = 0n;
let inputEnd: u64 = 0n;

/** The next 16 bits of the input (zeros past its end). */
function inputBits(): u64 {
  let x: u64 = 0n;
  for (let i: u32 = 0; i < 2; i++) {
    x = (x << 8n) | (input < inputEnd ? u64(load8(input)) : 0n);
    input += 1n;
  }
  return x;
}

/** xorshift64: deterministic, the same sequence in every execution; or the fuzzer's input. */
function random(): u64 {
  if (inputEnd !== 0n) return inputBits();
  let x: u64 = seed;
  x = x ^ ((x & (MASK64 >> 13n)) << 13n); // `<<` is checked: drop the bits it would shift out
  x = x ^ (x >> 7n);
  x = x ^ ((x & (MASK64 >> 17n)) << 17n);
  seed = x;
  return x;
}

/** A random number in [0, n). */
function below(n: u32): u32 {
  return truncU32(random() % u64(n));
}

function frameAt(num: u64): Frame {
  const f = Frame.fromNumber(num);
  if (f === null) return Frame.containing(PhysicalAddress.canonical(0n));
  return f;
}

function rangeOf(first: u64, count: u64): FrameRange {
  return FrameRange.of(frameAt(first), frameAt(first + count - 1n));
}

function isReserved(i: u32): bool {
  return u64(i) >= RESERVED_FIRST - FIRST && u64(i) < RESERVED_FIRST - FIRST + u64(RESERVED_COUNT);
}

/**
 * The model and the live allocations of one run. Each step costs the model O(chunks the
 * step touches), not O(window): the chunks of each live allocation are remembered as the
 * model claimed them (not as the allocation later says), and the free counts move with
 * every change of `owner` (recountFree checks them against a full count at the end).
 */
class Run {
  readonly owner: U32Array = new U32Array(CHUNKS, FREE);
  readonly live: (Frames | null)[] = new Array<Frames | null>(MAX_LIVE).fill(null);
  private nextId: u32 = 1;
  readonly ids: U32Array = new U32Array(MAX_LIVE, 0);
  /** Per slot: the first model chunk and the number of chunks claimed. */
  private readonly firsts: U32Array = new U32Array(MAX_LIVE, 0);
  private readonly counts: U32Array = new U32Array(MAX_LIVE, 0);
  private freeOrdinary: u64 = u64(CHUNKS - RESERVED_COUNT);
  private freeReserved: u64 = u64(RESERVED_COUNT);

  /** Records `frames` in slot `slot` of the model; false when the model says they overlap something live. */
  claim(slot: u32, frames: Consumed<Frames>): bool {
    const first: u64 = frames.range().firstNumber() - FIRST;
    const count: u64 = frames.sizeInChunks();
    const id: u32 = this.nextId;
    this.nextId += 1;
    let clean: bool = true;
    for (let i: u64 = first; i < first + count; i++) {
      if (this.owner.get(u32(i)) !== FREE) clean = false;
      else this.countChange(u32(i), false);
      this.owner.set(u32(i), id);
    }
    this.live[slot] = frames;
    this.ids.set(slot, id);
    this.firsts.set(slot, u32(first));
    this.counts.set(slot, u32(count));
    return clean;
  }

  /** Takes the allocation out of slot `slot` and forgets it in the model (before release, split or merge). */
  unclaim(slot: u32): Frames | null {
    const frames = take(this.live, slot);
    if (frames === null) return null;
    const id: u32 = this.ids.get(slot);
    const first: u32 = this.firsts.get(slot);
    for (let i: u32 = first; i < first + this.counts.get(slot); i++) {
      if (this.owner.get(i) !== id) continue; // claimed again by another (that claim failed its check)
      this.owner.set(i, FREE);
      this.countChange(i, true);
    }
    return frames;
  }

  /** Moves model chunk `i` into (freed) or out of the free counts. */
  private countChange(i: u32, freed: bool): void {
    if (isReserved(i)) this.freeReserved = freed ? this.freeReserved + 1n : this.freeReserved - 1n;
    else this.freeOrdinary = freed ? this.freeOrdinary + 1n : this.freeOrdinary - 1n;
  }

  freeSlot(): u32 {
    for (let s: u32 = 0; s < MAX_LIVE; s++) if (this.live[s] === null) return s;
    return MAX_LIVE;
  }

  liveSlot(): u32 {
    const start: u32 = below(MAX_LIVE);
    for (let k: u32 = 0; k < MAX_LIVE; k++) {
      const s: u32 = (start + k) % MAX_LIVE;
      if (this.live[s] !== null) return s;
    }
    return MAX_LIVE;
  }

  /** True when `count` model chunks from `first` are all free and of the given kind. */
  allFree(first: u32, count: u32, reserved: bool): bool {
    for (let i: u32 = first; i < first + count; i++) if (this.owner.get(i) !== FREE || isReserved(i) !== reserved) return false;
    return true;
  }

  /** True when some run of `count` free ordinary chunks exists in the model. */
  hasRun(count: u32): bool {
    let run: u32 = 0;
    for (let i: u32 = 0; i < CHUNKS; i++) {
      run = this.owner.get(i) === FREE && !isReserved(i) ? run + 1 : 0;
      if (run >= count) return true;
    }
    return false;
  }

  /** Free model chunks of one kind (O(1): kept up to date by claim and unclaim). */
  countFree(reserved: bool): u64 {
    return reserved ? this.freeReserved : this.freeOrdinary;
  }

  /** True when the kept free counts equal a count over every model chunk. */
  countsExact(): bool {
    let ordinary: u64 = 0n;
    let reserved: u64 = 0n;
    for (let i: u32 = 0; i < CHUNKS; i++) {
      if (this.owner.get(i) !== FREE) continue;
      if (isReserved(i)) reserved += 1n;
      else ordinary += 1n;
    }
    return ordinary === this.freeOrdinary && reserved === this.freeReserved;
  }
}

function check(cond: bool, what: string): void {
  if (!cond) failures += 1;
  expect(cond, what);
}

/** One random step against allocator `a` and model `run`. */
function step(a: ChunkAllocator<PhysicalAddress, Frame, FrameRange>, run: Run): void {
  operations += 1;
  const kind: u32 = below(6);
  const slot: u32 = run.freeSlot();
  if (kind === 0 && slot < MAX_LIVE) {
    const count: u32 = below(8) + 1;
    const r = a.allocate(u64(count));
    const got = r.allocated;
    if (got === null) check(r.error === AllocError.OutOfMemory && !run.hasRun(count), "allocate fails only when no run fits");
    else {
      const size = got.sizeInChunks();
      const reserved = got.isReserved();
      check(run.claim(slot, got) && size === u64(count) && !reserved, "allocate gives free ordinary chunks");
    }
  } else if (kind === 1 && slot < MAX_LIVE) {
    const count: u32 = below(4) + 1;
    const at: u32 = below(CHUNKS - count);
    const addr = PhysicalAddress.canonical((FIRST + u64(at)) << 12n);
    const r = a.allocateAt(addr, u64(count));
    const got = r.allocated;
    const free: bool = run.allFree(at, count, false);
    if (got === null) check(!free, "allocateAt fails only when a chunk there is taken or reserved");
    else check(run.claim(slot, got) && free, "allocateAt gives exactly the free chunks asked for");
  } else if (kind === 2 && slot < MAX_LIVE) {
    const count: u32 = below(4) + 1;
    const at: u32 = truncU32(RESERVED_FIRST - FIRST) + below(RESERVED_COUNT - count + 1);
    const r = a.allocateReserved(rangeOf(FIRST + u64(at), u64(count)));
    const got = r.allocated;
    const free: bool = run.allFree(at, count, true);
    if (got === null) check(!free && r.error === AllocError.AddressInUse, "allocateReserved fails only when taken");
    else {
      const reserved = got.isReserved();
      check(run.claim(slot, got) && free && reserved, "allocateReserved hands out the reserved chunks");
    }
  } else if (kind === 3) {
    const s: u32 = run.liveSlot();
    if (s === MAX_LIVE) return;
    const frames = run.unclaim(s);
    if (frames !== null) frames.release();
  } else if (kind === 4 && slot < MAX_LIVE) {
    const s: u32 = run.liveSlot();
    if (s === MAX_LIVE) return;
    const frames = run.unclaim(s);
    if (frames === null) return;
    if (frames.sizeInChunks() < 2n) {
      check(run.claim(s, frames), "an allocation put back");
      return;
    }
    const at: u64 = frames.range().firstNumber() + 1n + (random() % (frames.sizeInChunks() - 1n));
    const halves = frames.split(frameAt(at));
    const second = halves.second;
    if (second === null) {
      run.claim(s, halves.first);
      check(false, "split inside an allocation succeeds");
      return;
    }
    check(run.claim(s, halves.first) && run.claim(slot, second), "split gives two owned halves and consumes the whole");
  } else if (kind === 5) {
    const s: u32 = run.liveSlot();
    const t: u32 = run.liveSlot();
    if (s === MAX_LIVE || s === t) return;
    const x = run.unclaim(s);
    const y = run.unclaim(t);
    if (x === null || y === null) {
      check(false, "live slots hold allocations");
      if (x !== null) x.release();
      if (y !== null) y.release();
      return;
    }
    const adjacent: bool = x.isReserved() === y.isReserved() && (x.range().lastNumber() + 1n === y.range().firstNumber() || y.range().lastNumber() + 1n === x.range().firstNumber());
    const refused = x.merge(y);
    check((refused === null) === adjacent, "merge succeeds exactly for contiguous allocations of one kind");
    if (refused === null) check(run.claim(s, x), "merge absorbs the other");
    else check(run.claim(s, x) && run.claim(t, refused), "a refused merge gives the other back");
  }
  check(a.freeChunks() === run.countFree(false), "free ordinary chunks match the model");
  check(a.freeReservedChunks() === run.countFree(true), "free reserved chunks match the model");
  check(a.freeChunks() + a.freeReservedChunks() + a.allocatedChunks() === u64(CHUNKS), "chunks are conserved");
}

/** `steps` random steps on a fresh allocator; upgrades to trees half way when asked. */
function randomRun(steps: u32, upgradeHalfway: bool): void {
  const a = new ChunkAllocator<PhysicalAddress, Frame, FrameRange>("random test", FrameRange.empty(), 256);
  a.addReserved(rangeOf(RESERVED_FIRST, u64(RESERVED_COUNT)));
  a.addFree(rangeOf(FIRST, u64(CHUNKS)));
  const run = new Run();
  for (let i: u32 = 0; i < steps; i++) {
    if (upgradeHalfway && i === steps / 2) a.upgrade(new NodePool(512));
    step(a, run);
    if (failures > 0) return;
  }
  for (let s: u32 = 0; s < MAX_LIVE; s++) {
    const frames = run.unclaim(s);
    if (frames !== null) frames.release();
  }
  check(run.countsExact(), "the model's free counts match a full count");
  check(a.allocatedChunks() === 0n, "nothing allocated after releasing everything");
  check(a.freeChunks() === u64(CHUNKS - RESERVED_COUNT), "every ordinary chunk is free again");
  a.flushMagazine(); // single chunks kept for fast reuse go back into the regions
  check(a.freeRegionCount(false) === 2, "the free set merged back to the two regions around the reserved one");
}

/**
 * Operations decoded from the `length` bytes at `addr` (a fuzzer's input, two bytes per
 * choice), on a fresh allocator against the model: early arrays, or trees from half way
 * when the length is odd. Returns the number of failed checks (0: every invariant held).
 */
export function randomRunOnInput(addr: u64, length: u64): u32 {
  input = addr;
  inputEnd = addr + length;
  failures = 0;
  const maxSteps: u64 = 4096n;
  const steps: u64 = length / 4n;
  randomRun(u32(steps > maxSteps ? maxSteps : steps), (length & 1n) === 1n);
  inputEnd = 0n;
  return failures;
}

/** Random operations in early mode (fixed arrays). */
export function testAllocatorRandomEarly(): void {
  randomRun(2000, false);
  println(`# ${operations} random allocator operations checked so far`);
}

/** Random operations across the upgrade to trees. */
export function testAllocatorRandomUpgraded(): void {
  randomRun(2000, true);
  println(`# ${operations} random allocator operations checked so far`);
}
