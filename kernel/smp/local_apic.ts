// The local APIC in xAPIC mode: its 4 KiB of registers (at the MADT's address) mapped
// uncached into the kernel's address space as an owned mapping, held for the kernel's life.
// The boot CPU reads its APIC id and sends the start-up IPIs through it; every CPU enables
// its own, acknowledges interrupts and sends the shootdown IPI at the same address.
import { type bool, u32, u64 } from "../lib/int";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { frameAllocator, pageAllocator } from "../mm/alloc";
import { FrameRange, CHUNK_SHIFT } from "../mm/addr";
import { mapErrorName, type Mapper, MappedPages, PageFlags } from "../mm/paging";
import type { Consumed } from "../lib/owned";
import { load32, store32 } from "../lib/intrinsics";

/** xAPIC register offsets (Intel SDM vol. 3, table 11-1). */
const REG_ID: u64 = 0x20n;
const REG_ICR_LOW: u64 = 0x300n;
const REG_ICR_HIGH: u64 = 0x310n;
/** ICR low: delivery status (1 while the IPI is being sent). */
const ICR_DELIVERY_PENDING: u32 = 1 << 12;
/** End of interrupt (write 0) and the spurious-interrupt vector register (bit 8: the APIC is software-enabled). */
const REG_EOI: u64 = 0xb0n;
const REG_SPURIOUS: u64 = 0xf0n;
const SPURIOUS_APIC_ENABLED: u32 = 1 << 8;
/** ICR low: fixed delivery, level assert, to every local APIC but the sender's (destination shorthand 11). */
const ICR_FIXED_ALL_BUT_SELF: u32 = (3 << 18) | (1 << 14);
/** Polls of the delivery status before giving up on an IPI. */
const MAX_DELIVERY_POLLS: u32 = 1_000_000;

/** A local APIC's registers, mapped. */
export class LocalApic {
  private regs: MappedPages;
  /** Physical address of the registers. */
  readonly phys: u64;

  constructor(regs: Consumed<MappedPages>, phys: u64) {
    this.regs = regs;
    this.phys = phys;
  }

  /** Virtual address of the registers (every CPU sees its own local APIC there). */
  base(): u64 {
    return this.regs.start().value();
  }

  /** The APIC id of the CPU reading it (bits 31..24 of the ID register). */
  id(): u32 {
    return this.regs.read32(REG_ID) >> 24;
  }

  /**
   * Sends the IPI `icrLow` (vector, delivery mode, level) to the CPU with APIC id
   * `apicId`: destination in ICR high first, the write to ICR low sends. Waits (bounded)
   * until the APIC has delivered it; panics when it never does.
   */
  sendIpi(apicId: u32, icrLow: u32): void {
    if (apicId > 0xff) panic(`local APIC: APIC id ${apicId} does not fit xAPIC's 8-bit destination`);
    this.regs.write32(REG_ICR_HIGH, apicId << 24);
    this.regs.write32(REG_ICR_LOW, icrLow);
    if (!delivered(this.base())) panic(`local APIC at p${hex(this.phys)}: IPI ${hex(icrLow)} to APIC id ${apicId} still pending after ${MAX_DELIVERY_POLLS} polls`);
  }
}

// Every CPU reaches its own local APIC at the same virtual address (the registers of the
// APIC at the MADT's physical address are per CPU), so the functions below take that address.

/** Software-enables the calling CPU's local APIC at `base` with `spuriousVector`: fixed IPIs reach it from then on. */
export function enableLocalApic(base: u64, spuriousVector: u64): void {
  store32(base + REG_SPURIOUS, SPURIOUS_APIC_ENABLED | u32(spuriousVector & 0xffn));
}

/** Acknowledges the interrupt being handled to the calling CPU's local APIC at `base`. */
export function endOfInterrupt(base: u64): void {
  store32(base + REG_EOI, 0);
}

/** Sends fixed IPI `vector` to every CPU but the calling one, through its local APIC at `base`; waits (bounded) for delivery. */
export function sendIpiToOthers(base: u64, vector: u64): void {
  store32(base + REG_ICR_LOW, ICR_FIXED_ALL_BUT_SELF | u32(vector & 0xffn));
  if (!delivered(base)) panic(`local APIC: IPI vector ${vector} to the other CPUs still pending after ${MAX_DELIVERY_POLLS} polls`);
}

/** Waits (at most MAX_DELIVERY_POLLS polls) until the calling CPU's local APIC at `base` has sent the IPI in its ICR; false when it never did. */
function delivered(base: u64): bool {
  for (let i: u32 = 0; i < MAX_DELIVERY_POLLS; i++) {
    if ((load32(base + REG_ICR_LOW) & ICR_DELIVERY_PENDING) === 0) return true;
  }
  return false;
}

/** Maps the local APIC's registers at physical `phys` (page-aligned, in a reserved region) uncached through `m`. */
export function mapLocalApic(m: Mapper, phys: u64): LocalApic {
  if ((phys & 0xfffn) !== 0n) panic(`local APIC: the MADT's address p${hex(phys)} is not page-aligned`);
  const frames = frameAllocator.allocateReserved(FrameRange.empty().withNumbers(phys >> CHUNK_SHIFT, 1n)).allocated;
  if (frames === null) return panic(`local APIC: frame p${hex(phys)} is not a free frame of a reserved (MMIO) region`);
  const pages = pageAllocator.allocate(1n).allocated;
  if (pages === null) {
    frames.release();
    return panic("local APIC: no page for its registers");
  }
  const r = m.map(pages, frames, PageFlags.readWrite().uncached());
  const mapped = r.mapped;
  if (mapped === null) return panic(`local APIC: mapping p${hex(phys)} failed: ${mapErrorName(r.error)}`);
  return new LocalApic(mapped, phys);
}
