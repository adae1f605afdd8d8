// Fuzz target (test/fuzz/driver.c, KEEL_FUZZ_BOOT): raw bytes as multiboot2 boot
// information, through the kernel's parser and region computation. Rejected inputs panic
// in the parser; for accepted ones, checkBootInvariants must hold.
import type { u64 } from "../../kernel/lib/int";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { parseBootInfo } from "../../kernel/boot/boot_info";
import { computeBootMemory, linkerKernelImage } from "../../kernel/boot/regions";
import { checkBootInvariants } from "./boot_invariants";

/** Fuzz entry: the input lies at `bootInfo`. */
export function kernelMain(bootInfo: u64): void {
  serialInit(); // panic messages reach COM1, where the driver reads them
  const mem = computeBootMemory(parseBootInfo(bootInfo), linkerKernelImage());
  checkBootInvariants(mem);
}
