// A module-level const string: `static const char *const` in C.
import type { u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
const GREETING: string = "hello";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(GREETING);
}
