// Functions of kernel/lib that keelc knows by name: their calls are lowered specially and
// their TypeScript bodies (what Node runs as written) are never compiled to C.
import * as path from "node:path";
import type { Node, SourceFile } from "ts-morph";
import type { IntKind } from "./ir";
import { memoByObject } from "./memo";

/** What a known library function is to the compiler. */
export type Builtin =
  | { b: "conv"; to: IntKind; checked: boolean }
  | { b: "wrapping"; op: "+" | "-" | "*" }
  | { b: "print"; newline: boolean }
  | { b: "panic" }
  | { b: "hex" }
  | { b: "intrinsic"; name: string };

const CONVERSIONS: Record<string, Builtin> = {
  u8: { b: "conv", to: "u8", checked: true },
  u16: { b: "conv", to: "u16", checked: true },
  u32: { b: "conv", to: "u32", checked: true },
  u64: { b: "conv", to: "u64", checked: true },
  usize: { b: "conv", to: "u64", checked: true },
  i8: { b: "conv", to: "i8", checked: true },
  i16: { b: "conv", to: "i16", checked: true },
  i32: { b: "conv", to: "i32", checked: true },
  i64: { b: "conv", to: "i64", checked: true },
  truncU8: { b: "conv", to: "u8", checked: false },
  truncU16: { b: "conv", to: "u16", checked: false },
  truncU32: { b: "conv", to: "u32", checked: false },
  wrappingAdd: { b: "wrapping", op: "+" },
  wrappingSub: { b: "wrapping", op: "-" },
  wrappingMul: { b: "wrapping", op: "*" },
};

/** Library files whose functions are all built in or Node-only (never compiled). */
const HOST_ONLY_FILES = ["lib/int.ts", "lib/fmt.ts", "lib/iter.ts", "lib/callsite.ts"];

/** Path of a file relative to the kernel root (the folder holding lib/), or null. */
export const kernelRelative = memoByObject((sf: SourceFile): string | null => {
  const p = sf.getFilePath().split(path.sep).join("/");
  const at = p.lastIndexOf("/kernel/");
  return at < 0 ? null : p.slice(at + "/kernel/".length);
});

/** True for library files that keelc never compiles. */
export function isHostOnlyFile(sf: SourceFile): boolean {
  const rel = kernelRelative(sf);
  return rel !== null && HOST_ONLY_FILES.includes(rel);
}

/** The builtin a declaration stands for, or null for ordinary code. */
export function builtinOf(decl: Node, name: string): Builtin | null {
  const rel = kernelRelative(decl.getSourceFile());
  if (rel === "lib/int.ts") return CONVERSIONS[name] ?? null;
  if (rel === "lib/console.ts" && (name === "print" || name === "println")) return { b: "print", newline: name === "println" };
  if (rel === "lib/panic.ts" && name === "panic") return { b: "panic" };
  if (rel === "lib/fmt.ts" && name === "hex") return { b: "hex" };
  if (rel === "lib/intrinsics.ts") return { b: "intrinsic", name };
  return null;
}
