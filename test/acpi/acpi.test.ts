// The ACPI tables (kernel/acpi/) on hand-made tables in the simulated machine: RSDP v1 and
// v2 through the boot information's tags, RSDT and XSDT, the MADT's entries, the boot
// report line, and a named panic for each kind of malformed table.
import { describe, expect, it } from "vitest";
import { parseBootInfo } from "../../kernel/boot/boot_info";
import { bootIdentityWindow, findCpus, printCpuReport, PhysicalWindow, type Madt } from "../../kernel/acpi";
import { machine } from "../sim/machine";
import { expectPanic, some, useSimulatedConsole } from "../mm/support";
import { BootInfoBuilder } from "../boot/builder";
import { MadtBuilder, rootTable, rsdpBytes, TableBuilder } from "./builder";

useSimulatedConsole();

const INFO = 0x10000n;
const ROOT = 0x7fe1000n;
const FACP = 0x7fe2000n;
const MADT = 0x7fe3000n;
const XROOT = 0x7fe4000n;

/** Boot information with the RSDP of `revision` pointing at the RSDT `rsdt` (and XSDT `xsdt`). */
function bootWithRsdp(revision: number, rsdt: bigint, xsdt = 0n) {
  return parseBootInfo(new BootInfoBuilder().tag(revision >= 2 ? 15 : 14, rsdpBytes(revision, rsdt, xsdt)).store(INFO));
}

/** The CPUs of a machine whose RSDT lists a FACP and `madt` (stored at MADT). */
function cpusOf(madt: TableBuilder, revision = 0): Madt {
  new TableBuilder("FACP").store(FACP);
  madt.store(MADT);
  rootTable(false, [FACP, MADT]).store(ROOT);
  if (revision >= 2) rootTable(true, [FACP, MADT]).store(XROOT);
  return some(findCpus(bootWithRsdp(revision, ROOT, revision >= 2 ? XROOT : 0n).acpiRsdp(), bootIdentityWindow()));
}

/** Expects the CPUs of `madt` to panic with `text`. */
function expectCpusPanic(madt: TableBuilder, text: string): void {
  expectPanic(() => cpusOf(madt), text);
}

/** The boot report line of `madt`. */
function reportOf(madt: Madt | null): string {
  machine.serial = "";
  printCpuReport(madt);
  return machine.serial.trimEnd();
}

const FOUR_CPUS = () => new MadtBuilder().cpu(0).cpu(1).cpu(2).cpu(3).ioApic(0);

describe("finding the CPUs", () => {
  it("reads the processors, the local APIC and the I/O APICs of a MADT through an RSDT (ACPI 1.0)", () => {
    const m = cpusOf(FOUR_CPUS().table());
    expect(m.cpuCount()).toBe(4);
    expect([0, 1, 2, 3].map((i) => m.apicIds.get(i))).toEqual([0, 1, 2, 3]);
    expect([m.localApic, m.ioApics, m.disabledCount(), m.phys]).toEqual([0xfee0_0000n, 1, 0, MADT]);
    expect(reportOf(m)).toBe("cpus: 4 in the MADT (APIC ids 0,1,2,3; 0 disabled), local APIC at p0xfee00000, 1 I/O APIC");
  });

  it("uses the XSDT of an ACPI 2.0 RSDP, not its RSDT", () => {
    new TableBuilder("FACP").store(FACP);
    new MadtBuilder().cpu(7).table().store(MADT);
    rootTable(false, [FACP]).store(ROOT); // an RSDT without the MADT: must not be read
    rootTable(true, [FACP, MADT]).store(XROOT);
    const m = some(findCpus(bootWithRsdp(2, ROOT, XROOT).acpiRsdp(), bootIdentityWindow()));
    expect(m.apicIds.get(0)).toBe(7);
  });

  it("uses the RSDT of an ACPI 2.0 RSDP that gives no XSDT", () => {
    new MadtBuilder().cpu(5).table().store(MADT);
    rootTable(false, [MADT]).store(ROOT);
    expect(some(findCpus(bootWithRsdp(2, ROOT, 0n).acpiRsdp(), bootIdentityWindow())).apicIds.get(0)).toBe(5);
  });

  it("counts a disabled CPU (listed for hot-plug) apart and lists only the enabled ones' ids", () => {
    const m = cpusOf(new MadtBuilder().cpu(0).cpu(1).cpu(2, 0).cpu(3, 2).ioApic(0).ioApic(1).table());
    expect([m.enabled(0), m.enabled(1), m.enabled(2), m.enabled(3)]).toEqual([true, true, false, false]);
    expect(reportOf(m)).toBe("cpus: 4 in the MADT (APIC ids 0,1; 2 disabled), local APIC at p0xfee00000, 2 I/O APICs");
  });

  it("reads x2APIC entries and the 64-bit local APIC override, and skips unknown entry types", () => {
    const m = cpusOf(new MadtBuilder(0xfee0_0000).cpu(0).raw([2, 10, 0, 0, 0, 0, 0, 0, 0, 0]).x2apic(300).override(0x1_fee0_0000n).override(0x2_0000_0000n).table());
    expect([m.cpuCount(), m.apicIds.get(1), m.localApic, m.overridden]).toEqual([2, 300, 0x1_fee0_0000n, true]);
    expect(reportOf(m)).toBe("cpus: 2 in the MADT (APIC ids 0,300; 0 disabled), local APIC at p0x1fee00000 (64-bit override), 0 I/O APICs");
  });

  it("finds no CPUs without an RSDP: the boot CPU only", () => {
    const info = parseBootInfo(new BootInfoBuilder().store(INFO));
    expect(findCpus(info.acpiRsdp(), bootIdentityWindow())).toBeNull();
    expect(reportOf(null)).toBe("cpus: no ACPI RSDP from the boot loader: the boot CPU only");
  });
});

describe("malformed tables: a named panic each", () => {
  it("a MADT with a bad checksum", () => {
    const t = FOUR_CPUS().table();
    t.checksumError = 1;
    expectCpusPanic(t, `ACPI: table listed in the RSDT at p0x7fe3000: bad checksum over its 88 bytes`);
  });

  it("a root table with a bad checksum, and one of the wrong signature", () => {
    const r = rootTable(false, [MADT]);
    r.checksumError = 0x80;
    r.store(ROOT);
    expectPanic(() => findCpus(bootWithRsdp(0, ROOT).acpiRsdp(), bootIdentityWindow()), "ACPI: RSDT at p0x7fe1000: bad checksum over its 40 bytes");
    rootTable(true, [MADT]).store(ROOT);
    expectPanic(() => findCpus(bootWithRsdp(0, ROOT).acpiRsdp(), bootIdentityWindow()), "ACPI: RSDT at p0x7fe1000 has signature 0x54445358, expected 0x54445352");
  });

  it("a length shorter than the header, and an absurd length", () => {
    const t = FOUR_CPUS().table();
    t.length = 20;
    expectCpusPanic(t, "ACPI: table listed in the RSDT at p0x7fe3000 has length 20, less than its 36-byte header");
    t.length = 0x7fff_ffff;
    expectCpusPanic(t, "has length 2147483647, more than the 1048576 bytes any table needs");
  });

  it("a MADT truncated before its entries", () => {
    const t = new TableBuilder("APIC", new MadtBuilder().table().body);
    t.body.data.length = 4; // the local APIC address, no flags
    expectCpusPanic(t, "ACPI: MADT at p0x7fe3000 has length 40, less than the 44 bytes before its entries");
  });

  it("an entry running past the table's end", () => {
    const t = new MadtBuilder().cpu(0).raw([0, 8, 1, 1]).table(); // a local APIC entry cut after 4 bytes
    expectCpusPanic(t, "ACPI: MADT at p0x7fe3000: entry of type 0 at offset 52 (length 8) runs past the table's end (length 56)");
  });

  it("an entry shorter than its type, an entry of length 0, a lone byte at the end", () => {
    expectCpusPanic(new MadtBuilder().cpu(0).raw([1, 8, 0, 0, 0, 0, 0, 0]).table(), "entry of type 1 at offset 52 has length 8, less than its 12 bytes");
    expectCpusPanic(new MadtBuilder().raw([4, 0]).table(), "entry of type 4 at offset 44 has length 0, less than its 2 bytes");
    expectCpusPanic(new MadtBuilder().cpu(0).raw([0]).table(), "entry at offset 52 has no room for its 2-byte header (table length 53)");
  });

  it("a root table without a MADT", () => {
    new TableBuilder("FACP").store(FACP);
    rootTable(true, [FACP]).store(XROOT);
    expectPanic(() => findCpus(bootWithRsdp(2, ROOT, XROOT).acpiRsdp(), bootIdentityWindow()), 'ACPI: the XSDT at p0x7fe4000 lists 1 tables, none of them a MADT ("APIC")');
  });

  it("root tables whose entries are not a whole number of addresses", () => {
    const r = rootTable(true, [MADT]);
    r.body.u32(0);
    r.store(XROOT);
    expectPanic(() => findCpus(bootWithRsdp(2, ROOT, XROOT).acpiRsdp(), bootIdentityWindow()), "ACPI: XSDT at p0x7fe4000 has length 48: its 12 bytes of entries are not a whole number of 8-byte addresses");
  });

  it("a table outside the memory the kernel reads it through", () => {
    rootTable(true, [0x1_0000_0000n]).store(XROOT);
    expectPanic(() => findCpus(bootWithRsdp(2, ROOT, XROOT).acpiRsdp(), bootIdentityWindow()), "ACPI: table listed in the XSDT at p0x100000000 (36 bytes) lies outside the memory the kernel reads it through (below p0x100000000)");
    new MadtBuilder().cpu(0).table().store(MADT);
    rootTable(false, [MADT]).store(ROOT);
    expectPanic(() => findCpus(bootWithRsdp(0, ROOT).acpiRsdp(), new PhysicalWindow(0n, MADT + 40n)), "ACPI: table listed in the RSDT at p0x7fe3000 (52 bytes) lies outside");
  });

  it("an RSDP with neither root table", () => {
    expectPanic(() => findCpus(bootWithRsdp(0, 0n).acpiRsdp(), bootIdentityWindow()), "ACPI: the RSDP (revision 0) gives no RSDT and no XSDT");
  });
});
