// TLB entries of other CPUs: the kernel's tables are shared by every CPU, and each CPU
// caches translations in its own TLB, which only its own invlpg or CR3 load flushes. When
// the mapper removes or changes a mapping (or frees a table another CPU's paging-structure
// caches may hold), it flushes its own TLB and then calls the remote flush registered here
// with the pages' range, still holding its lock: kernel/smp/shootdown.ts sends the other
// online CPUs an IPI and waits until each has flushed. Before a second CPU runs (and in
// Node) nothing is registered, and a remote flush costs the test of a flag.
import type { bool, u64 } from "../../lib/int";

/** `pages` value of a remote flush that asks for every TLB entry (a CR3 reload). */
export const FLUSH_ALL_PAGES: u64 = 0xffff_ffff_ffff_ffffn;

function nobodyElse(_start: u64, _pages: u64): void {}

/** What flushes the other CPUs' TLB entries of `pages` pages from virtual address `start`. */
let remoteFlush: (start: u64, pages: u64) => void = nobodyElse;
/** True once a remote flush is registered: until then flushOtherCpus tests this flag and calls nothing. */
let registered: bool = false;

/** Makes `flush` the remote flush (kernel/smp/shootdown.ts, once a second CPU is online). */
export function setRemoteFlush(flush: (start: u64, pages: u64) => void): void {
  remoteFlush = flush;
  registered = true;
}

/** Flushes `pages` pages from `start` (FLUSH_ALL_PAGES: everything) on every other online CPU, and waits until they did. */
export function flushOtherCpus(start: u64, pages: u64): void {
  if (registered) remoteFlush(start, pages);
}
