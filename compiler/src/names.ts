// C names for TypeScript declarations: module-qualified so that every kernel module has its
// own namespace in C, while keeping the TypeScript name readable (`arch_x86_64_serial__init`).
import * as path from "node:path";
import type { SourceFile } from "ts-morph";
import { memoByObject } from "./memo";

const C_RESERVED = new Set(
  ("auto break case char const continue default do double else enum extern float for goto if inline int long register " +
    "restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool bool true false " +
    "NULL asm typeof main").split(" "),
);

/** Module identifier of a source file: its path without `kernel/` and `.ts`, as a C identifier. */
export const moduleId = memoByObject((sf: SourceFile): string => {
  let rel = path.relative(process.cwd(), sf.getFilePath()).split(path.sep).join("/");
  rel = rel.replace(/\.ts$/, "").replace(/^kernel\//, "");
  return rel.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1");
});

/** C name of a module-level declaration. */
export function globalCName(sf: SourceFile, name: string): string {
  return `${moduleId(sf)}__${name}`;
}

/** C name of a local variable or parameter (TypeScript name unless C reserves it). */
export function localCName(name: string): string {
  return C_RESERVED.has(name) || name.startsWith("keel_") ? `${name}_` : name;
}
