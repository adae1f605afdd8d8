// Page and Frame: numbering, bounds, indices, neighbours at the ends of the address space.
import { describe, expect, it } from "vitest";
import { Frame, Page, PhysicalAddress, VirtualAddress } from "../../kernel/mm/addr";
import { some, useSimulatedConsole } from "./support";

useSimulatedConsole();

const v = (x: bigint) => some(VirtualAddress.checked(x));
const p = (x: bigint) => some(PhysicalAddress.checked(x));
const page = (x: bigint) => Page.containing(v(x));
const frame = (x: bigint) => Frame.containing(p(x));

describe("Page", () => {
  it("is the page containing an address, with start, end, number and format", () => {
    const pg = page(0x5abcn);
    expect(pg.number()).toBe(5n);
    expect(`${pg.start()}`).toBe("v0x5000");
    expect(`${pg.end()}`).toBe("v0x6000");
    expect(`${pg.lastAddress()}`).toBe("v0x5fff");
    expect(`${pg}`).toBe("Page(v0x5000)");
    expect(pg.contains(v(0x5000n)) && pg.contains(v(0x5fffn))).toBe(true);
    expect(pg.contains(v(0x4fffn)) || pg.contains(v(0x6000n))).toBe(false);
  });

  it("builds from a number only when the start is canonical", () => {
    expect(`${Page.fromNumber(0x7_ffff_ffffn)}`).toBe("Page(v0x7ffffffff000)");
    expect(Page.fromNumber(0x8_0000_0000n)).toBeNull();
    expect(`${Page.fromNumber(0xf_ffff_ffff_ffffn)}`).toBe("Page(v0xfffffffffffff000)");
    expect(Page.fromNumber(0x10_0000_0000_0000n)).toBeNull();
  });

  it("has P4..P1 indices from address bits 47..12", () => {
    const pg = page(0xffff_ffff_8020_3000n);
    expect([pg.p4Index(), pg.p3Index(), pg.p2Index(), pg.p1Index()]).toEqual([511, 510, 1, 3]);
    const lo = page(0x0000_0080_4020_1000n);
    expect([lo.p4Index(), lo.p3Index(), lo.p2Index(), lo.p1Index()]).toEqual([1, 1, 1, 1]);
    expect(page(0xffff_8000_0000_0000n).p4Index()).toBe(256);
  });

  it("is correct at the top of the address space and at the hole", () => {
    const top = page(0xffff_ffff_ffff_ffffn);
    expect(`${top}`).toBe("Page(v0xfffffffffffff000)");
    expect(top.end()).toBeNull();
    expect(`${top.lastAddress()}`).toBe("v0xffffffffffffffff");
    expect(top.next()).toBeNull();
    expect(`${top.prev()}`).toBe("Page(v0xffffffffffffe000)");
    const lowTop = page(0x7fff_ffff_f000n);
    expect(lowTop.end()).toBeNull(); // 0x8000_0000_0000 is not canonical
    expect(lowTop.next()).toBeNull();
    expect(page(0xffff_8000_0000_0000n).prev()).toBeNull();
    expect(page(0n).prev()).toBeNull();
    expect(page(0n).sub(1n)).toBeNull();
  });

  it("moves by whole pages within its half", () => {
    expect(`${page(0x5000n).add(3n)}`).toBe("Page(v0x8000)");
    expect(`${page(0x8000n).sub(3n)}`).toBe("Page(v0x5000)");
    expect(page(0x5000n).add(0x10_0000_0000_0000n)).toBeNull();
    expect(page(0x5000n).add(0x7_ffff_fffan)).not.toBeNull();
    expect(page(0x5000n).add(0x7_ffff_fffbn)).toBeNull();
  });

  it("orders by number", () => {
    expect(page(0x5000n).lt(page(0x6000n)) && page(0x5000n).le(page(0x5fffn))).toBe(true);
    expect(page(0x5000n).equals(page(0x5fffn))).toBe(true);
    expect(page(0x7000n).compare(page(0x6000n))).toBe(1);
  });
});

describe("Frame", () => {
  it("is the frame containing an address, with format", () => {
    const f = frame(0x101234n);
    expect(`${f}`).toBe("Frame(p0x101000)");
    expect(`${f.end()}`).toBe("p0x102000");
    expect(f.number()).toBe(0x101n);
    expect(f.contains(p(0x101fffn)) && !f.contains(p(0x102000n))).toBe(true);
  });

  it("is correct at the last frame 0x000F_FFFF_FFFF_F000", () => {
    const last = frame(0xf_ffff_ffff_ffffn);
    expect(`${last}`).toBe("Frame(p0xffffffffff000)");
    expect(last.number()).toBe(0xff_ffff_ffffn);
    expect(last.end()).toBeNull();
    expect(last.next()).toBeNull();
    expect(`${last.prev()}`).toBe("Frame(p0xfffffffffe000)");
    expect(Frame.fromNumber(0x100_0000_0000n)).toBeNull();
    expect(frame(0n).prev()).toBeNull();
  });

  it("is not interchangeable with Page (checked by tsc)", () => {
    // @ts-expect-error a frame is not a page
    const asPage: Page = frame(0x1000n);
    // @ts-expect-error pages do not contain physical addresses
    page(0x1000n).contains(p(0x1000n));
    expect(asPage).toBeDefined();
  });
});
