// The chunk allocator: one generic implementation behind the page allocator and the frame
// allocator, and the owned allocations it hands out. Metadata is three RegionSets (free
// ordinary chunks, free reserved chunks, all reserved regions): one entry per region,
// never per chunk. Allocation and release are O(log regions) after `upgrade`; single
// ordinary chunks, the common case, are O(1) through a magazine (magazine.ts).
//
// Several CPUs (issue 12): each CPU has its own magazine (made on its first single-chunk
// request), used by that CPU alone: single-chunk allocate and release take no lock and no
// atomic. Everything else (refills and drains of a magazine, multi-chunk and reserved
// requests, queries) holds the allocator's SpinLock, a leaf of the lock order
// (kernel/sync/lock_order.ts): nothing under it allocates from the heap. The tree nodes a
// locked operation may need (NODES_PER_OPERATION) are in the node pool before the lock is
// taken (locked()): the pool grows from the heap with the lock not held.
//
// Not from interrupt handlers: a handler that interrupted its CPU's magazine operation
// would find the magazine half-changed (Keel's handlers allocate nothing).
//
// A CPU flushes only its own magazine (another CPU's is that CPU's alone): a request for a
// run of chunks may fail with OutOfMemory while other CPUs' magazines hold up to
// MAGAZINE_CAPACITY single chunks each; they come back when those CPUs drain or flush.
import { u64, type bool, type u32 } from "../../lib/int";
import { Owned, type Consumed } from "../../lib/owned";
import { panic } from "../../lib/panic";
import { currentCpu, MAX_CPUS } from "../../arch/x86_64/cpu_local";
import { locksHeldByMe, RANK_ALLOCATOR, type SpinGuard, SpinLock } from "../../sync";
import { framesAllocated, framesReleased, type FramePoison } from "../debug/pagealloc";
import { type Address, type Chunk, CHUNK_SHIFT, CHUNK_SIZE, type ChunkRange, isPowerOfTwo, MAX_CHUNK_NUMBER } from "../addr";
import { NO_FIT } from "./fit";
import { MAGAZINE_BATCH, MAGAZINE_CAPACITY, Magazine } from "./magazine";
import { type NodePool, NodeStorage } from "./node_pool";
import { NO_REGION } from "./region_array";
import { RegionSet, TakeStatus } from "./region_set";

/** Why a request failed: one kind per cause. */
export const enum AllocError {
  /** The request succeeded. */
  None = 0,
  /** Zero chunks, an empty range, an alignment that is not a power of two, or chunks past the end of the address space. */
  InvalidRequest = 1,
  /** No run of free chunks satisfies the request. */
  OutOfMemory = 2,
  /** Some requested chunk is allocated, or not memory this allocator manages. */
  AddressInUse = 3,
  /** An ordinary request names chunks of a reserved region. */
  AddressReserved = 4,
  /** A reserved request names chunks outside the reserved regions. */
  NotReserved = 5,
  /** Satisfying the request would split a region and the region storage is full. */
  RegionTableFull = 6,
}

/** The result of a request: the allocation, or null and the reason. Owns the allocation. */
export class AllocResult<O extends Owned> {
  /** The allocation; null exactly when `error` is not AllocError.None. */
  readonly allocated: O | null;
  /** Why the request failed, or AllocError.None. */
  readonly error: AllocError;

  constructor(allocated: Consumed<O> | null, error: AllocError) {
    this.allocated = allocated;
    this.error = error;
  }
}

/**
 * The result of a split: the two owned halves, or (a refused split) `first` is the whole
 * allocation back, unchanged, and `second` is null.
 */
export class Halves<O extends Owned> {
  readonly first: O;
  readonly second: O | null;

  constructor(first: Consumed<O>, second: Consumed<O> | null) {
    this.first = first;
    this.second = second;
  }
}

/**
 * Proof of coming from this module: Allocated's constructor and the allocator's reclaim
 * demand one, and no other module can name or make this class, so allocations come only
 * from allocators and only allocations give chunks back.
 */
class Issuer {
  private readonly stamp: u32 = 1;
}

const ISSUER = new Issuer();

let nextAllocatorId: u32 = 1;

/**
 * Tree nodes one locked operation may need: flushing a full magazine stores up to
 * MAGAZINE_CAPACITY separate regions, and a take splits one region in two.
 */
export const NODES_PER_OPERATION: u32 = MAGAZINE_CAPACITY + 2;

/**
 * Chunks handed out by a ChunkAllocator (AllocatedPages, AllocatedFrames), with a single
 * owner. Invariants: no two live allocations overlap; the range is never empty. Release,
 * split and merge consume their operand: keelc rejects any later use of it.
 */
export class Allocated<A extends Address<A>, C extends Chunk<A, C>, R extends ChunkRange<A, C, R>> extends Owned {
  private chunks: R;
  private readonly reserved: bool;
  private readonly allocator: ChunkAllocator<A, C, R>;

  /** Only ChunkAllocator and this class make allocations (`_issuer` proves it). */
  constructor(allocator: ChunkAllocator<A, C, R>, chunks: R, reserved: bool, _issuer: Issuer) {
    super();
    this.allocator = allocator;
    this.chunks = chunks;
    this.reserved = reserved;
    if (chunks.isEmpty()) panic("Allocated: an allocation is never empty");
  }

  /** The allocated chunks. */
  range(): R {
    return this.chunks;
  }

  /** The first chunk. */
  start(): C {
    return this.chunkAt(this.range().firstNumber());
  }

  /** The last chunk (inclusive). */
  end(): C {
    return this.chunkAt(this.range().lastNumber());
  }

  /** Number of chunks. */
  sizeInChunks(): u64 {
    return this.range().sizeInChunks();
  }

  /** Number of bytes. */
  sizeInBytes(): u64 {
    return this.range().sizeInBytes();
  }

  /** True when the chunks came from a reserved region. */
  isReserved(): bool {
    return this.reserved;
  }

  /**
   * Splits into [start, at) and [at, end], consuming this allocation. Refused unless both
   * halves are non-empty: then `first` is this allocation back and `second` is null.
   */
  split(this: Consumed<Allocated<A, C, R>>, at: C): Halves<Allocated<A, C, R>> {
    const f = this.chunks.firstNumber();
    const n = at.number();
    if (n <= f || n > this.chunks.lastNumber()) return new Halves<Allocated<A, C, R>>(this.rebuilt(this.chunks), null);
    const count = this.chunks.sizeInChunks();
    const low = this.rebuilt(this.chunks.withNumbers(f, n - f));
    const high = this.rebuilt(this.chunks.withNumbers(n, count - (n - f)));
    return new Halves<Allocated<A, C, R>>(low, high);
  }

  /**
   * Absorbs `other` when it directly follows or precedes this allocation and comes from the
   * same allocator and the same kind of region: returns null, `other` is part of this one
   * now. Otherwise returns `other` back, unchanged.
   */
  merge(other: Consumed<Allocated<A, C, R>>): Allocated<A, C, R> | null {
    const mine = this.chunks;
    const theirs = other.range();
    if (other.allocator.id !== this.allocator.id || other.reserved !== this.reserved) return other;
    const total = mine.sizeInChunks() + theirs.sizeInChunks();
    if (theirs.firstNumber() === mine.lastNumber() + 1n) this.chunks = mine.withNumbers(mine.firstNumber(), total);
    else if (mine.firstNumber() === theirs.lastNumber() + 1n) this.chunks = mine.withNumbers(theirs.firstNumber(), total);
    else return other;
    return null;
  }

  /** Gives the chunks back to their allocator, consuming this allocation. */
  release(this: Consumed<Allocated<A, C, R>>): void {
    this.allocator.reclaim(this.chunks, this.reserved, ISSUER);
  }

  /** `Allocated(v0x5000..=v0x7fff)`. */
  override toString(): string {
    return `Allocated(${this.chunks})`;
  }

  /** A new owner of `chunks` (part or all of this allocation's, which is consumed). */
  private rebuilt(chunks: R): Allocated<A, C, R> {
    return new Allocated<A, C, R>(this.allocator, chunks, this.reserved, ISSUER);
  }

  private chunkAt(num: u64): C {
    const c = this.chunks.withNumbers(num, 1n).start();
    if (c === null) return panic("Allocated: empty range");
    return c;
  }
}

/**
 * An allocator of the chunks of one address space (the page allocator, the frame
 * allocator). Invariants: free ordinary chunks never lie in a reserved region; free
 * reserved chunks always do; free chunks are never allocated; free + free reserved +
 * allocated chunks is constant once initialisation ends.
 */
export class ChunkAllocator<A extends Address<A>, C extends Chunk<A, C>, R extends ChunkRange<A, C, R>> {
  /** Distinguishes allocators, so allocations from two of them never merge. */
  readonly id: u32;
  private readonly noChunks: R;
  private readonly free: RegionSet;
  private readonly freeReserved: RegionSet;
  private readonly reservedRegions: RegionSet;
  /** Free single ordinary chunks kept out of `free` for O(1) requests, one magazine per CPU (null until its first use); see magazine(). */
  private readonly magazines: (Magazine | null)[];
  /** Magazines made so far (the counting queries skip the per-CPU walk while there are none). */
  private magazineCount: u32 = 0;
  /** Protects everything but the magazines (each its CPU's own). */
  private readonly lock: SpinLock;
  /** The tree nodes' pool after `upgrade`: locked() keeps NODES_PER_OPERATION free nodes in it. */
  private pool: NodePool | null = null;
  /** Chunks managed: free + free reserved + in magazines + allocated (fixed once initialisation ends); allocatedChunks() is the rest. */
  private managed: u64 = 0n;
  /** Test builds: poisons released chunks and checks them when reused (kernel/mm/debug). */
  private poison: FramePoison | null = null;

  /** An allocator with no memory yet. `empty` is the empty range of its kind; each region set holds `earlyCapacity` regions before `upgrade`. */
  constructor(name: string, empty: R, earlyCapacity: u32) {
    this.id = nextAllocatorId;
    nextAllocatorId++;
    this.noChunks = empty;
    this.free = new RegionSet(name, earlyCapacity);
    this.freeReserved = new RegionSet(name, earlyCapacity);
    this.reservedRegions = new RegionSet(name, earlyCapacity);
    this.magazines = new Array<Magazine | null>(MAX_CPUS).fill(null);
    this.lock = SpinLock.ranked(name, RANK_ALLOCATOR);
  }

  /** Adds `range` to the free memory, except what lies in reserved regions. Initialisation only. */
  addFree(range: R): void {
    if (range.isEmpty()) return;
    using g = this.locked();
    this.checkInitialising("addFree");
    this.flushOwnMagazine();
    const before = this.freeTotal();
    const f = range.firstNumber();
    const l = range.lastNumber();
    this.free.unite(f, l);
    let h = this.reservedRegions.floor(f);
    if (h === NO_REGION) h = this.reservedRegions.lowest();
    while (h !== NO_REGION && this.reservedRegions.first(h) <= l) {
      this.free.subtract(this.reservedRegions.first(h), this.reservedRegions.last(h));
      h = this.reservedRegions.next(h);
    }
    this.managed += this.freeTotal() - before;
  }

  /** Makes `range` a reserved region: only `allocateReserved` hands it out. Initialisation only. */
  addReserved(range: R): void {
    if (range.isEmpty()) return;
    using g = this.locked();
    this.checkInitialising("addReserved");
    this.flushOwnMagazine();
    const before = this.freeTotal();
    const f = range.firstNumber();
    const l = range.lastNumber();
    this.reservedRegions.unite(f, l);
    this.freeReserved.unite(f, l);
    this.free.subtract(f, l);
    this.managed += this.freeTotal() - before;
  }

  /** Makes room for `capacity` regions in each early array (sized from the boot memory map). Initialisation only. */
  reserveEarly(capacity: u32): void {
    using g = this.lock.acquire();
    this.checkInitialising("reserveEarly");
    this.free.reserveEarly(capacity);
    this.freeReserved.reserveEarly(capacity);
    this.reservedRegions.reserveEarly(capacity);
  }

  /** Makes `hook` see every ordinary release and allocation from now on (debug checks; frames only); null: none. */
  setPoisonHook(hook: FramePoison | null): void {
    this.poison = hook;
  }

  /** Moves all metadata from the early arrays into trees with nodes from `pool`, which from now on is this allocator's alone. At boot, on one CPU. */
  upgrade(pool: NodePool): void {
    this.pool = pool;
    this.free.upgrade(pool);
    this.freeReserved.upgrade(pool);
    this.reservedRegions.upgrade(pool);
  }

  /** True after `upgrade`. */
  isUpgraded(): bool {
    return this.free.isUpgraded();
  }

  /** `count` chunks anywhere; fails only when no run of `count` free chunks exists. */
  allocate(count: u64): AllocResult<Allocated<A, C, R>> {
    if (count === 1n) return this.allocateOne();
    return this.request(count, 1n, 0n, MAX_CHUNK_NUMBER);
  }

  /** `count` chunks starting at the chunk holding `addr`. */
  allocateAt(addr: A, count: u64): AllocResult<Allocated<A, C, R>> {
    if (count === 0n || count > MAX_CHUNK_NUMBER) return this.failure(AllocError.InvalidRequest);
    const start = addr.alignDown(CHUNK_SIZE);
    return this.requestAt(start === null ? null : this.noChunks.covering(start, count << CHUNK_SHIFT));
  }

  /** Enough chunks for `bytes` bytes, anywhere. */
  allocateBytes(bytes: u64): AllocResult<Allocated<A, C, R>> {
    const rest: u64 = (bytes & 0xfffn) === 0n ? 0n : 1n;
    return this.allocate((bytes >> CHUNK_SHIFT) + rest);
  }

  /** The chunks holding the `bytes` bytes from `addr`. */
  allocateBytesAt(addr: A, bytes: u64): AllocResult<Allocated<A, C, R>> {
    return this.requestAt(this.noChunks.covering(addr, bytes));
  }

  /**
   * `count` chunks whose first address is a multiple of `alignBytes`, which must be a power
   * of two (else InvalidRequest). Theseus accepts any alignment in pages; Keel keeps powers
   * of two on purpose: every alignment hardware asks for is one (page sizes 4 KiB / 2 MiB /
   * 1 GiB, DMA and cache-line boundaries, page-table frames), every other alignment rule of
   * the API (Address.isAligned, alignUp, alignDown) is the same rule, and a value that is not
   * a power of two is almost always a size passed where an alignment was meant, which an
   * error catches and a silent "multiple of 3 pages" would not.
   */
  allocateAligned(count: u64, alignBytes: u64): AllocResult<Allocated<A, C, R>> {
    if (!isPowerOfTwo(alignBytes)) return this.failure(AllocError.InvalidRequest);
    return this.request(count, alignBytes > 0x1000n ? alignBytes >> CHUNK_SHIFT : 1n, 0n, MAX_CHUNK_NUMBER);
  }

  /** `count` chunks anywhere inside `range`. */
  allocateIn(range: R, count: u64): AllocResult<Allocated<A, C, R>> {
    if (range.isEmpty()) return this.failure(AllocError.InvalidRequest);
    return this.request(count, 1n, range.firstNumber(), range.lastNumber());
  }

  /** Exactly `range`, all of which must lie in reserved regions and be free. */
  allocateReserved(range: R): AllocResult<Allocated<A, C, R>> {
    if (range.isEmpty()) return this.failure(AllocError.InvalidRequest);
    const f = range.firstNumber();
    const l = range.lastNumber();
    using g = this.locked();
    if (!this.reservedRegions.containsAll(f, l)) return this.failure(AllocError.NotReserved);
    return this.take(this.freeReserved, range, true, AllocError.AddressInUse);
  }

  // The counts are exact while no other CPU is inside an allocator call (each CPU's
  // magazine is read without its owner's knowledge); they never include a chunk twice.

  /** Free chunks available to ordinary requests (those in every CPU's magazine included). */
  freeChunks(): u64 {
    using g = this.lock.acquire();
    return this.free.chunkCount() + this.inMagazines();
  }

  /** Free single chunks held in the calling CPU's magazine, outside the free regions. */
  magazineSize(): u32 {
    return this.magazineSizeOf(currentCpu());
  }

  /** Chunk `i` of those in the calling CPU's magazine (0 = oldest). */
  magazineChunk(i: u32): R {
    return this.magazineChunkOf(currentCpu(), i);
  }

  /** Free single chunks in CPU `cpu`'s magazine (0 before its first single-chunk request). */
  magazineSizeOf(cpu: u32): u32 {
    const m = this.magazines[cpu];
    return m === null ? 0 : m.size();
  }

  /** Chunk `i` of those in CPU `cpu`'s magazine (0 = oldest); for checks while that CPU is not in the allocator. */
  magazineChunkOf(cpu: u32, i: u32): R {
    const m = this.magazines[cpu];
    if (m === null) return panic(`ChunkAllocator.magazineChunkOf: CPU ${cpu} has no magazine`);
    return this.noChunks.withNumbers(m.at(i), 1n);
  }

  /** Free chunks in reserved regions. */
  freeReservedChunks(): u64 {
    using g = this.lock.acquire();
    return this.freeReserved.chunkCount();
  }

  /** Chunks held by live allocations: what is managed and not free. */
  allocatedChunks(): u64 {
    using g = this.lock.acquire();
    return this.liveChunks();
  }

  /** Number of free regions (ordinary or reserved). */
  freeRegionCount(reserved: bool): u32 {
    using g = this.lock.acquire();
    return reserved ? this.freeReserved.regionCount() : this.free.regionCount();
  }

  /** The lowest free region (ordinary or reserved) starting at chunk number `from` or above; empty when none. Chunks in magazines are not in a free region. */
  freeRegionFrom(reserved: bool, from: u64): R {
    using g = this.lock.acquire();
    const set: RegionSet = reserved ? this.freeReserved : this.free;
    const h = set.ceiling(from);
    if (h === NO_REGION) return this.noChunks;
    return this.noChunks.withNumbers(set.first(h), set.last(h) - set.first(h) + 1n);
  }

  /** Takes back the chunks of a released allocation; only Allocated.release can call it. */
  reclaim(chunks: R, reserved: bool, _issuer: Issuer): void {
    // The fast path: a single ordinary chunk into the CPU's magazine, which has room.
    const first = chunks.firstNumber();
    if (!reserved && chunks.sizeInChunks() === 1n && this.poison === null) {
      const m = this.magazines[currentCpu()];
      if (m !== null && !m.isFull()) {
        m.put(first);
        return;
      }
    }
    this.reclaimSlow(chunks, reserved);
  }

  /** Everything reclaim's fast path leaves: a first magazine, a full one, the debug hook, runs, reserved chunks (those under the lock). */
  private reclaimSlow(chunks: R, reserved: bool): void {
    const first = chunks.firstNumber();
    const last = chunks.lastNumber();
    if (!reserved && first === last) {
      const m = this.ownMagazine();
      if (m !== null) {
        this.keepSingle(m, first);
        return;
      }
    }
    using g = this.locked();
    if (reserved) this.freeReserved.give(first, last);
    else this.free.give(first, last);
    const hook = this.poison;
    if (hook !== null && !reserved) framesReleased(hook, first, last);
  }

  /** The calling CPU's magazine, made if it has none yet (null when it cannot be now: makeMagazine). For the slow paths. */
  private ownMagazine(): Magazine | null {
    const cpu = currentCpu();
    const mine = this.magazines[cpu];
    return mine !== null ? mine : this.makeMagazine(cpu);
  }

  /**
   * A new magazine for CPU `cpu` (its first single-chunk request); null when it cannot be
   * made now: making one takes heap memory, and the heap may need a lock this CPU holds (the
   * mapper takes table frames under its lock; the heap grows through the mapper). Then the
   * request goes to the locked core instead. (The callers read `magazines` themselves: the
   * fast path stays inline.)
   */
  private makeMagazine(cpu: u32): Magazine | null {
    if (locksHeldByMe() !== 0) return null;
    const m = new Magazine();
    this.magazines[cpu] = m;
    this.magazineCount++;
    return m;
  }

  /** One ordinary chunk in O(1): from the calling CPU's magazine, refilled in a batch (under the lock) when empty. */
  private allocateOne(): AllocResult<Allocated<A, C, R>> {
    // The fast path: the CPU's magazine has a chunk.
    const m = this.magazines[currentCpu()];
    if (m !== null && !m.isEmpty() && this.poison === null) return this.issueSingle(m.takeNewest());
    return this.allocateOneSlow();
  }

  /** Everything allocateOne's fast path leaves: a first magazine, an empty one (refill), the debug hook. */
  private allocateOneSlow(): AllocResult<Allocated<A, C, R>> {
    const m = this.ownMagazine();
    if (m === null) return this.request(1n, 1n, 0n, MAX_CHUNK_NUMBER);
    if (m.isEmpty() && !this.refill(m)) return this.failure(AllocError.OutOfMemory);
    const num: u64 = m.takeNewest();
    const hook = this.poison;
    if (hook !== null) this.seeAllocated(hook, num);
    return this.issueSingle(num);
  }

  /** The allocation of single ordinary chunk `num`. */
  private issueSingle(num: u64): AllocResult<Allocated<A, C, R>> {
    return new AllocResult<Allocated<A, C, R>>(new Allocated<A, C, R>(this, this.noChunks.single(num), false, ISSUER), AllocError.None);
  }

  /** A released single chunk goes to the CPU's magazine; a full one first gives its older half back. */
  private keepSingle(m: Magazine, num: u64): void {
    const hook = this.poison;
    if (hook !== null) this.seeReleased(hook, num);
    if (m.isFull()) {
      using g = this.locked();
      this.giveBack(m, MAGAZINE_BATCH);
    }
    m.put(num);
  }

  /** The debug hook's view of a single chunk handed out from a magazine (under the lock: the hook's state is shared). */
  private seeAllocated(hook: FramePoison, num: u64): void {
    using g = this.lock.acquire();
    framesAllocated(hook, num, num);
  }

  /** The debug hook's view of a single chunk released into a magazine. */
  private seeReleased(hook: FramePoison, num: u64): void {
    using g = this.lock.acquire();
    framesReleased(hook, num, num);
  }

  /**
   * Moves up to MAGAZINE_BATCH chunks from the start of the lowest free region into `m`
   * (one region-set operation, never a split), lowest taken first; false when there are none.
   */
  private refill(m: Magazine): bool {
    using g = this.locked();
    const h = this.free.lowest();
    if (h === NO_REGION) return false;
    const first = this.free.first(h);
    const room: u64 = this.free.last(h) - first;
    const last: u64 = room < u64(MAGAZINE_BATCH) - 1n ? first + room : first + (u64(MAGAZINE_BATCH) - 1n);
    if (this.free.take(first, last) !== TakeStatus.Taken) panic("ChunkAllocator.refill: the start of a free region could not be taken");
    for (let n: u64 = last; n > first; n--) m.put(n);
    m.put(first);
    return true;
  }

  /** Gives the oldest `count` chunks of `m` back to the free regions (under the lock). */
  private giveBack(m: Magazine, count: u32): void {
    this.lock.assertHeld();
    for (let i: u32 = 0; i < count; i++) this.free.give(m.at(i), m.at(i));
    m.dropOldest(count);
  }

  /** Puts every chunk of the calling CPU's magazine back into the free regions (before counting regions; other CPUs' magazines are theirs to flush). */
  flushMagazine(): void {
    using g = this.locked();
    this.flushOwnMagazine();
  }

  /** flushMagazine's work, under the lock. */
  private flushOwnMagazine(): void {
    const m = this.magazines[currentCpu()];
    if (m !== null && !m.isEmpty()) this.giveBack(m, m.size());
  }

  /** Chunks in every CPU's magazine. */
  private inMagazines(): u64 {
    let n: u64 = 0n;
    if (this.magazineCount === 0) return n;
    for (let cpu: u32 = 0; cpu < MAX_CPUS; cpu++) {
      const m = this.magazines[cpu];
      if (m !== null) n += u64(m.size());
    }
    return n;
  }

  /** Allocated chunks (under the lock): managed minus free. */
  private liveChunks(): u64 {
    return this.managed - this.free.chunkCount() - this.freeReserved.chunkCount() - this.inMagazines();
  }

  /** Free chunks in the region sets (ordinary and reserved); initialisation changes `managed` by its change. */
  private freeTotal(): u64 {
    return this.free.chunkCount() + this.freeReserved.chunkCount();
  }

  /**
   * Takes the lock with at least NODES_PER_OPERATION free nodes in the pool. A pool short
   * of them grows with the lock not held: its new storage comes from the heap, which may
   * grow and so call this allocator (and take its lock) first.
   */
  private locked(): SpinGuard {
    for (;;) {
      const g = this.lock.acquire();
      const pool = this.pool;
      if (pool === null || !pool.canGrow() || pool.available() >= NODES_PER_OPERATION) return g;
      const capacity = pool.capacity();
      g.release();
      this.growPool(pool, capacity);
    }
  }

  /** Doubles `pool` (of `capacity` nodes when the caller looked) unless another CPU grew it meanwhile. */
  private growPool(pool: NodePool, capacity: u32): void {
    const storage = new NodeStorage(capacity * 2);
    using g = this.lock.acquire();
    if (pool.capacity() < storage.capacity) pool.adopt(storage);
  }

  /** The lowest aligned run of `count` free ordinary chunks inside [lo, hi]. */
  private request(count: u64, align: u64, lo: u64, hi: u64): AllocResult<Allocated<A, C, R>> {
    if (count === 0n) return this.failure(AllocError.InvalidRequest);
    using g = this.locked();
    this.flushOwnMagazine();
    const s = this.free.findFit(count, align, lo, hi);
    if (s === NO_FIT) return this.failure(AllocError.OutOfMemory);
    return this.take(this.free, this.noChunks.withNumbers(s, count), false, AllocError.OutOfMemory);
  }

  /** Exactly `range` (null or empty: invalid) from the free ordinary chunks. */
  private requestAt(range: R | null): AllocResult<Allocated<A, C, R>> {
    if (range === null || range.isEmpty()) return this.failure(AllocError.InvalidRequest);
    using g = this.locked();
    if (this.reservedRegions.overlapsAny(range.firstNumber(), range.lastNumber())) return this.failure(AllocError.AddressReserved);
    this.flushOwnMagazine();
    return this.take(this.free, range, false, AllocError.AddressInUse);
  }

  /** Removes `range` from `set` and issues it (under the lock); `missing` is the error when it is not all there. */
  private take(set: RegionSet, range: R, reserved: bool, missing: AllocError): AllocResult<Allocated<A, C, R>> {
    this.lock.assertHeld();
    const status = set.take(range.firstNumber(), range.lastNumber());
    if (status === TakeStatus.NotInSet) return this.failure(missing);
    if (status === TakeStatus.NoRoom) return this.failure(AllocError.RegionTableFull);
    const hook = this.poison;
    if (hook !== null && !reserved) framesAllocated(hook, range.firstNumber(), range.lastNumber());
    return new AllocResult<Allocated<A, C, R>>(new Allocated<A, C, R>(this, range, reserved, ISSUER), AllocError.None);
  }

  private failure(error: AllocError): AllocResult<Allocated<A, C, R>> {
    return new AllocResult<Allocated<A, C, R>>(null, error);
  }

  private checkInitialising(what: string): void {
    const live = this.liveChunks();
    if (live !== 0n) panic(`ChunkAllocator.${what}: called while ${live} chunks are allocated`);
  }
}
