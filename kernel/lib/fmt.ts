// Formatting directives for template literals. keelc lowers `${hex(x)}` to a hex writer;
// the body is what Node runs as written. Classes print through a `toString()` whose
// returns are string or template literals (keelc streams them instead of building strings).
import type { u64, u32 } from "./int";

/** Formats an integer as lowercase hex with a `0x` prefix: `hex(4096n)` is `0x1000`. */
export function hex(x: u64 | u32): string {
  return "0x" + x.toString(16);
}
