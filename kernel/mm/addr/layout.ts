// The kernel's virtual address space once it runs on its own page tables
// (kernel/boot/memory_init.ts builds them). The lower half is empty: the boot stub's identity
// map is dropped. The higher half holds, from the bottom:
//
//   0xFFFF_8000_0000_0000 .. 0xFFFF_BFFF_FFFF_FFFF  direct map (64 TiB, P4 entries 256..383)
//       THE one way the kernel reaches physical memory: physical address p is the virtual
//       address DIRECT_MAP_BASE + p. Mapped with 1 GiB pages where the CPU has them and a
//       whole GiB of RAM is there, else 2 MiB pages, read-write, no-execute, for
//       every 2 MiB block holding available RAM (so a block's non-RAM tail, e.g. the VGA
//       hole in the first 2 MiB, is mapped cacheable too: device memory is mapped on its
//       own, uncached, from the frame allocator's reserved regions). Page tables, heap
//       frames and boot information are all read and written through it.
//   0xFFFF_C000_0000_0000 .. 0xFFFF_C00F_FFFF_FFFF  kernel heap window (64 GiB): reserved in
//       the page allocator; the heap grows upwards in it with allocateReserved.
//   0xFFFF_C010_0000_0000 .. 0xFFFF_FFFF_7FFF_FFFF  ordinary pages: pageAllocator.allocate
//   0xFFFF_FFFF_8000_0000 .. 0xFFFF_FFFF_FFFF_FFFF  kernel image window (top 2 GiB, linked
//       by linker.ld at KERNEL_VMA + physical): each ELF section with its own permissions,
//       the boot stack's guard page left unmapped. Reserved in the page allocator.
import type { u64 } from "../../lib/int";
import { panic } from "../../lib/panic";
import { PhysicalAddress } from "./physical";
import { VirtualAddress } from "./virtual";

/** Lowest higher-half address. */
export const HIGHER_HALF_BASE: u64 = 0xffff_8000_0000_0000n;
/** Start of the direct map of physical memory: virtual = DIRECT_MAP_BASE + physical. */
export const DIRECT_MAP_BASE: u64 = 0xffff_8000_0000_0000n;
/** Bytes of the direct-map window (64 TiB): physical memory above it is not reachable. */
export const DIRECT_MAP_SIZE: u64 = 0x4000_0000_0000n;
/**
 * Page-table frames are taken only below this physical address once the kernel runs on its
 * own tables (Mapper.activate): the mapper writes them through the direct map, which
 * reaches no further.
 */
export const TABLE_FRAME_LIMIT: u64 = DIRECT_MAP_SIZE;
/** Start of the kernel heap's window. */
export const HEAP_BASE: u64 = 0xffff_c000_0000_0000n;
/** Bytes of the kernel heap's window (64 GiB). */
export const HEAP_WINDOW_SIZE: u64 = 0x10_0000_0000n;
/** Start of the ordinary pages the page allocator hands out. */
export const PAGES_BASE: u64 = HEAP_BASE + HEAP_WINDOW_SIZE;
/** Start of the kernel image window (linker.ld's KERNEL_VMA; checked against kernelVma()). */
export const KERNEL_WINDOW_BASE: u64 = 0xffff_ffff_8000_0000n;
/** The last virtual address. */
export const ADDRESS_SPACE_LAST: u64 = 0xffff_ffff_ffff_ffffn;
/** The boot stub's identity map covers physical 0 .. 4 GiB: page tables built before the switch to the kernel's own tables must lie below. */
export const IDENTITY_LIMIT: u64 = 0x1_0000_0000n;
/** Size of a 2 MiB page. */
export const HUGE_2M: u64 = 0x20_0000n;
/** Size of a 1 GiB page. */
export const HUGE_1G: u64 = 0x4000_0000n;

/** The direct-map virtual address of physical address `phys` (an integer). */
export function directMapAddress(phys: u64): u64 {
  if (phys >= DIRECT_MAP_SIZE) panic(`physical address ${phys} lies beyond the direct map`);
  return DIRECT_MAP_BASE + phys;
}

/** The direct-map virtual address of `phys`. */
export function physToVirt(phys: PhysicalAddress): VirtualAddress {
  const v = VirtualAddress.checked(directMapAddress(phys.value()));
  if (v === null) return panic("physToVirt: direct map address not canonical");
  return v;
}
