// The calling CPU's index for code below arch/ (the console's line, reports): through gs
// once the CPU-local area is installed (arch/x86_64/cpu_local.ts), 0 before that. A kernel
// that never installs it (the fault fixtures) or output before it (serialInit) must not read
// gs: with a gs base of 0, `mov %gs:8` reads linear address 8, garbage in the boot identity
// map and a page fault once that is gone.
import type { bool, u32 } from "./int";
import { cpuIndex } from "./intrinsics";

/** True once the boot CPU installed its CPU-local area (every AP installs its own before it prints). */
let installed: bool = false;

/** Records that CPU-local areas are installed (setCpuLocal). */
export function markCpuLocalInstalled(): void {
  installed = true;
}

/** The calling CPU's index, 0 before CPU-local areas are installed. */
export function cpuIndexOrBoot(): u32 {
  return installed ? cpuIndex() : 0;
}
