// Harness fixture: a kernel that triple-faults (a load from a non-canonical address with no
// IDT installed). QEMU with -no-reboot then exits with status 0, which must count as failure.
import type { u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { load64 } from "../../kernel/lib/intrinsics";
import { KtapOptions, KtapSuite } from "../../kernel/lib/ktap";
import { serialInit } from "../../kernel/arch/x86_64/serial";

function loadsNonCanonical(): void {
  println("# about to load from a non-canonical address");
  const value: u64 = load64(0x8000_0000_0000_0000n);
  println(`# unreachable: read ${value}`);
}

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const suite = new KtapSuite();
  suite.test("loads from a non-canonical address", loadsNonCanonical);
  suite.run(KtapOptions.all());
}
