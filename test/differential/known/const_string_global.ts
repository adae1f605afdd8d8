// KNOWN C-BACKEND BUG: a module-level `const` string emits `static const const char *` in
// keel_program.h, which gcc rejects under -Werror (duplicate const, unused variable).
import type { u64 } from "../../../kernel/lib/int";
import { println } from "../../../kernel/lib/console";
import { serialInit } from "../../../kernel/arch/x86_64/serial";
const GREETING: string = "hello";
export function kernelMain(bootInfo: u64): void {
  serialInit();
  println(GREETING);
}
