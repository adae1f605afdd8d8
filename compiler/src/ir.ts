// The typed intermediate representation between lowering and the backends. Close to C:
// every integer operation names its type and whether it is checked, every check carries
// the TypeScript location it reports, and formatting is a flat list of pieces.

/** Integer kinds of the subset. */
export type IntKind = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64";

/** A const enum as C sees it: its C name and its members' names and values (GDB prints names). */
export interface EnumInfo {
  cname: string;
  members: [string, number][];
}

/** Keel types. */
export type Ty =
  | { k: "int"; kind: IntKind; enumOf?: EnumInfo }
  | { k: "bool" }
  | { k: "void" }
  | { k: "never" }
  | { k: "string" }
  | { k: "fn"; params: Ty[]; ret: Ty; nullable: boolean }
  /** A class instance: a C struct by value (value class) or a pointer to one (mutable class). */
  | { k: "struct"; cname: string; mutable: boolean }
  /** `T | null`: a tagged struct { bool some; T value; }, or a nullable pointer for mutable T. */
  | { k: "opt"; inner: Ty }
  /** A fixed-length array (`new Array<T>(n)`): { uint32_t length; T *data; }, bounds-checked. */
  | { k: "array"; elem: Ty };

export type BinOp = "+" | "-" | "*" | "/" | "%" | "<<" | ">>" | "&" | "|" | "^";
export type CmpOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** Expressions. `ty` is the Keel type of the value. */
export type Expr =
  | { e: "int"; ty: Ty & { k: "int" }; value: bigint }
  | { e: "bool"; value: boolean }
  | { e: "str"; value: string }
  | { e: "null"; ty: Ty }
  | { e: "local"; name: string; ty: Ty }
  | { e: "global"; cname: string; ty: Ty }
  | { e: "fnref"; cname: string; ty: Ty }
  | { e: "call"; cname: string; args: Expr[]; ty: Ty }
  | { e: "callptr"; callee: Expr; args: Expr[]; ty: Ty }
  | { e: "intrinsic"; name: string; args: Expr[]; ty: Ty }
  | { e: "bin"; op: BinOp; l: Expr; r: Expr; ty: Ty & { k: "int" }; wrapping: boolean; loc: string }
  | { e: "cmp"; op: CmpOp; l: Expr; r: Expr }
  | { e: "logic"; op: "&&" | "||"; l: Expr; r: Expr }
  | { e: "not"; x: Expr }
  | { e: "bitnot"; x: Expr; ty: Ty & { k: "int" } }
  | { e: "neg"; x: Expr; ty: Ty & { k: "int" }; loc: string }
  | { e: "conv"; x: Expr; ty: Ty & { k: "int" }; checked: boolean; loc: string }
  | { e: "cond"; c: Expr; a: Expr; b: Expr; ty: Ty }
  /** `self` inside a method or constructor (a pointer in constructors and mutable classes). */
  | { e: "self"; ty: Ty; ptr: boolean }
  /** Field of a struct value or of the struct a pointer points to. */
  | { e: "field"; x: Expr; name: string; ty: Ty; ptr: boolean }
  /** The struct a pointer points to, as a value (`this` passed on from a value class's constructor). */
  | { e: "load"; x: Expr; ty: Ty }
  /** Address of a module-level instance of a mutable class (its singletons live in static storage). */
  | { e: "addrof"; x: Expr; ty: Ty }
  /** Wraps a value into `T | null`. */
  | { e: "some"; x: Expr; ty: Ty }
  /** Tests a `T | null` for a value. */
  | { e: "isSome"; x: Expr }
  /** The value of a `T | null` that TypeScript narrowed to non-null. */
  | { e: "unwrap"; x: Expr; ty: Ty }
  /** A zero-initialised value (the start of a constructor). */
  | { e: "zero"; ty: Ty }
  /** Zeroed storage for a mutable object, which lives as long as the kernel (pointer). */
  | { e: "alloc"; ty: Ty; loc: string }
  /** `new Array<T>(length).fill(value)`. */
  | { e: "newArray"; length: Expr; fill: Expr; ty: Ty & { k: "array" }; loc: string }
  /** `a[i]`, bounds-checked. */
  | { e: "index"; x: Expr; i: Expr; ty: Ty; loc: string }
  /** `a.length`. */
  | { e: "length"; x: Expr };

/** One piece of formatted output. */
export type FmtPiece =
  | { p: "str"; value: string }
  | { p: "dec"; x: Expr }
  | { p: "hex"; x: Expr }
  | { p: "bool"; x: Expr }
  | { p: "strval"; x: Expr }
  /** A class value printed by its toString (lowered to a `fmt` function). */
  | { p: "obj"; x: Expr; fn: string };

/** Statements. `line` maps back to the TypeScript source for #line and debuggers. */
export type Stmt = { line: number } & (
  | { s: "let"; name: string; ty: Ty; init: Expr | null }
  | { s: "assign"; target: Expr; value: Expr }
  | { s: "expr"; x: Expr }
  | { s: "if"; c: Expr; then: Stmt[]; else: Stmt[] | null }
  /** Loops and blocks may carry a label (unique in the function) for labelled break/continue. */
  | { s: "while"; c: Expr; body: Stmt[]; label?: string }
  | { s: "dowhile"; c: Expr; body: Stmt[]; label?: string }
  | { s: "for"; init: Stmt[]; c: Expr | null; step: Stmt[]; body: Stmt[]; label?: string }
  | { s: "break"; label?: string }
  | { s: "continue"; label?: string }
  | { s: "return"; x: Expr | null }
  | { s: "block"; body: Stmt[]; label?: string }
  | { s: "fmt"; pieces: FmtPiece[] }
  | { s: "panic"; loc: string; pieces: FmtPiece[] }
);

export interface Param {
  name: string;
  ty: Ty;
}

/** A function of the program. */
export interface Func {
  cname: string;
  tsName: string;
  params: Param[];
  ret: Ty;
  body: Stmt[];
  exported: boolean;
  /**
   * Its doc comment's inlining hint for the C backend: `@cold` (rarely run: kept out of
   * line, so its callers' fast paths stay small) or `@inline` (a small fast path: always
   * inlined where its body is visible); null without one. Never changes what it does.
   */
  inlining: "cold" | "inline" | null;
  file: string;
  line: number;
}

/** A module-level variable. `init` is null when zero-initialised. */
export interface Global {
  cname: string;
  tsName: string;
  ty: Ty;
  init: Expr | null;
  constInit: boolean; // the initializer is a constant expression (C static initializer)
  isConst: boolean; // declared with const
  file: string;
  line: number;
}

/** A struct type of the program (a concrete class). */
export interface StructDef {
  cname: string;
  fields: Param[];
  file: string;
}

/** One kernel source file. */
export interface Module {
  id: string; // e.g. "arch_x86_64_serial"
  file: string; // display path, e.g. "kernel/arch/x86_64/serial.ts"
  funcs: Func[];
  globals: Global[];
  init: Stmt[]; // module initialisers that are not constant
}

/** The whole program, modules in initialisation order (dependencies first). */
export interface Program {
  modules: Module[];
  /** Struct types in dependency order (a struct after the structs it contains). */
  structs: StructDef[];
  entry: { cname: string; takesBootInfo: boolean };
  support: { panicStop: string; writeByte: string };
}

/** The Keel type of a lowered expression. */
export function exprTy(x: Expr): Ty {
  switch (x.e) {
    case "int":
    case "null":
    case "local":
    case "global":
    case "fnref":
    case "call":
    case "callptr":
    case "intrinsic":
    case "bin":
    case "bitnot":
    case "neg":
    case "conv":
    case "cond":
    case "self":
    case "field":
    case "addrof":
    case "load":
    case "some":
    case "unwrap":
    case "zero":
    case "alloc":
    case "newArray":
    case "index":
      return x.ty;
    case "length":
      return { k: "int", kind: "u32" };
    case "isSome":
      return { k: "bool" };
    case "bool":
    case "cmp":
    case "logic":
    case "not":
      return { k: "bool" };
    case "str":
      return { k: "string" };
  }
}

/** True for expressions without effects: nothing to call, nothing that can panic. */
export function isPureExpr(x: Expr): boolean {
  return effectFree(x, true);
}

/** True for expressions whose value no effect can change: literals, locals, `this`. */
export function isStableExpr(x: Expr): boolean {
  return effectFree(x, false);
}

/** No call and no check that can panic; with `reads` false, no read of memory an effect could change either. */
function effectFree(x: Expr, reads: boolean): boolean {
  const sub = (y: Expr): boolean => effectFree(y, reads);
  switch (x.e) {
    case "int":
    case "bool":
    case "str":
    case "null":
    case "local":
    case "fnref":
    case "self":
    case "zero":
      return true;
    case "global":
      return reads;
    case "some":
    case "not":
    case "bitnot":
      return sub(x.x);
    case "field":
    case "isSome":
    case "unwrap":
    case "length":
    case "addrof":
    case "load":
      return reads && sub(x.x);
    case "cmp":
    case "logic":
      return sub(x.l) && sub(x.r);
    case "bin":
      return (x.wrapping || x.op === "&" || x.op === "|" || x.op === "^") && sub(x.l) && sub(x.r);
    case "conv":
      return !x.checked && sub(x.x);
    case "cond":
      return reads && sub(x.c) && sub(x.a) && sub(x.b);
    default:
      return false;
  }
}
