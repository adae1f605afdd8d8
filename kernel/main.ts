// The kernel's entry (make run): bring up the console, print the banner and the boot
// report, set up memory, then serve the memory console (kernel/console/) until `quit`.
import type { u32, u64 } from "./lib/int";
import { println } from "./lib/console";
import { qemuExit } from "./lib/intrinsics";
import { serialInit } from "./arch/x86_64/serial";
import { setCpuLocal } from "./arch/x86_64/cpu_local";
import { installExceptionHandlers } from "./arch/x86_64/exceptions";
import { printBanner } from "./boot/banner";
import { printBootReport } from "./boot/boot_report";
import { initMemory, kernelPageTables } from "./boot/memory_init";
import { parseBootInfo } from "./boot/boot_info";
import { computeBootMemory, linkerKernelImage } from "./boot/regions";
import { runConsole } from "./console";
import { bootIdentityWindow, findCpus, printCpuReport } from "./acpi";
import { reserveLocalApic, startAps } from "./smp";

/** isa-debug-exit code for a clean shutdown (QEMU exit status 33). */
const EXIT_CLEAN: u32 = 0x10;

/** Called by the boot stub in 64-bit mode with the multiboot2 information's address. */
export function kernelMain(bootInfo: u64): void {
  serialInit(); // gdb-test: breakpoint here
  setCpuLocal(0); // the bootstrap CPU: its index through gs, before anything takes a lock
  installExceptionHandlers();
  const info = parseBootInfo(bootInfo); // every check of the boot information, once
  printBanner(info);
  const mem = computeBootMemory(info, linkerKernelImage());
  printBootReport(mem);
  const madt = findCpus(info.acpiRsdp(), bootIdentityWindow()); // through the identity map, before initMemory drops it
  printCpuReport(madt);
  reserveLocalApic(madt); // outside the memory map: made a reserved region, to be mapped as owned memory
  initMemory(mem); // the kernel's own page tables and heap; drops the identity map
  startAps(madt, kernelPageTables(), mem);
  runConsole(mem);
  println("keel: bye");
  qemuExit(EXIT_CLEAN);
}
