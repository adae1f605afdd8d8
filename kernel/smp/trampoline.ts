// The AP start-up trampoline (boot/ap_trampoline.S) in a low frame: 4 KiB aligned below
// 640 KiB (a SIPI starts a CPU in real mode at vector << 12; above 640 KiB lie the EBDA, video
// memory and ROMs). The frame is the first one the memory map calls RAM that holds nothing
// the boot loader left (boot information, modules, ELF section copies: under UEFI GRUB puts
// its copies from 0x1000), taken from the first MiB's reserved region (the frame allocator
// never hands those out for ordinary requests) for the time the APs start. The code is
// copied in through the direct map and the page is mapped at its own address, read and
// execute, in the kernel's tables (the trampoline enables paging with the kernel's CR3 and
// keeps running there); then it is unmapped and the frame given back.
import { u32, type bool, type u64 } from "../lib/int";
import { apTrampolineEnd, apTrampolineStart, load8, store8, store64 } from "../lib/intrinsics";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { frameAllocator, type AllocatedFrames } from "../mm/alloc";
import { CHUNK_SHIFT, CHUNK_SIZE, directMapAddress, Frame, FrameRange, Page, PhysicalAddress, VirtualAddress } from "../mm/addr";
import { mapErrorName, PageFlags, type Mapper } from "../mm/paging";
import { PhysRegion } from "../boot/memory_map";
import { RESERVED_FIRST_MIB, type BootMemory } from "../boot/regions";
import type { Consumed } from "../lib/owned";

/** The frames a trampoline may use: from the second (frame 0 holds the real-mode interrupt table) to below 640 KiB. */
const FIRST_CANDIDATE: u64 = 0x1000n;
const CANDIDATES_END: u64 = 0xa_0000n;
/** Offsets of the trampoline's data words (boot/ap_trampoline.S). */
const DATA_P4: u64 = 8n;
const DATA_STACK_TOP: u64 = 16n;
const DATA_CPU_INDEX: u64 = 24n;

/** The trampoline, installed: owns its frame while the page is mapped. */
export class Trampoline {
  private frame: AllocatedFrames | null;
  /** Physical (and, while installed, virtual) address of its page. */
  readonly phys: u64;

  constructor(frame: Consumed<AllocatedFrames>, phys: u64) {
    this.frame = frame;
    this.phys = phys;
  }

  /** The start-up IPI's vector: the trampoline's page number. */
  vector(): u32 {
    return u32(this.phys >> CHUNK_SHIFT);
  }

  /** Sets what the next AP started loads: the P4 table (physical, below 4 GiB), its stack top, its index. */
  aim(p4: u64, stackTop: u64, cpuIndex: u64): void {
    if (p4 >= 0x1_0000_0000n) panic(`AP trampoline: the kernel's P4 table p${hex(p4)} lies above 4 GiB: the 32-bit trampoline cannot load it`);
    const at: u64 = directMapAddress(this.phys);
    store64(at + DATA_P4, p4);
    store64(at + DATA_STACK_TOP, stackTop);
    store64(at + DATA_CPU_INDEX, cpuIndex);
  }

  /** Unmaps the page from `m` and gives the frame back. Call once, when no AP runs the trampoline any more. */
  remove(m: Mapper): void {
    const s = m.unmapPage(pageAt(this.phys));
    if (!s.isOk()) panic(`AP trampoline: unmapping v${hex(this.phys)} failed: ${mapErrorName(s.error)}`);
    const f = this.frame;
    this.frame = null;
    if (f !== null) f.release();
  }
}

/** The page at virtual `addr` (the trampoline's, at its own physical address). */
function pageAt(addr: u64): Page {
  return Page.containing(VirtualAddress.canonical(addr));
}

/** True when the frame at `phys` is RAM holding nothing of the boot loader's. */
function frameUnused(mem: BootMemory, phys: u64): bool {
  const r = new PhysRegion(phys, phys + (CHUNK_SIZE - 1n));
  if (!mem.isAvailable(r)) return false;
  for (let i: u64 = 0n; i < mem.reservedCount(); i++) {
    const x = mem.reserved(i);
    if (x.kind !== RESERVED_FIRST_MIB && x.region.overlaps(r)) return false;
  }
  return true;
}

/** The first unused low frame the frame allocator lets go (allocateReserved), or null. */
function claimLowFrame(mem: BootMemory): AllocatedFrames | null {
  for (let phys: u64 = FIRST_CANDIDATE; phys < CANDIDATES_END; phys += CHUNK_SIZE) {
    if (!frameUnused(mem, phys)) continue;
    const frames = frameAllocator.allocateReserved(FrameRange.empty().withNumbers(phys >> CHUNK_SHIFT, 1n)).allocated;
    if (frames !== null) return frames;
  }
  return null;
}

/** Copies the trampoline into a free low frame and maps it at its own address in `m` (read, execute). */
export function installTrampoline(m: Mapper, mem: BootMemory): Trampoline {
  const size: u64 = apTrampolineEnd() - apTrampolineStart();
  if (size > CHUNK_SIZE) panic(`AP trampoline: ${size} bytes of code do not fit a page`);
  const frames = claimLowFrame(mem);
  if (frames === null) return panic(`AP trampoline: no frame below p${hex(CANDIDATES_END)} is free RAM the boot loader left unused`);
  const phys: u64 = frames.start().startValue();
  const to: u64 = directMapAddress(phys);
  const from: u64 = apTrampolineStart();
  for (let i: u64 = 0n; i < size; i++) store8(to + i, load8(from + i));
  const s = m.mapPage(pageAt(phys), Frame.containing(PhysicalAddress.canonical(phys)), PageFlags.readExecute());
  if (!s.isOk()) {
    frames.release();
    return panic(`AP trampoline: mapping v${hex(phys)} at its own address failed: ${mapErrorName(s.error)}`);
  }
  return new Trampoline(frames, phys);
}
