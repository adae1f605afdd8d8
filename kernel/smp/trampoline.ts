// The AP start-up trampoline (boot/ap_trampoline.S) in its low frame: AP_TRAMPOLINE_PHYS,
// 4 KiB aligned below 1 MiB (a SIPI starts a CPU in real mode at vector << 12). The frame is
// taken from the first MiB's reserved region (the frame allocator never hands those out for
// ordinary requests) after checking that the memory map calls it RAM and nothing the boot
// loader left there (boot information, modules, copies) lies in it. The code is copied in
// through the direct map and the page is mapped at its own address, read and execute, in
// the kernel's tables (the trampoline enables paging with the kernel's CR3 and keeps running
// there) until the APs are up; then it is unmapped and the frame given back.
import { u32, u64 } from "../lib/int";
import { apTrampolineEnd, apTrampolineStart, load8, store8, store64 } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { frameAllocator, type AllocatedFrames } from "../mm/alloc";
import { CHUNK_SHIFT, CHUNK_SIZE, directMapAddress, Frame, FrameRange, Page, PhysicalAddress, VirtualAddress } from "../mm/addr";
import { mapErrorName, PageFlags, type Mapper } from "../mm/paging";
import { PhysRegion } from "../boot/memory_map";
import { RESERVED_FIRST_MIB, reservedKindName, type BootMemory } from "../boot/regions";
import type { Consumed } from "../lib/owned";

/** Where the trampoline runs: boot/ap_trampoline.S's AP_TRAMPOLINE_PHYS. */
export const AP_TRAMPOLINE_PHYS: u64 = 0x8000n;
/** Offsets of the trampoline's data words (boot/ap_trampoline.S). */
const DATA_P4: u64 = 8n;
const DATA_STACK_TOP: u64 = 16n;
const DATA_CPU_INDEX: u64 = 24n;

/** The trampoline, installed: owns its frame while the page is mapped. */
export class Trampoline {
  private frame: AllocatedFrames | null;

  constructor(frame: Consumed<AllocatedFrames>) {
    this.frame = frame;
  }

  /** The start-up IPI's vector: the trampoline's page number. */
  vector(): u32 {
    return u32(AP_TRAMPOLINE_PHYS >> CHUNK_SHIFT);
  }

  /** Sets what the next AP started loads: the P4 table (physical, below 4 GiB), its stack top, its index. */
  aim(p4: u64, stackTop: u64, cpuIndex: u64): void {
    if (p4 >= 0x1_0000_0000n) panic(`AP trampoline: the kernel's P4 table p${hex(p4)} lies above 4 GiB: the 32-bit trampoline cannot load it`);
    const at: u64 = directMapAddress(AP_TRAMPOLINE_PHYS);
    store64(at + DATA_P4, p4);
    store64(at + DATA_STACK_TOP, stackTop);
    store64(at + DATA_CPU_INDEX, cpuIndex);
  }

  /** Unmaps the page from `m` and gives the frame back. Call once, when no AP runs the trampoline any more. */
  remove(m: Mapper): void {
    const s = m.unmapPage(trampolinePage());
    if (!s.isOk()) panic(`AP trampoline: unmapping v${hex(AP_TRAMPOLINE_PHYS)} failed: ${mapErrorName(s.error)}`);
    const f = this.frame;
    this.frame = null;
    if (f !== null) f.release();
  }
}

/** The trampoline's page at its own (identity) address. */
function trampolinePage(): Page {
  return Page.containing(VirtualAddress.canonical(AP_TRAMPOLINE_PHYS));
}

/** Panics unless the trampoline's frame is RAM holding nothing of the boot loader's. */
function checkFrameUnused(mem: BootMemory): void {
  const r = new PhysRegion(AP_TRAMPOLINE_PHYS, AP_TRAMPOLINE_PHYS + (CHUNK_SIZE - 1n));
  if (!mem.isAvailable(r)) panic(`AP trampoline: frame p${hex(AP_TRAMPOLINE_PHYS)} is not available RAM in the memory map`);
  for (let i: u64 = 0n; i < mem.reservedCount(); i++) {
    const x = mem.reserved(i);
    if (x.kind !== RESERVED_FIRST_MIB && x.region.overlaps(r)) panic(`AP trampoline: frame p${hex(AP_TRAMPOLINE_PHYS)} holds the ${reservedKindName(x.kind)} (p${hex(x.region.first)}..=p${hex(x.region.last)})`);
  }
}

/** Copies the trampoline into its frame and maps it at its own address in `m` (read, execute). */
export function installTrampoline(m: Mapper, mem: BootMemory): Trampoline {
  const size: u64 = apTrampolineEnd() - apTrampolineStart();
  if (size > CHUNK_SIZE - 0x100n) panic(`AP trampoline: ${size} bytes of code do not fit its page`);
  checkFrameUnused(mem);
  const frames = frameAllocator.allocateReserved(FrameRange.empty().withNumbers(AP_TRAMPOLINE_PHYS >> CHUNK_SHIFT, 1n)).allocated;
  if (frames === null) return panic(`AP trampoline: frame p${hex(AP_TRAMPOLINE_PHYS)} is not free in the first MiB's reserved region`);
  const to: u64 = directMapAddress(AP_TRAMPOLINE_PHYS);
  const from: u64 = apTrampolineStart();
  for (let i: u64 = 0n; i < size; i++) store8(to + i, load8(from + i));
  const s = m.mapPage(trampolinePage(), Frame.containing(PhysicalAddress.canonical(AP_TRAMPOLINE_PHYS)), PageFlags.readExecute());
  if (!s.isOk()) {
    frames.release();
    return panic(`AP trampoline: mapping v${hex(AP_TRAMPOLINE_PHYS)} at its own address failed: ${mapErrorName(s.error)}`);
  }
  return new Trampoline(frames);
}
