// A barrier for the CPUs running one job (work.ts): each arrival adds one; the last of
// `parties` opens the next round. Waiters spin through spinPause, serving shootdowns.
import type { u32 } from "../lib/int";
import { AtomicU32, LoadOrder, RmwOrder, StoreOrder } from "../lib/atomic";
import { spinPause } from "../lib/spin";

/** CPUs meeting at a barrier, reused round after round. */
export class Barrier {
  private readonly arrived: AtomicU32;
  private readonly round: AtomicU32;
  private parties: u32;

  constructor() {
    this.arrived = new AtomicU32(0);
    this.round = new AtomicU32(0);
    this.parties = 1;
  }

  /** Sets the number of CPUs that meet (between runs, by the CPU that posts the job). */
  reset(parties: u32): void {
    this.parties = parties;
    this.arrived.store(0, StoreOrder.Relaxed);
  }

  /** Returns once every party has arrived; what each wrote before is visible to all after. */
  wait(): void {
    const r: u32 = this.round.load(LoadOrder.Acquire);
    if (this.arrived.fetchAdd(1, RmwOrder.AcqRel) + 1 === this.parties) {
      this.arrived.store(0, StoreOrder.Relaxed);
      this.round.wrappingFetchAdd(1, RmwOrder.Release);
      return;
    }
    while (this.round.load(LoadOrder.Acquire) === r) spinPause();
  }
}
