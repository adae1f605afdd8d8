// An import under another name (`import { scaled as times1000 }`) calls the imported function.
import type { u32, u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
import { scaled as times1000 } from "./lib/mathlib";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  const x: u32 = 21;
  println(`times1000(21) = ${times1000(x)}`);
}
