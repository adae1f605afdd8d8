// How the ACPI code reaches physical memory: through a window in which physical address p
// is readable at virtual p + offset, for p below a limit. At boot, before memory init, that
// is the boot stub's identity map of the first 4 GiB (where firmware puts its tables); a
// table outside the window is a named panic, never a wild read.
import type { u64 } from "../lib/int";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";

/** Physical memory [0, limit) readable at virtual physical + offset. */
export class PhysicalWindow {
  readonly offset: u64;
  readonly limit: u64;

  constructor(offset: u64, limit: u64) {
    this.offset = offset;
    this.limit = limit;
  }

  /** The virtual address of physical [phys, phys + length); panics (naming `what`) when it is not all in the window. */
  reach(phys: u64, length: u64, what: string): u64 {
    if (phys >= this.limit || length > this.limit - phys) {
      panic(`ACPI: ${what} at p${hex(phys)} (${length} bytes) lies outside the memory the kernel reads it through (below p${hex(this.limit)})`);
    }
    return phys + this.offset;
  }
}
