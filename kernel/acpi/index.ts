// ACPI: the tables the firmware describes the machine with, found from the RSDP copy GRUB
// hands over (multiboot2 tags 14/15, checked in kernel/boot/boot_tags.ts): the root table
// (RSDT or XSDT), then the MADT with the processors and interrupt controllers. Every table
// read is checked (length, checksum, entries within it); a bad one is a named panic.
//
// The boot report line (printCpuReport):
//   cpus: 4 in the MADT (APIC ids 0,1,2,3; 0 disabled), local APIC at p0xfee00000, 1 I/O APIC
//   cpus: no ACPI RSDP from the boot loader: the boot CPU only
import type { bool, u32 } from "../lib/int";
import { print, println } from "../lib/console";
import { hex } from "../lib/fmt";
import { panic } from "../lib/panic";
import { IDENTITY_LIMIT } from "../mm/addr";
import type { AcpiRsdp } from "../boot/boot_tags";
import { readRootTable, rootName } from "./root";
import { SIGNATURE_MADT } from "./sdt";
import { Madt, parseMadt } from "./madt";
import { PhysicalWindow } from "./window";

export { PhysicalWindow } from "./window";
export { Madt, CPU_ENABLED, CPU_ONLINE_CAPABLE } from "./madt";
export { readRootTable, RootTable } from "./root";
export { readSdt, Sdt, SDT_HEADER_SIZE, SDT_MAX_LENGTH } from "./sdt";

/** Physical memory as the boot code reads it before memory init: the boot stub's identity map of the first 4 GiB. */
export function bootIdentityWindow(): PhysicalWindow {
  return new PhysicalWindow(0n, IDENTITY_LIMIT);
}

/**
 * The MADT of the machine whose RSDP is `rsdp`, read through `window`; null without an
 * RSDP (no ACPI: the boot CPU is the only one known). Panics on a malformed table and
 * when the root table lists no MADT.
 */
export function findCpus(rsdp: AcpiRsdp | null, window: PhysicalWindow): Madt | null {
  if (rsdp === null) return null;
  const root = readRootTable(rsdp, window);
  const t = root.find(window, SIGNATURE_MADT);
  if (t === null) return panic(`ACPI: the ${rootName(root.extended)} at p${hex(root.table.phys)} lists ${root.count} tables, none of them a MADT ("APIC"): the processors are unknown`);
  return parseMadt(t);
}

/** Prints the `cpus: … in the MADT` line of the boot report (format at the top of this file). */
export function printCpuReport(madt: Madt | null): void {
  if (madt === null) {
    println("cpus: no ACPI RSDP from the boot loader: the boot CPU only");
    return;
  }
  print(`cpus: ${madt.cpuCount()} in the MADT (APIC ids `);
  let first: bool = true;
  for (let i: u32 = 0; i < madt.cpuCount(); i++) {
    if (!madt.enabled(i)) continue;
    if (!first) print(",");
    print(`${madt.apicIds.get(i)}`);
    first = false;
  }
  print(`; ${madt.disabledCount()} disabled), local APIC at p${hex(madt.localApic)}`);
  if (madt.overridden) print(" (64-bit override)");
  println(`, ${madt.ioApics} I/O APIC${plural(madt.ioApics)}`);
}

/** "s" unless `n` is 1. */
function plural(n: u32): string {
  if (n === 1) return "";
  return "s";
}
