// The stress test's shootdown probe: a page unmapped by one CPU must fault on every other.
// Each round, the initiator maps a page and marks it; every CPU reads it (the translation
// is now in each CPU's TLB); the initiator unmaps and releases it (the mapper's shootdown);
// then every other CPU reads it again with probeRead, whose page fault the handler turns
// into `false` (arch/x86_64/exceptions.ts). A read that succeeds went through a stale TLB
// entry: the shootdown missed that CPU. The CPUs meet at a barrier between the steps.
import { type u32, u64 } from "../../lib/int";
import { probeRead, readCr3, writeCr3 } from "../../lib/intrinsics";
import { take } from "../../lib/owned";
import type { Mapper, MappedPages } from "../../mm/paging";
import { PerCpu } from "../../arch/x86_64/cpu_local";
import type { Barrier } from "../barrier";
import { allocateAndMap, markOf, refused, releaseMapped } from "./ops";

/** The round's page while it is mapped (its address, 0 when the initiator got none). */
let probeAddress: u64 = 0n;
const probeMapping = new Array<MappedPages | null>(1).fill(null);

/** Per CPU: reads of the mapped page that faulted (must be 0), reads after the unmap, and those that did not fault (stale). */
export const missedBefore = new PerCpu<u64>(0n);
export const probesAfter = new PerCpu<u64>(0n);
export const staleReads = new PerCpu<u64>(0n);

/** Zeroes CPU `cpu`'s probe counters (the boot CPU, before a run). */
export function resetProbeCounters(cpu: u32): void {
  missedBefore.set(cpu, 0n);
  probesAfter.set(cpu, 0n);
  staleReads.set(cpu, 0n);
}

/** One round with `initiator` mapping and unmapping, run by every CPU (`cpu`) between barriers of `b`. */
export function probeRound(m: Mapper, b: Barrier, cpu: u32, initiator: u32): void {
  if (cpu === initiator) {
    const mp = allocateAndMap(m, 1n);
    if (mp === null) {
      refused.set(cpu, refused.of(cpu) + 1n);
      probeAddress = 0n;
    } else {
      mp.write64(0n, markOf(cpu));
      probeAddress = mp.start().value();
      probeMapping[0] = mp;
    }
  }
  b.wait();
  const addr: u64 = probeAddress;
  if (addr !== 0n && !probeRead(addr)) missedBefore.set(cpu, missedBefore.of(cpu) + 1n);
  b.wait();
  if (cpu === initiator) {
    const mp = take(probeMapping, 0);
    if (mp !== null) releaseMapped(mp);
  }
  b.wait();
  if (cpu !== initiator && addr !== 0n) {
    probesAfter.set(cpu, probesAfter.of(cpu) + 1n);
    if (probeRead(addr)) staleReads.set(cpu, staleReads.of(cpu) + 1n);
  }
  b.wait();
}

/** Drops every TLB entry of the calling CPU (after rounds run without shootdowns, whose stale entries must not outlive them). */
export function flushOwnTlb(): void {
  writeCr3(readCr3());
}
