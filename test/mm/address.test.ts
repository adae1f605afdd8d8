// VirtualAddress and PhysicalAddress: validity, canonicalisation, arithmetic, format.
import { describe, expect, it } from "vitest";
import { isCanonicalVirtual, PhysicalAddress, VirtualAddress } from "../../kernel/mm/addr";
import { expectPanic, some, useSimulatedConsole } from "./support";

useSimulatedConsole();

const v = (x: bigint) => some(VirtualAddress.checked(x));
const p = (x: bigint) => some(PhysicalAddress.checked(x));

describe("VirtualAddress", () => {
  it("accepts exactly the canonical values (bits 63..47 all equal)", () => {
    for (const ok of [0n, 0x5000n, 0x7fff_ffff_ffffn, 0xffff_8000_0000_0000n, 0xffff_ffff_ffff_ffffn, 0xffff_ffff_8000_0000n])
      expect(VirtualAddress.checked(ok)?.value()).toBe(ok);
    for (const bad of [0x8000_0000_0000n, 0xffff_7fff_ffff_ffffn, 0x1_0000_0000_0000n, 0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn])
      expect(VirtualAddress.checked(bad)).toBeNull();
    expect(isCanonicalVirtual(0x8000_0000_0000n)).toBe(false);
  });

  it("canonicalises by copying bit 47 upwards", () => {
    expect(VirtualAddress.canonical(0x8000_0000_0000n).value()).toBe(0xffff_8000_0000_0000n);
    expect(VirtualAddress.canonical(0x1234_7fff_ffff_f000n).value()).toBe(0x7fff_ffff_f000n);
    expect(VirtualAddress.canonical(0xffff_ffff_ffff_ffffn).value()).toBe(0xffff_ffff_ffff_ffffn);
    expect(VirtualAddress.canonical(0x5000n).value()).toBe(0x5000n);
  });

  it("formats as v0x…", () => {
    expect(`${v(0x5000n)}`).toBe("v0x5000");
    expect(v(0xffff_ffff_8000_0000n).toString()).toBe("v0xffffffff80000000");
  });

  it("adds and subtracts within its half and fails at the hole and the ends", () => {
    expect(v(0x5000n).add(0x1000n)?.value()).toBe(0x6000n);
    expect(v(0x7fff_ffff_fff0n).add(0xfn)?.value()).toBe(0x7fff_ffff_ffffn);
    expect(v(0x7fff_ffff_fff0n).add(0x10n)).toBeNull(); // into the hole
    expect(v(0x7fff_ffff_fff0n).add(0xffff_0000_0000_0000n)).toBeNull(); // over the hole
    expect(v(0xffff_ffff_ffff_fff0n).add(0xfn)?.value()).toBe(0xffff_ffff_ffff_ffffn);
    expect(v(0xffff_ffff_ffff_fff0n).add(0x10n)).toBeNull(); // past 2^64
    expect(v(0xffff_8000_0000_0000n).sub(1n)).toBeNull(); // below the higher half
    expect(v(0x10n).sub(0x11n)).toBeNull();
    expect(v(0x10n).sub(0x10n)?.value()).toBe(0n);
  });

  it("aligns, and reports alignment", () => {
    expect(v(0x5123n).alignDown(0x1000n)?.value()).toBe(0x5000n);
    expect(v(0x5123n).alignUp(0x1000n)?.value()).toBe(0x6000n);
    expect(v(0x5000n).alignUp(0x1000n)?.value()).toBe(0x5000n);
    expect(v(0x7fff_ffff_f001n).alignUp(0x1000n)).toBeNull();
    expect(v(0xffff_ffff_ffff_f001n).alignUp(0x1000n)).toBeNull();
    expect(v(0xffff_8000_0000_1000n).alignDown(1n << 48n)).toBeNull(); // 0xffff_0000_… is not canonical
    expect(v(0x5000n).isAligned(0x1000n)).toBe(true);
    expect(v(0x5800n).isAligned(0x1000n)).toBe(false);
    expectPanic(() => v(0x5000n).alignDown(0x1800n), "alignment 6144 is not a power of two");
    expectPanic(() => v(0x5000n).isAligned(0n), "alignment 0 is not a power of two");
  });

  it("orders, compares and measures distance", () => {
    const a = v(0x5000n);
    const b = v(0xffff_8000_0000_0000n);
    expect(a.lt(b) && a.le(b) && a.le(a) && !b.lt(a)).toBe(true);
    expect([a.compare(b), b.compare(a), a.compare(v(0x5000n))]).toEqual([-1, 1, 0]);
    expect(a.equals(v(0x5000n)) && !a.equals(b)).toBe(true);
    expect(v(0x7000n).distanceFrom(a)).toBe(0x2000n);
    expect(a.sameSegment(v(0x7fff_ffff_ffffn)) && !a.sameSegment(b)).toBe(true);
    expectPanic(() => a.distanceFrom(v(0x6000n)), "v0x6000 is above v0x5000");
  });

  it("measures no distance across the non-canonical hole", () => {
    const top = v(0x7fff_ffff_ffffn);
    const bottom = v(0xffff_8000_0000_0000n);
    expect(bottom.distanceFrom(top)).toBeNull(); // was 2^64 - 2^48 + 1
    expect(bottom.distanceFrom(v(0x5000n))).toBeNull();
    expect(top.distanceFrom(v(0n))).toBe(0x7fff_ffff_ffffn);
    expect(v(0xffff_ffff_ffff_ffffn).distanceFrom(bottom)).toBe(0x7fff_ffff_ffffn);
    expect(top.add(1n)).toBeNull(); // as every other operation
  });
});

describe("PhysicalAddress", () => {
  it("accepts exactly the values with bits 63..52 clear", () => {
    expect(PhysicalAddress.checked(0xf_ffff_ffff_ffffn)?.value()).toBe(0xf_ffff_ffff_ffffn);
    expect(PhysicalAddress.checked(0x10_0000_0000_0000n)).toBeNull();
    expect(PhysicalAddress.checked(0xffff_ffff_ffff_ffffn)).toBeNull();
    expect(PhysicalAddress.canonical(0xfff1_0000_0010_1000n).value()).toBe(0x1_0000_0010_1000n);
  });

  it("formats as p0x…", () => {
    expect(`${p(0x101000n)}`).toBe("p0x101000");
  });

  it("stops arithmetic at bit 52 and at zero", () => {
    expect(p(0xf_ffff_ffff_fff0n).add(0xfn)?.value()).toBe(0xf_ffff_ffff_ffffn);
    expect(p(0xf_ffff_ffff_fff0n).add(0x10n)).toBeNull();
    expect(p(0x1000n).sub(0x1001n)).toBeNull();
    expect(p(0x1234n).alignDown(0x1000n)?.value()).toBe(0x1000n);
    expect(p(0xf_ffff_ffff_f001n).alignUp(0x1000n)).toBeNull();
    expect(p(0x1000n).lt(p(0x2000n))).toBe(true);
  });

  it("is not interchangeable with VirtualAddress (checked by tsc)", () => {
    const pa = p(0x1000n);
    const va = v(0x1000n);
    // @ts-expect-error a physical address is not a virtual address
    const asVirtual: VirtualAddress = pa;
    // @ts-expect-error a virtual address is not a physical address
    const asPhysical: PhysicalAddress = va;
    // @ts-expect-error nor can the two be compared
    va.equals(pa);
    expect([asVirtual, asPhysical]).toHaveLength(2);
  });
});
