// In-kernel tests of the kernel's page tables, the mapper and MappedPages (after initMemory):
// mappings are checked by walking the tables the kernel loaded into CR3 and by real memory
// accesses through the new mapping and through the direct map.
import { u64, type bool, type u8, type u32 } from "../lib/int";
import { expect, expectEqU64 } from "../lib/ktap";
import {
  bootStackGuard, doubleFaultStackBottom, kernelBssEnd, kernelBssStart, kernelDataStart, kernelRodataStart, kernelTextStart, kernelVma, load64, readCr3, store64,
} from "../lib/intrinsics";
import { kernelPageTables } from "../boot/memory_init";
import { type AllocatedFrames, type AllocatedPages, AllocError, frameAllocator, pageAllocator } from "../mm/alloc";
import { DIRECT_MAP_BASE, Frame, Page, PageRange, PhysicalAddress, VirtualAddress } from "../mm/addr";
import { ENTRY_ADDRESS_MASK, ENTRY_HUGE, ENTRY_NO_EXECUTE, ENTRY_WRITABLE, isPresent, MapError, type MappedPages, PageFlags } from "../mm/paging";
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
  expect(wholeBlocks > 0n, ".bss (with keelc's 4 MiB object arena) holds a whole 2 MiB block");
  expectEqU64(hugeBlocks, wholeBlocks, ".bss 2 MiB blocks mapped as 2 MiB pages");
}

/** True when a stack guard page lies in the 2 MiB block at `block`. */
function guardIn(block: u64): bool {
  const boot = bootStackGuard();
  const df: u64 = doubleFaultStackBottom() - 0x1000n;
  return (boot >= block && boot < block + 0x20_0000n) || (df >= block && df < block + 0x20_0000n);
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
  m.prune();
  const freeFrames = frameAllocator.freeChunks();
  const freePages = pageAllocator.freeChunks();
  const tables = m.tableFrameCount();
  const mp = mapFresh(2n);
  if (mp === null) return;
  const start = mp.start();
  expect(m.translate(start) !== null, "mapped before release");
  mp.release();
  expect(m.translate(start) === null, "translate after release");
  expect(!isPresent(m.leafEntry(start)), "entry cleared");
  m.prune();
  expectEqU64(frameAllocator.freeChunks(), freeFrames, "frames (and emptied tables, after prune) given back");
  expectEqU64(pageAllocator.freeChunks(), freePages, "pages given back");
  expectEqU64(m.tableFrameCount(), tables, "empty tables freed by prune");
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
  const huge = va(DIRECT_MAP_BASE + 0x20_0000n + 0x3000n);
  expect(m.mapPage(Page.containing(huge), other, PageFlags.readWrite()).error === MapError.HugePageInTheWay, "huge page in the way");
  expect(m.unmapPage(Page.containing(huge)).error === MapError.HugePageInTheWay, "unmap inside a huge page");
  expect(m.mapHuge2M(huge, other.start(), PageFlags.readWrite()).error === MapError.Misaligned, "misaligned huge page");
  const text = va(kernelTextStart());
  expect(m.remapPage(Page.containing(text), PageFlags.readWrite().withExecutable(true)).error === MapError.WritableAndExecutable, "remap to W+X refused");
  const far = va(0xffff_d000_0000_0000n);
  expect(m.unmapPage(Page.containing(far)).error === MapError.NotMapped, "unmap of an unmapped page");
}

/** translate is huge-page aware: the direct map uses 2 MiB pages. */
export function testTranslateHugePages(): void {
  const m = kernelPageTables();
  const a = va(DIRECT_MAP_BASE + 0x12_3456n);
  const p = m.translate(a);
  expect(p !== null, "direct map translates");
  if (p !== null) expectEqU64(p.value(), 0x12_3456n, "physical");
  const e = m.leafEntry(a);
  expect(isPresent(e) && (e & ENTRY_NO_EXECUTE) !== 0n && (e & ENTRY_WRITABLE) !== 0n, "direct map RW NX");
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
