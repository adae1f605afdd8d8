// The parser under Node on the boot information GRUB really handed over in QEMU (captured
// by test/boot/capture.sh): it must print exactly the report the kernel printed on the
// metal, and the free regions must be sorted, disjoint and inside available entries.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printBootReport } from "../../kernel/boot/boot_report";
import { parseBootInfo } from "../../kernel/boot/boot_info";
import { computeBootMemory, linkerKernelImage } from "../../kernel/boot/regions";
import { machine } from "../sim/machine";
import { useSimulatedConsole } from "../mm/support";
import { parseCapture, storeBytes } from "./builder";

useSimulatedConsole();

const dir = new URL("./fixtures/", import.meta.url);
const captures = readdirSync(dir).filter((f) => f.endsWith(".txt")).sort();

/** Free frames each captured report shows (the capture kernel's image; make run's differs slightly). */
const FREE_FRAMES: Record<string, bigint> = {
  bios_pc_128m: 31300n,
  bios_q35_128m: 31299n,
  bios_pc_1g: 260676n,
  bios_q35_4g: 1047107n,
  bios_pc_5g: 1309252n,
  uefi_ovmf_128m: 30034n,
};

/** The boot memory picture of the information at `address`, as the kernel computes it. */
function readBootMemory(address: bigint) {
  return computeBootMemory(parseBootInfo(address), linkerKernelImage());
}

describe.each(captures)("captured boot information %s", (file) => {
  const name = file.replace(/\.txt$/, "");
  const load = () => {
    const c = parseCapture(readFileSync(new URL(file, dir), "utf8"));
    storeBytes(c.address, c.bytes);
    return c;
  };

  it("prints the same report in Node as on the metal", () => {
    const c = load();
    printBootReport(readBootMemory(c.address));
    expect(machine.serial).toBe(c.report);
  });

  it("has sorted, disjoint free regions inside available entries, none reserved", () => {
    const c = load();
    const mem = readBootMemory(c.address);
    let prevLast = -1n;
    let frames = 0n;
    const map = mem.info.memoryMap();
    for (let k = 0n; k < mem.freeRegionCount(); k++) {
      const fr = mem.freeRegion(k);
      const first = fr.firstNumber() << 12n;
      const last = ((fr.lastNumber() + 1n) << 12n) - 1n;
      expect(first > prevLast).toBe(true);
      const entries = [...map].filter((e) => e.isAvailable() && e.base <= first && last < e.base + e.length);
      expect(entries.length, `free ${first.toString(16)}..${last.toString(16)} in one available entry`).toBeGreaterThan(0);
      for (let i = 0n; i < mem.reservedCount(); i++) {
        const r = mem.reserved(i).region;
        expect(r.last < first || r.first > last, `free region overlaps reserved ${i}`).toBe(true);
      }
      frames += fr.sizeInChunks();
      prevLast = last;
    }
    expect(frames).toBe(mem.freeFrameCount());
    if (name in FREE_FRAMES) expect(frames).toBe(FREE_FRAMES[name]);
  });

  it("agrees with the basic meminfo tag", () => {
    const c = load();
    const mem = readBootMemory(c.address);
    const mi = mem.info.basicMeminfo()!;
    expect(mi).not.toBeNull();
    expect(mem.availableRunAt(0n)!.sizeInBytes() / 1024n).toBe(mi.lowerKiB);
    expect(mem.availableRunAt(0x10_0000n)!.sizeInBytes() / 1024n).toBe(mi.upperKiB);
  });
});
