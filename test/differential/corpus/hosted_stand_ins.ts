// The machine stand-ins both hosted executions share (keel_hosted.c and run-node's machine):
// section bounds, a TSC that moves forward, the object-allocator hook.
import type { u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { hex } from "../../../kernel/lib/fmt";
import { kernelBssEnd, kernelBssStart, kernelDataStart, kernelRodataStart, readTsc } from "../../../kernel/lib/intrinsics";
import { serialInit } from "../../../kernel/arch/x86_64/serial";

export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(`${hex(kernelRodataStart())} ${hex(kernelDataStart())} ${hex(kernelBssStart())}..${hex(kernelBssEnd())}`);
  const t0: u64 = readTsc();
  const t1: u64 = readTsc();
  println(`tsc moves forward: ${t1 > t0}, by ${t1 - t0}`);
}
