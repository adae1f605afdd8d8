// A software x86_64 page walker over the simulated machine's memory: translates a virtual
// address through the 4-level tables the kernel wrote, reading each table's bytes where the
// kernel put them (physical + the mapper's table offset, e.g. the direct map). Written from
// the Intel SDM (4.5), independently of kernel/mm/paging/, so the mapper's tables are checked
// by a second reading of the format, not by the mapper's own walk.
import { machine, SimPageFault } from "./machine";

const PRESENT = 1n;
const WRITABLE = 2n;
const USER = 4n;
const HUGE = 0x80n;
const NX = 1n << 63n;
const ADDR = 0x000f_ffff_ffff_f000n;

/** What the CPU would use for one virtual address. */
export interface Translation {
  phys: bigint;
  /** Page size in bytes: 4 KiB, 2 MiB or 1 GiB. */
  size: bigint;
  /** Effective permissions: writable and user only if every level allows; executable unless any level sets NX. */
  writable: boolean;
  user: boolean;
  executable: boolean;
  /** The leaf entry. */
  leaf: bigint;
}

/** Reasons a walk stops, as the CPU would fault. */
export class WalkError extends Error {}

/**
 * Translates `virt` through the P4 at physical `p4`, tables read at physical + `offset`.
 * Null when some level is not present; throws on a non-canonical address or a reserved layout
 * (huge bit in a P4 entry).
 */
export function walk(p4: bigint, virt: bigint, offset: bigint): Translation | null {
  const top = virt >> 47n;
  if (top !== 0n && top !== 0x1_ffffn) throw new WalkError(`non-canonical address 0x${virt.toString(16)}`);
  let table = p4;
  let writable = true;
  let user = true;
  let executable = true;
  for (let level = 4; level >= 1; level--) {
    const shift = 12n + 9n * BigInt(level - 1);
    const index = (virt >> shift) & 0x1ffn;
    const entry = machine.load(table + offset + index * 8n, 8);
    if ((entry & PRESENT) === 0n) return null;
    writable &&= (entry & WRITABLE) !== 0n;
    user &&= (entry & USER) !== 0n;
    executable &&= (entry & NX) === 0n;
    const huge = (entry & HUGE) !== 0n;
    if (huge && level === 4) throw new WalkError("huge bit in a P4 entry");
    if (level === 1 || huge) {
      const size = 1n << shift;
      const base = entry & ADDR & ~(size - 1n);
      return { phys: base | (virt & (size - 1n)), size, writable, user, executable, leaf: entry };
    }
    table = entry & ADDR;
  }
  return null;
}

/** Every 4 KiB-page mapping in the tables (huge pages listed once, with their size), in address order. */
export function allMappings(p4: bigint, offset: bigint): { virt: bigint; t: Translation }[] {
  const out: { virt: bigint; t: Translation }[] = [];
  const visit = (table: bigint, level: number, base: bigint): void => {
    for (let i = 0n; i < 512n; i++) {
      const entry = machine.load(table + offset + i * 8n, 8);
      if ((entry & PRESENT) === 0n) continue;
      const shift = 12n + 9n * BigInt(level - 1);
      let virt = base | (i << shift);
      if (level === 4 && i >= 256n) virt |= 0xffff_0000_0000_0000n;
      if (level === 1 || (entry & HUGE) !== 0n) {
        const t = walk(p4, virt, offset);
        if (t) out.push({ virt, t });
      } else visit(entry & ADDR, level - 1, virt);
    }
  };
  visit(p4, 4, 0n);
  return out;
}

/**
 * Models the CPU's page faults in [first, first + size) (e.g. the direct map): from now on
 * an access there that the tables at physical `p4` (read at physical + `offset`) do not
 * map, or map read-only for a write, throws SimPageFault. Until resetMachine.
 */
export function faultWhereUnmapped(p4: bigint, offset: bigint, first: bigint, size: bigint): void {
  machine.accessCheck = (addr, bytes, write) => {
    if (addr < first || addr - first >= size) return;
    for (const a of new Set([addr, addr + BigInt(bytes) - 1n])) {
      const t = walk(p4, a, offset);
      if (t === null || (write && !t.writable)) throw new SimPageFault(a, write);
    }
  };
}
