// The parser under Node on the boot information GRUB really handed over in QEMU (captured
// by test/boot/capture.sh): it must print exactly the report the kernel printed on the
// metal, and the free regions must be sorted, disjoint and inside available entries.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printBootReport } from "../../kernel/boot/boot_report";
import { readBootMemory } from "../../kernel/boot/regions";
import { basicMeminfo } from "../../kernel/boot/boot_tags";
import { machine } from "../sim/machine";
import { useSimulatedConsole } from "../mm/support";
import { parseCapture, storeBytes } from "./builder";

useSimulatedConsole();

const dir = new URL("./fixtures/", import.meta.url);
const captures = readdirSync(dir).filter((f) => f.endsWith(".txt")).sort();

/** Free frames each captured report shows (the capture kernel's image; make run's differs slightly). */
const FREE_FRAMES: Record<string, bigint> = {
  bios_pc_128m: 31349n,
  bios_q35_128m: 31348n,
  bios_pc_1g: 260725n,
  bios_q35_4g: 1047156n,
  bios_pc_5g: 1309301n,
  uefi_ovmf_128m: 30056n,
};

describe.each(captures)("captured boot information %s", (file) => {
  const name = file.replace(/\.txt$/, "");
  const load = () => {
    const c = parseCapture(readFileSync(new URL(file, dir), "utf8"));
    storeBytes(c.address, c.bytes);
    return c;
  };

  it("prints the same report in Node as on the metal", () => {
    const c = load();
    printBootReport(c.address);
    expect(machine.serial).toBe(c.report);
  });

  it("has sorted, disjoint free regions inside available entries, none reserved", () => {
    const c = load();
    const mem = readBootMemory(c.address);
    let from = 0n;
    let prevLast = -1n;
    let frames = 0n;
    for (;;) {
      const fr = mem.nextFreeFrames(from);
      if (fr === null) break;
      const first = fr.firstNumber() << 12n;
      const last = ((fr.lastNumber() + 1n) << 12n) - 1n;
      expect(first > prevLast).toBe(true);
      const entries = [...mem.map].filter((e) => e.isAvailable() && e.base <= first && last < e.base + e.length);
      expect(entries.length, `free ${first.toString(16)}..${last.toString(16)} in one available entry`).toBeGreaterThan(0);
      for (let i = 0n; i < mem.reservedCount(); i++) {
        const r = mem.reserved(i).region;
        expect(r.last < first || r.first > last, `free region overlaps reserved ${i}`).toBe(true);
      }
      frames += fr.sizeInChunks();
      prevLast = last;
      from = last + 1n;
    }
    expect(frames).toBe(mem.freeFrameCount());
    if (name in FREE_FRAMES) expect(frames).toBe(FREE_FRAMES[name]);
  });

  it("agrees with the basic meminfo tag", () => {
    const c = load();
    const mem = readBootMemory(c.address);
    const mi = basicMeminfo(c.address)!;
    expect(mi).not.toBeNull();
    expect(mem.availableRun(0n)!.sizeInBytes() / 1024n).toBe(mi.lowerKiB);
    expect(mem.availableRun(0x10_0000n)!.sizeInBytes() / 1024n).toBe(mi.upperKiB);
  });
});
