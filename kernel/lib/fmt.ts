// Formatting directives for template literals. keelc lowers `${hex(x)}` to a hex writer;
// the body is what Node runs as written. Classes print through a `toString()` whose
// returns are string or template literals (keelc streams them instead of building strings).
import type { i32, i64, u32, u64 } from "./int";

/** Formats an integer as lowercase hex with a `0x` prefix: `hex(4096n)` is `0x1000`, `hex(-128)` is `-0x80`. */
export function hex(x: u64 | u32 | i64 | i32): string {
  return x < 0 ? "-0x" + (-x).toString(16) : "0x" + x.toString(16);
}
