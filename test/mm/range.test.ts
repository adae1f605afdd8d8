// PageRange and FrameRange: inclusive bounds, the empty range, set operations, iteration
// and the top of the address space.
import { describe, expect, it } from "vitest";
import { Frame, FrameRange, Page, PageRange, PhysicalAddress, VirtualAddress } from "../../kernel/mm/addr";
import { expectPanic, some, useSimulatedConsole } from "./support";

useSimulatedConsole();

const v = (x: bigint) => some(VirtualAddress.checked(x));
const p = (x: bigint) => some(PhysicalAddress.checked(x));
const page = (x: bigint) => Page.containing(v(x));
const frame = (x: bigint) => Frame.containing(p(x));
const pages = (a: bigint, b: bigint) => PageRange.of(page(a), page(b));
const frames = (a: bigint, b: bigint) => FrameRange.of(frame(a), frame(b));

describe("PageRange", () => {
  it("is inclusive at both ends", () => {
    const r = pages(0x5000n, 0x7000n);
    expect(`${r}`).toBe("v0x5000..=v0x7fff");
    expect(`${r.start()}`).toBe("Page(v0x5000)");
    expect(`${r.end()}`).toBe("Page(v0x7000)");
    expect(r.sizeInChunks()).toBe(3n);
    expect(r.sizeInBytes()).toBe(0x3000n);
    expect(r.firstNumber()).toBe(5n);
    expect(r.lastNumber()).toBe(7n);
    expect(r.isEmpty()).toBe(false);
    expect(`${pages(0x5000n, 0x5000n)}`).toBe("v0x5000..=v0x5fff");
  });

  it("has an explicit empty range", () => {
    const e = PageRange.empty();
    expect(e.isEmpty()).toBe(true);
    expect(e.sizeInChunks()).toBe(0n);
    expect(e.sizeInBytes()).toBe(0n);
    expect(e.start()).toBeNull();
    expect(e.end()).toBeNull();
    expect(`${e}`).toBe("empty");
    expect([...e]).toEqual([]);
    expect(e.contains(v(0n))).toBe(false);
    expect(e.containsChunk(page(0n))).toBe(false);
    expect(pages(0x7000n, 0x5000n).isEmpty()).toBe(true);
    expect(pages(0x7000n, 0x5000n).equals(e)).toBe(true);
    expect(e.overlap(pages(0n, 0x1000n))).toBeNull();
    expect(pages(0n, 0x1000n).overlap(e)).toBeNull();
    expect(pages(0n, 0x1000n).containsRange(e)).toBe(true);
    expect(e.containsRange(e)).toBe(true);
    expect(e.containsRange(pages(0n, 0n))).toBe(false);
    expectPanic(() => e.lastNumber(), "the range is empty");
    expectPanic(() => e.iterAt(0n), "index 0 out of 0");
  });

  it("answers contains, containsChunk, containsRange and overlap", () => {
    const r = pages(0x5000n, 0x7000n);
    expect(r.contains(v(0x5000n)) && r.contains(v(0x7fffn))).toBe(true);
    expect(r.contains(v(0x4fffn)) || r.contains(v(0x8000n))).toBe(false);
    expect(r.containsChunk(page(0x6000n)) && !r.containsChunk(page(0x8000n))).toBe(true);
    expect(r.containsRange(pages(0x5000n, 0x7000n)) && r.containsRange(pages(0x6000n, 0x6000n))).toBe(true);
    expect(r.containsRange(pages(0x4000n, 0x5000n)) || r.containsRange(pages(0x7000n, 0x8000n))).toBe(false);
    expect(`${r.overlap(pages(0x6000n, 0x9000n))}`).toBe("v0x6000..=v0x7fff");
    expect(`${r.overlap(pages(0x1000n, 0x5000n))}`).toBe("v0x5000..=v0x5fff");
    expect(`${r.overlap(pages(0x0n, 0x9000n))}`).toBe("v0x5000..=v0x7fff");
    expect(r.overlap(pages(0x8000n, 0x9000n))).toBeNull();
    expect(r.overlap(pages(0x1000n, 0x4000n))).toBeNull();
  });

  it("iterates with for…of and iterAt", () => {
    const seen: string[] = [];
    for (const pg of pages(0x5000n, 0x7000n)) seen.push(`${pg}`);
    expect(seen).toEqual(["Page(v0x5000)", "Page(v0x6000)", "Page(v0x7000)"]);
    expect(pages(0x5000n, 0x7000n).iterLength()).toBe(3n);
    expect(`${pages(0x5000n, 0x7000n).iterAt(2n)}`).toBe("Page(v0x7000)");
  });

  it("is correct at the very top of the address space", () => {
    const top = pages(0xffff_ffff_ffff_e000n, 0xffff_ffff_ffff_f000n);
    expect(`${top}`).toBe("v0xffffffffffffe000..=v0xffffffffffffffff");
    expect(top.sizeInChunks()).toBe(2n);
    expect([...top].map(String)).toEqual(["Page(v0xffffffffffffe000)", "Page(v0xfffffffffffff000)"]);
    expect(top.contains(v(0xffff_ffff_ffff_ffffn))).toBe(true);
    const higherHalf = pages(0xffff_8000_0000_0000n, 0xffff_ffff_ffff_f000n);
    expect(higherHalf.sizeInChunks()).toBe(0x8_0000_0000n);
    expect(higherHalf.sizeInBytes()).toBe(0x8000_0000_0000n);
    expect(higherHalf.containsRange(top)).toBe(true);
    const lowerHalf = pages(0n, 0x7fff_ffff_f000n);
    expect(`${lowerHalf}`).toBe("v0x0..=v0x7fffffffffff");
    expect(lowerHalf.overlap(higherHalf)).toBeNull();
  });

  it("refuses ranges across the non-canonical hole", () => {
    expectPanic(() => pages(0x7fff_ffff_f000n, 0xffff_8000_0000_0000n), "lie on both sides of an address hole");
  });

  it("builds from numbers and from byte spans", () => {
    expect(`${PageRange.empty().withNumbers(5n, 2n)}`).toBe("v0x5000..=v0x6fff");
    expect(PageRange.empty().withNumbers(5n, 0n).isEmpty()).toBe(true);
    expectPanic(() => PageRange.empty().withNumbers(0x7_ffff_ffffn, 2n), "include an invalid chunk");
    expectPanic(() => PageRange.empty().withNumbers(0x7_ffff_ffffn, 0xf_fff8_0000_0001n - 0x7_ffff_ffffn), "both sides of an address hole");
    expectPanic(() => PageRange.empty().withNumbers(0xf_ffff_ffff_ffffn, 2n), "pass the top");
    expect(`${PageRange.empty().covering(v(0x5ff0n), 0x20n)}`).toBe("v0x5000..=v0x6fff");
    expect(PageRange.empty().covering(v(0x5ff0n), 0n)?.isEmpty()).toBe(true);
    expect(PageRange.empty().covering(v(0xffff_ffff_ffff_f000n), 0x1001n)).toBeNull();
  });
});

describe("FrameRange", () => {
  it("shares the behaviour and prints physical addresses", () => {
    const r = frames(0x101000n, 0x103000n);
    expect(`${r}`).toBe("p0x101000..=p0x103fff");
    expect(r.sizeInBytes()).toBe(0x3000n);
    expect(`${r.overlap(frames(0x103000n, 0x200000n))}`).toBe("p0x103000..=p0x103fff");
    expect(FrameRange.empty().isEmpty()).toBe(true);
  });

  it("is correct at the last frame", () => {
    const top = frames(0xf_ffff_ffff_e000n, 0xf_ffff_ffff_f000n);
    expect(`${top}`).toBe("p0xfffffffffe000..=p0xfffffffffffff");
    expect(`${top.end()}`).toBe("Frame(p0xffffffffff000)");
    expect(top.sizeInChunks()).toBe(2n);
    const all = frames(0n, 0xf_ffff_ffff_f000n);
    expect(all.sizeInChunks()).toBe(0x100_0000_0000n);
    expect(all.sizeInBytes()).toBe(0x10_0000_0000_0000n);
    expect(all.containsRange(top)).toBe(true);
    expect(`${[...top].at(-1)}`).toBe("Frame(p0xffffffffff000)");
  });

  it("is not interchangeable with PageRange (checked by tsc)", () => {
    // @ts-expect-error a frame range is not a page range
    const asPages: PageRange = frames(0n, 0n);
    // @ts-expect-error frame ranges do not hold virtual addresses
    frames(0n, 0n).contains(v(0n));
    expect(asPages).toBeDefined();
  });
});
