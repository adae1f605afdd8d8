// In-kernel tests of the memory types (addresses, chunks, ranges), compiled to C and run on
// the metal: the same code the Node unit tests exercise.
import type { u64 } from "../lib/int";
import { expect, expectEqU64 } from "../lib/ktap";
import { Frame, FrameRange, Page, PageRange, PhysicalAddress, VirtualAddress } from "../mm/addr";

/** Canonical and non-canonical virtual addresses are told apart. */
export function testVirtualAddressCanonical(): void {
  expect(VirtualAddress.checked(0x0000_7fff_ffff_ffffn) !== null, "top of the lower half is canonical");
  expect(VirtualAddress.checked(0x0000_8000_0000_0000n) === null, "just above the lower half is not");
  expect(VirtualAddress.checked(0xffff_8000_0000_0000n) !== null, "bottom of the higher half is canonical");
  expectEqU64(VirtualAddress.canonical(0x0000_8000_0000_1000n).value(), 0xffff_8000_0000_1000n, "canonicalising copies bit 47");
}

/** Physical addresses have 52 bits. */
export function testPhysicalAddressWidth(): void {
  expect(PhysicalAddress.checked(0x000f_ffff_ffff_ffffn) !== null, "52-bit address is valid");
  expect(PhysicalAddress.checked(0x0010_0000_0000_0000n) === null, "53-bit address is not");
}

/** The last page of the address space has no successor, and ranges there do not overflow. */
export function testTopOfAddressSpace(): void {
  const top = VirtualAddress.checked(0xffff_ffff_ffff_f000n);
  expect(top !== null, "last page start is canonical");
  if (top === null) return;
  const last: Page = Page.containing(top);
  expect(last.next() === null, "the last page has no next page");
  const range: PageRange = PageRange.of(last, last);
  expectEqU64(range.sizeInChunks(), 1n, "one page");
  let count: u64 = 0n;
  for (const page of range) {
    expect(page.equals(last), "iteration yields the last page");
    count += 1n;
  }
  expectEqU64(count, 1n, "for…of runs once at the top of the address space");
}

/** Frame ranges count and contain frames. */
export function testFrameRange(): void {
  const a = PhysicalAddress.checked(0x10_0000n);
  const b = PhysicalAddress.checked(0x10_3fffn);
  if (a === null || b === null) return expect(false, "addresses valid");
  const range: FrameRange = FrameRange.of(Frame.containing(a), Frame.containing(b));
  expectEqU64(range.sizeInChunks(), 4n, "four frames");
  expectEqU64(range.sizeInBytes(), 0x4000n, "16 KiB");
  expect(range.contains(b), "contains its last byte");
}
