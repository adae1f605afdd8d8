// A capture kernel (not part of make test): prints the raw multiboot2 information GRUB
// handed over as hex, then the boot report, and exits QEMU with status 33. Its output,
// captured by test/boot/capture.sh per QEMU configuration, is a fixture of
// test/boot/fixtures/: the Node tests load the same bytes into the simulated machine and
// check that the parser prints the very same report.
import type { u64 } from "../../kernel/lib/int";
import { print, println } from "../../kernel/lib/console";
import { hex } from "../../kernel/lib/fmt";
import { load32, qemuExit } from "../../kernel/lib/intrinsics";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { bootInfoSize } from "../../kernel/boot/multiboot2";
import { printBootReport } from "../../kernel/boot/boot_report";
import { bootMemoryAt } from "../../kernel/boot/regions";

/** Capture entry: dump, report, exit. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const size: u64 = bootInfoSize(bootInfo);
  println(`boot information dump: ${hex(bootInfo)} ${size}`);
  for (let off: u64 = 0n; off < size; off += 4n) {
    print(` ${hex(load32(bootInfo + off))}`);
    if ((off & 31n) === 28n) println("");
  }
  if ((size & 31n) !== 0n) println("");
  println("end of dump");
  printBootReport(bootMemoryAt(bootInfo));
  println("end of report");
  qemuExit(0x10);
}
