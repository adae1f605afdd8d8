// In-kernel tests of the kernel's page tables, the mapper and MappedPages (after initMemory):
// mappings are checked by walking the tables the kernel loaded into CR3 and by real memory
// accesses through the new mapping and through the direct map.
import { u64, type bool, type u8, type u32 } from "../lib/int";
import { println } from "../lib/console";
import { expect, expectEqU64 } from "../lib/ktap";
import {
  bootStackGuard, doubleFaultStackBottom, kernelBssEnd, kernelBssStart, kernelDataStart, kernelRodataStart, kernelTextStart, kernelVma, load64, readCr3, store64,
} from "../lib/intrinsics";
import { cpuHas1GiBPages, kernelPageTables } from "../boot/memory_init";
import { type AllocatedFrames, type AllocatedPages, AllocError, frameAllocator, pageAllocator } from "../mm/alloc";
import {
  DIRECT_MAP_BASE, Frame, HUGE_1G, type HugeSize, Page, PageRange, PhysicalAddress, SIZE_1GIB, SIZE_2MIB, VirtualAddress, hugeFrames, hugePages,
} from "../mm/addr";
import {
  ENTRY_ADDRESS_MASK, ENTRY_HUGE, ENTRY_NO_EXECUTE, ENTRY_WRITABLE, isPresent, MapError, type MappedPages, PageFlags, mapHugePage, unmapHugePage,
} from "../mm/paging";
import { FrameList } from "./frame_list";

function va(x: u64): VirtualAddress {
  const v = VirtualAddress.checked(x);
  expect(v !== null, "canonical address");
  return v === null ? VirtualAddress.canonical(x) : v;
}

function somePages(count: u64): AllocatedPages | null {
  return pageAllocator.allocate(count).allocated;
}

function someFrames(count: u64): AllocatedFrames | null {
  return frameAllocator.allocate(count).allocated;
}

/** Maps `count` fresh pages to fresh frames read-write; null (test failed) on any error. */
function mapFresh(count: u64): MappedPages | null {
  const pages = somePages(count);
  const frames = someFrames(count);
  if (pages === null || frames === null) {
    expect(false, "pages and frames available");
    if (pages !== null) pages.release();
    if (frames !== null) frames.release();
    return null;
  }
  const r = kernelPageTables().map(pages, frames, PageFlags.readWrite());
  expect(r.error === MapError.None, "map succeeds");
  return r.mapped;
}

/** CR3 holds the kernel's P4, and the lower half (the boot stub's identity map) is gone. */
export function testKernelTablesLoaded(): void {
  const m = kernelPageTables();
  expectEqU64(readCr3() & ENTRY_ADDRESS_MASK, m.p4Address(), "CR3");
  expect(m.translate(va(0x10_0000n)) === null, "1 MiB (identity) unmapped");
  expect(m.translate(va(0n)) === null, "0 unmapped");
  expect(m.translate(va(0xb8000n)) === null, "VGA (identity) unmapped");
  for (let i: u32 = 0; i < 256; i++) expectEqU64(load64(DIRECT_MAP_BASE + m.p4Address() + u64(i) * 8n), 0n, "lower-half P4 entry");
}

/** Sections: text R-X, rodata R-- NX, data/bss RW- NX; no writable+executable page; guard unmapped. */
export function testSectionPermissions(): void {
  const m = kernelPageTables();
  const text = m.leafEntry(va(kernelTextStart()));
  expect(isPresent(text), "text mapped");
  expect((text & ENTRY_WRITABLE) === 0n, "text not writable");
  expect((text & ENTRY_NO_EXECUTE) === 0n, "text executable");
  const ro = m.leafEntry(va(kernelRodataStart()));
  expect(isPresent(ro) && (ro & ENTRY_WRITABLE) === 0n && (ro & ENTRY_NO_EXECUTE) !== 0n, "rodata read-only NX");
  const data = m.leafEntry(va(kernelDataStart()));
  expect(isPresent(data) && (data & ENTRY_WRITABLE) !== 0n && (data & ENTRY_NO_EXECUTE) !== 0n, "data RW NX");
  expect(!isPresent(m.leafEntry(va(bootStackGuard()))), "boot stack guard unmapped");
  expect(m.translate(va(bootStackGuard() + 0x1000n)) !== null, "boot stack mapped");
  expect(!isPresent(m.leafEntry(va(doubleFaultStackBottom() - 0x1000n))), "double-fault stack guard unmapped");
  expect(m.translate(va(doubleFaultStackBottom())) !== null, "double-fault stack mapped");
  // Every page of the image: physical = virtual - KERNEL_VMA, never W+X; a 2 MiB block
  // of the image without a guard page in it is one 2 MiB page (memory_init's mapSection).
  let wx: u64 = 0n;
  let wrong: u64 = 0n;
  let hugeBlocks: u64 = 0n;
  let wholeBlocks: u64 = 0n;
  for (let a: u64 = kernelTextStart(); a < kernelBssEnd(); a += 0x1000n) {
    const e = m.leafEntry(va(a));
    if (!isPresent(e)) continue;
    if ((e & ENTRY_WRITABLE) !== 0n && (e & ENTRY_NO_EXECUTE) === 0n) wx += 1n;
    const phys = m.translate(va(a));
    if (phys === null || phys.value() !== a - kernelVma()) wrong += 1n;
    if ((a & 0x1f_ffffn) === 0n && a >= kernelBssStart() && a + 0x20_0000n <= kernelBssEnd() && !guardIn(a)) {
      wholeBlocks += 1n;
      if ((e & ENTRY_HUGE) !== 0n) hugeBlocks += 1n;
    }
  }
  expectEqU64(wx, 0n, "writable and executable pages");
  expectEqU64(wrong, 0n, "image pages not at their load address");
  expect(wholeBlocks > 0n, ".bss (with the test image's 4 MiB object arena) holds a whole 2 MiB block");
  expectEqU64(hugeBlocks, wholeBlocks, ".bss 2 MiB blocks mapped as 2 MiB pages");
}

/** True when a stack guard page lies in the 2 MiB block at `block`. */
function guardIn(block: u64): bool {
  const boot = bootStackGuard();
  const df: u64 = doubleFaultStackBottom() - 0x1000n;
  return (boot >= block && boot < block + 0x20_0000n) || (df >= block && df < block + 0x20_0000n);
}

/** The first 2 MiB page mapping the image's .bss (testSectionPermissions checks there is one). */
function imageHugePage(): u64 {
  const m = kernelPageTables();
  const first: u64 = (kernelBssStart() + 0x1f_ffffn) & ~0x1f_ffffn;
  for (let a: u64 = first; a + 0x20_0000n <= kernelBssEnd(); a += 0x20_0000n) if ((m.leafEntry(va(a)) & ENTRY_HUGE) !== 0n) return a;
  expect(false, "a 2 MiB page in .bss");
  return first;
}

/** Maps, writes, reads back through the mapping and through the direct map; translate agrees. */
export function testMapWriteReadBack(): void {
  const m = kernelPageTables();
  const fresh = mapFresh(3n);
  if (fresh === null) return;
  using mp = fresh;
  const size = mp.sizeInBytes();
  expectEqU64(size, 3n * 4096n, "size");
  for (let off: u64 = 0n; off < size; off += 512n) mp.write64(off, 0x5a5a_0000_0000_0000n | off);
  mp.write8(size - 1n, 0x7e);
  let bad: u64 = 0n;
  for (let off: u64 = 0n; off < size; off += 512n) if (mp.read64(off) !== (0x5a5a_0000_0000_0000n | off)) bad += 1n;
  expectEqU64(bad, 0n, "words read back through the mapping");
  const u8Back: u8 = mp.read8(size - 1n);
  expect(u8Back === 0x7e, "last byte");
  const firstFrame: u64 = mp.frameRange().firstNumber() << 12n;
  for (let p: u64 = 0n; p < 3n; p++) {
    const phys = m.translate(va(mp.start().value() + p * 4096n + 0x10n));
    expect(phys !== null, "page translates");
    if (phys !== null) expectEqU64(phys.value(), firstFrame + p * 4096n + 0x10n, "translate = frame + offset");
  }
  expectEqU64(load64(DIRECT_MAP_BASE + firstFrame + 4096n + 512n), 0x5a5a_0000_0000_0000n | (4096n + 512n), "read through the direct map");
  store64(DIRECT_MAP_BASE + firstFrame + 8n, 0x1234_5678_9abc_def0n);
  expectEqU64(mp.read64(8n), 0x1234_5678_9abc_def0n, "direct-map write seen through the mapping");
  const f = m.flagsOf(mp.start());
  expect(f !== null && f.isWritable() && !f.isExecutable(), "RW- NX");
}

/** Release unmaps (entries cleared, translate null) and gives pages and frames back; prune gives the emptied tables back. */
export function testReleaseUnmaps(): void {
  const m = kernelPageTables();
  const before = new Counts();
  const mp = mapFresh(2n);
  if (mp === null) return;
  const start = mp.start();
  expect(m.translate(start) !== null, "mapped before release");
  mp.release();
  expect(m.translate(start) === null, "translate after release");
  expect(!isPresent(m.leafEntry(start)), "entry cleared");
  before.expectSame();
}

/** What a leak would change: free frames, free pages and table frames, taken after prune gave the empty tables back. A value class. */
class Counts {
  readonly frames: u64;
  readonly pages: u64;
  readonly tables: u64;

  constructor() {
    kernelPageTables().prune();
    this.frames = frameAllocator.freeChunks();
    this.pages = pageAllocator.freeChunks();
    this.tables = kernelPageTables().tableFrameCount();
  }

  /** Checks that the counts are back where they were (after a prune). */
  expectSame(): void {
    const now = new Counts();
    expectEqU64(now.frames, this.frames, "frames (and emptied tables, after prune) given back");
    expectEqU64(now.pages, this.pages, "pages given back");
    expectEqU64(now.tables, this.tables, "table frames as before (the empty ones freed by prune)");
  }
}

/** One error per cause; a failed map gives its pages and frames back. */
export function testMapErrors(): void {
  const m = kernelPageTables();
  const freeFrames = frameAllocator.freeChunks();
  const freePages = pageAllocator.freeChunks();
  const p2 = somePages(2n);
  const f1 = someFrames(1n);
  if (p2 === null || f1 === null) {
    expect(false, "pages and frames");
    return;
  }
  const r = m.map(p2, f1, PageFlags.readWrite());
  expect(r.error === MapError.SizeMismatch && r.mapped === null, "size mismatch");
  const p1 = somePages(1n);
  const g1 = someFrames(1n);
  if (p1 === null || g1 === null) {
    // Fails rather than skipping the rest of the test silently.
    expect(false, "a page and a frame for the W+X case");
    if (p1 !== null) p1.release();
    if (g1 !== null) g1.release();
    return;
  }
  const wx = m.map(p1, g1, PageFlags.readWrite().withExecutable(true));
  expect(wx.error === MapError.WritableAndExecutable, "writable and executable refused");
  expectEqU64(frameAllocator.freeChunks(), freeFrames, "frames given back after failures");
  expectEqU64(pageAllocator.freeChunks(), freePages, "pages given back after failures");
  const fresh = mapFresh(1n);
  if (fresh === null) return;
  using mp = fresh;
  const page = mp.pageRange().iterAt(0n);
  const other = Frame.containing(PhysicalAddress.canonical(0x20_0000n));
  const again = m.mapPage(page, other, PageFlags.readWrite());
  expect(again.error === MapError.AlreadyMapped, "already mapped");
  const there = again.existing;
  expect(there !== null && there.number() === mp.frameRange().firstNumber(), "already mapped: names the frame there");
  // Inside a 2 MiB page of the image's .bss (the direct map has 4 KiB pages in test builds); nothing there changes.
  const huge = va(imageHugePage() + 0x3000n);
  expect(m.mapPage(Page.containing(huge), other, PageFlags.readWrite()).error === MapError.HugePageInTheWay, "huge page in the way");
  expect(m.unmapPage(Page.containing(huge)).error === MapError.HugePageInTheWay, "unmap inside a huge page");
  expect(m.mapHuge2M(huge, other.start(), PageFlags.readWrite()).error === MapError.Misaligned, "misaligned huge page");
  const text = va(kernelTextStart());
  expect(m.remapPage(Page.containing(text), PageFlags.readWrite().withExecutable(true)).error === MapError.WritableAndExecutable, "remap to W+X refused");
  const far = va(0xffff_d000_0000_0000n);
  expect(m.unmapPage(Page.containing(far)).error === MapError.NotMapped, "unmap of an unmapped page");
}

/** translate through the direct map (2 MiB pages in the run image, 4 KiB pages in test builds, whose free frames leave it). */
export function testTranslateDirectMap(): void {
  const m = kernelPageTables();
  const a = va(DIRECT_MAP_BASE + 0x12_3456n);
  const p = m.translate(a);
  expect(p !== null, "direct map translates");
  if (p !== null) expectEqU64(p.value(), 0x12_3456n, "physical");
  const e = m.leafEntry(a);
  expect(isPresent(e) && (e & ENTRY_NO_EXECUTE) !== 0n && (e & ENTRY_WRITABLE) !== 0n, "direct map RW NX");
}

/** Test builds (debug pagealloc): a released frame leaves the direct map; handed out again, it is back, writable. */
export function testFreedFrameLeavesDirectMap(): void {
  const m = kernelPageTables();
  const f = someFrames(3n);
  if (f === null) {
    expect(false, "frames available");
    return;
  }
  const first = f.range().start();
  if (first === null) {
    expect(false, "a frame");
    return;
  }
  const phys: u64 = first.startValue();
  const direct = va(DIRECT_MAP_BASE + phys);
  expect(m.translate(direct) !== null, "an allocated frame is in the direct map");
  f.release();
  for (let i: u64 = 0n; i < 3n; i++) expect(m.translate(va(DIRECT_MAP_BASE + phys + i * 0x1000n)) === null, "each released frame left the direct map");
  const again = frameAllocator.allocateAt(first.start(), 2n).allocated;
  if (again === null) {
    expect(false, "the frames can be allocated again");
    return;
  }
  expect(m.translate(direct) !== null && m.translate(va(DIRECT_MAP_BASE + phys + 0x1000n)) !== null, "handed out again, both are back");
  expect(m.translate(va(DIRECT_MAP_BASE + phys + 0x2000n)) === null, "the third, still free, is not");
  store64(DIRECT_MAP_BASE + phys + 0x1ff8n, 0x5a5an);
  expectEqU64(load64(DIRECT_MAP_BASE + phys + 0x1ff8n), 0x5a5an, "written and read back through the direct map");
  again.release();
}

/** remap changes the flags in the entry (read-only, then back). */
export function testRemap(): void {
  const m = kernelPageTables();
  const fresh = mapFresh(2n);
  if (fresh === null) return;
  using mp = fresh;
  mp.write64(0n, 77n);
  mp.remap(PageFlags.readOnly());
  const f = m.flagsOf(mp.start());
  expect(f !== null && !f.isWritable(), "read-only after remap");
  expectEqU64(mp.read64(0n), 77n, "still readable");
  mp.remap(PageFlags.readWrite());
  mp.write64(8n, 78n);
  expectEqU64(mp.read64(8n), 78n, "writable again");
}

/**
 * Exhausts the frame allocator (largest runs first), checks that a map needing a table
 * fails with OutOfFrames and gives its frame back, then refills and checks every frame came back.
 */
export function testExhaustAndRefill(): void {
  const m = kernelPageTables();
  const before = frameAllocator.freeChunks();
  const spare = someFrames(1n);
  const far = pageAllocator.allocateIn(pagesFarAway(), 1n).allocated;
  if (spare === null || far === null) {
    expect(false, "a spare frame and a far page");
    return;
  }
  let held: FrameList | null = null;
  let taken: u64 = 0n;
  let run: u64 = 0x10_0000n;
  while (run > 0n) {
    const r = frameAllocator.allocate(run);
    const f = r.allocated;
    if (f === null) {
      expect(r.error === AllocError.OutOfMemory, "only out of memory");
      run = run >> 1n;
      continue;
    }
    taken += f.sizeInChunks();
    held = new FrameList(f, held);
  }
  expectEqU64(taken + 1n, before, "every free frame handed out once");
  expectEqU64(frameAllocator.freeChunks(), 0n, "none left");
  const r = m.map(far, spare, PageFlags.readWrite());
  expect(r.error === MapError.OutOfFrames, "map without table frames fails");
  expectEqU64(frameAllocator.freeChunks(), 1n, "the map gave its frame back");
  let h = held;
  while (h !== null) {
    h.releaseFrames();
    h = h.next;
  }
  expectEqU64(frameAllocator.freeChunks(), before, "refilled");
}

/** Ordinary pages far from the others (a fresh P3 region: mapping there needs new tables). */
function pagesFarAway(): PageRange {
  return PageRange.empty().withNumbers(0xffff_e000_0000_0000n >> 12n, 0x1000n);
}

/**
 * Maps a huge page of `size` at fresh pages aligned to it onto the huge frame holding a frame
 * the test owns, writes through it and reads back through the direct map (and the other way),
 * translates it (with the page size), unmaps it; pages, frames and tables all come back.
 */
function hugeMapWriteReadBack<S extends HugeSize<S>>(size: S): void {
  const m = kernelPageTables();
  const before = new Counts();
  const owned = someFrames(1n);
  const window = pageAllocator.allocateAligned(size.chunks(), size.bytes()).allocated;
  if (owned === null || window === null) {
    expect(false, "a frame and an aligned run of pages");
    if (owned !== null) owned.release();
    if (window !== null) window.release();
    return;
  }
  const frame = owned.start();
  const hf = hugeFrames(size).containing(frame);
  const hp = hugePages(size).at(window.start());
  expect(hp !== null, "the aligned run starts a huge page");
  if (hp !== null) {
    expect(mapHugePage(m, hp, hf, PageFlags.readWrite()).error === MapError.None, "huge page mapped");
    // Only the frame the test owns is touched, through both aliases.
    const alias: u64 = hp.startValue() + (frame.startValue() - hf.startValue());
    const direct: u64 = DIRECT_MAP_BASE + frame.startValue();
    store64(alias + 8n, 0x4855_4745_0000_0001n);
    expectEqU64(load64(direct + 8n), 0x4855_4745_0000_0001n, "written through the huge page, read through the direct map");
    store64(direct + 0xff8n, 0x4855_4745_0000_0002n);
    expectEqU64(load64(alias + 0xff8n), 0x4855_4745_0000_0002n, "written through the direct map, read through the huge page");
    const t = m.translateMapping(VirtualAddress.canonical(alias + 0x123n));
    expect(t !== null, "the huge page translates");
    if (t !== null) {
      expectEqU64(t.address.value(), frame.startValue() + 0x123n, "translate = frame + offset");
      expectEqU64(t.pageSize, size.bytes(), "translate reports the huge page's size");
      expect(t.flags.isWritable() && !t.flags.isExecutable(), "RW- NX");
    }
    expect(m.unmapPage(Page.containing(VirtualAddress.canonical(alias))).error === MapError.HugePageInTheWay, "no 4 KiB unmap inside the huge page");
    expect(unmapHugePage(m, hp).error === MapError.None, "huge page unmapped");
    expect(m.translate(VirtualAddress.canonical(alias)) === null, "not mapped after the unmap");
    expect(unmapHugePage(m, hp).error === MapError.NotMapped, "a second unmap finds nothing");
  }
  window.release();
  owned.release();
  before.expectSame();
}

/** A 2 MiB page: map, write and read through two aliases, translate, unmap. */
export function testHugePage2M(): void {
  hugeMapWriteReadBack(SIZE_2MIB);
}

/**
 * A 1 GiB page likewise when CPUID reports 1 GiB pages (QEMU `-cpu max`; the boot matrix
 * has such a machine); otherwise the direct map must have used none.
 */
export function testHugePage1G(): void {
  if (cpuHas1GiBPages()) {
    println("# CPUID reports 1 GiB pages: mapping one");
    hugeMapWriteReadBack(SIZE_1GIB);
    return;
  }
  println("# CPUID reports no 1 GiB pages: checking the direct map has none");
  const m = kernelPageTables();
  let oneGiB: u64 = 0n;
  for (let a: u64 = 0n; a < 0x1_0000_0000n; a += HUGE_1G) {
    const t = m.translateMapping(VirtualAddress.canonical(DIRECT_MAP_BASE + a));
    if (t !== null && t.pageSize === HUGE_1G) oneGiB++;
  }
  expectEqU64(oneGiB, 0n, "1 GiB pages in the direct map of a CPU without them");
}
