// Fault fixture: unbounded recursion must run into the boot stack's guard page and be
// reported as a kernel stack overflow (a double fault on its own stack), not a triple
// fault, then stop with status 3.
import type { u64 } from "../../kernel/lib/int";
import { println } from "../../kernel/lib/console";
import { serialInit } from "../../kernel/arch/x86_64/serial";
import { installExceptionHandlers } from "../../kernel/arch/x86_64/exceptions";

/** Never reached by the recursion: a base case gcc cannot rule out. */
let limit: u64 = 0xffff_ffff_ffff_ffffn;
/** The deepest level reached, stored on the way down so each level has a side effect. */
let deepest: u64 = 0n;

/** Recurses until the stack runs out; the addition after the call keeps it a real call. */
function recurse(depth: u64): u64 {
  deepest = depth;
  if (depth === limit) return 0n;
  const below: u64 = recurse(depth + 1n); // recurse-here
  return below + depth;
}

/** Fixture entry. */
export function kernelMain(bootInfo: u64): void {
  serialInit();
  installExceptionHandlers();
  println("# about to recurse without bound");
  const total: u64 = recurse(bootInfo & 1n);
  println(`# unreachable: recursion returned ${total} at depth ${deepest}`);
  limit = 0n;
}
