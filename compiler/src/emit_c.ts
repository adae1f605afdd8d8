// Phase 5, emit: C from the IR. One .c file per kernel module plus a shared header and a
// support file (checked arithmetic, formatting, keel_start). TypeScript names are kept
// and every statement carries a #line directive back to its .ts source, so GDB breaks and
// lists at TypeScript lines.
import { BraceStatements, jumpsTo } from "./emit_braces";
import { exprTy, isPureExpr, isStableExpr, type Expr, type FmtPiece, type Func, type Global, type EnumInfo, type IntKind, type Module, type Program, type Stmt, type Ty } from "./ir";
import { intInfo } from "./types";

/** C files keyed by file name. */
export type CFiles = Map<string, string>;

const CTYPE: Record<IntKind, string> = {
  u8: "uint8_t", u16: "uint16_t", u32: "uint32_t", u64: "uint64_t",
  i8: "int8_t", i16: "int16_t", i32: "int32_t", i64: "int64_t",
};

/** C string literal for a JavaScript string (octal escapes never swallow what follows). */
export function cString(s: string): string {
  let out = '"';
  for (const ch of Buffer.from(s, "utf8")) {
    if (ch === 0x22) out += '\\"';
    else if (ch === 0x5c) out += "\\\\";
    else if (ch === 0x0a) out += "\\n";
    else if (ch >= 0x20 && ch < 0x7f && ch !== 0x3f) out += String.fromCharCode(ch);
    else out += "\\" + ch.toString(8).padStart(3, "0");
  }
  return out + '"';
}

/** Emits the whole program. */
export function emitC(p: Program): CFiles {
  const em = new CEmitter(p);
  return em.run();
}

class CEmitter extends BraceStatements {
  private readonly fnTypedefs = new Map<string, string>();
  private readonly helpers = new Map<string, string>();

  constructor(private readonly p: Program) {
    super();
  }

  run(): CFiles {
    const files: CFiles = new Map();
    for (const m of this.p.modules) {
      if (m.funcs.length || m.init.length || m.globals.some((g) => !isConstant(g))) files.set(`${m.id}.c`, this.module(m));
    }
    files.set("keel_support.c", this.support());
    files.set("keel_program.h", this.header());
    return files;
  }

  // ---- types ----

  private ty(t: Ty): string {
    switch (t.k) {
      case "int":
        if (t.enumOf) {
          this.enumTypedefs.set(t.enumOf.cname, t.enumOf);
          return t.enumOf.cname;
        }
        return CTYPE[t.kind];
      case "bool":
        return "bool";
      case "void":
      case "never":
        return "void";
      case "string":
        return "const char *";
      case "fn":
        return this.fnTypedef(t);
      case "struct":
        return t.mutable ? `${t.cname} *` : t.cname;
      case "opt":
        // An optional mutable object is its pointer, NULL for null.
        return isPointer(t.inner) ? this.ty(t.inner) : this.optTypedef(t);
      case "array":
        return this.arrayTypedef(t);
    }
  }

  private readonly arrayTypedefs = new Map<string, Ty>();

  private arrayTypedef(t: Ty & { k: "array" }): string {
    const name = `keel_array_${this.ty(t.elem).replace(/[^A-Za-z0-9_]/g, "")}`;
    this.arrayTypedefs.set(name, t.elem);
    return name;
  }

  private readonly optTypedefs = new Map<string, Ty>();
  private readonly enumTypedefs = new Map<string, EnumInfo>();

  private optTypedef(t: Ty & { k: "opt" }): string {
    const inner = this.ty(t.inner).replace(/[^A-Za-z0-9_]/g, "");
    const name = `keel_opt_${inner}`;
    this.optTypedefs.set(name, t.inner);
    return name;
  }

  /** Struct and optional definitions, each after the types it contains. */
  private typeDefinitions(): string[] {
    const out: string[] = [];
    const done = new Set<string>();
    const structs = new Map(this.p.structs.map((d) => [d.cname, d]));
    const define = (t: Ty): void => {
      if (t.k === "struct" && !t.mutable) defineStruct(t.cname);
      if (t.k === "array") {
        const name = this.arrayTypedef(t);
        if (done.has(name)) return;
        done.add(name);
        if (!isPointer(t.elem)) define(t.elem);
        const elem = this.ty(t.elem);
        // keel_alloc's storage is zeroed (the arena is .bss, the heap's objectAlloc and the
        // hosted calloc zero it): filling with a scalar zero would write every element twice.
        const scalar = t.elem.k === "int" || t.elem.k === "bool" || isPointer(t.elem);
        const fillLoop = `for (uint32_t i = 0; i < length; i++) a.data[i] = fill;`;
        out.push(
          `typedef struct { uint32_t length; ${elem} *data; } ${name};`,
          `static inline ${elem} *${name}_at(${name} a, uint32_t i, const char *loc) { if (i >= a.length) keel_fail(loc, "array index out of bounds"); return &a.data[i]; }`,
          `static inline ${name} ${name}_new(uint32_t length, ${elem} fill, const char *loc) { ${name} a = { length, (${elem} *)keel_alloc((uint64_t)length * sizeof(${elem}), loc) }; ${scalar ? `if (fill != 0) ${fillLoop}` : fillLoop} return a; }`,
        );
      }
      if (t.k === "opt" && !isPointer(t.inner)) {
        const name = this.optTypedef(t);
        if (done.has(name)) return;
        define(t.inner);
        done.add(name);
        out.push(`typedef struct { bool some; ${this.decl(t.inner, "value")}; } ${name};`);
      }
    };
    const defineStruct = (cname: string): void => {
      if (done.has(cname)) return;
      done.add(cname);
      const d = structs.get(cname)!;
      for (const f of d.fields) define(f.ty);
      out.push(`/* ${d.file} */`, `struct ${cname} {`, ...(d.fields.length ? d.fields.map((f) => `  ${this.decl(f.ty, f.name)};`) : ["  char empty_; /* C structs cannot be empty */"]), "};");
    };
    for (const d of this.p.structs) defineStruct(d.cname);
    for (const inner of [...this.optTypedefs.values()]) define({ k: "opt", inner });
    for (const elem of [...this.arrayTypedefs.values()]) define({ k: "array", elem });
    // Enums first: structs and optionals hold them. The last member makes C's enum a signed
    // int, as the i32 it stands for (no signed/unsigned comparison warnings).
    const enums = [...this.enumTypedefs.values()].map((e) =>
      `typedef enum { ${[...e.members.map(([m, v]) => `${e.cname}__${m} = ${v}`), `${e.cname}__keel_i32_min = -2147483647 - 1`].join(", ")} } ${e.cname};`);
    return [...enums, ...out];
  }

  private fnTypedef(t: Ty & { k: "fn" }): string {
    const key = `${t.params.map((p) => this.ty(p)).join(",")}->${this.ty(t.ret)}`;
    let name = this.fnTypedefs.get(key);
    if (!name) {
      const mangle = (s: string) => s.replace(/const char \*/g, "str").replace(/[^A-Za-z0-9]/g, "");
      name = `keel_fn_${t.params.map((p) => mangle(this.ty(p))).join("_") || "void"}__${mangle(this.ty(t.ret))}`;
      this.fnTypedefs.set(key, name);
    }
    return name;
  }

  private decl(t: Ty, name: string): string {
    return `${this.ty(t)} ${name}`;
  }

  private proto(f: Func): string {
    const params = f.params.length ? f.params.map((p) => this.decl(p.ty, p.name)).join(", ") : "void";
    return `${f.ret.k === "never" ? "_Noreturn " : ""}${this.ty(f.ret)} ${f.cname}(${params})`;
  }

  /**
   * A definition's inlining attributes. `@cold`: out of line, so a caller's fast path saves
   * no registers for it (kernel/sync/spinlock.ts's contended wait). `@inline`: inlined
   * wherever its body is visible (every call in a unity build); only the definition says
   * so, and `inline` with the header's plain prototype keeps it an external definition
   * (C99 6.7.4), so module-by-module builds still link their calls to it.
   */
  private inlining(f: Func): string {
    if (f.inlining === "cold") return "__attribute__((cold, noinline)) ";
    if (f.inlining === "inline") return "__attribute__((always_inline)) inline ";
    return "";
  }

  // ---- files ----

  private header(): string {
    const out: string[] = [
      "/* Generated by keelc from the kernel TypeScript: do not edit. */",
      "#ifndef KEEL_PROGRAM_H",
      "#define KEEL_PROGRAM_H",
      '#include "keel_runtime.h"',
      "",
      "_Noreturn void keel_fail(const char *loc, const char *what);",
      "void *keel_alloc(uint64_t size, const char *loc);",
      "void keel_fmt_str(const char *s);",
      "void keel_fmt_u64(uint64_t x);",
      "void keel_fmt_i64(int64_t x);",
      "void keel_fmt_hex(uint64_t x);",
      "void keel_fmt_hex_signed(int64_t x);",
      "",
    ];
    const protos: string[] = [];
    const constants: string[] = [];
    for (const m of this.p.modules) {
      protos.push(`/* ${m.file} */`);
      for (const g of m.globals) {
        // Constants go in the header as static const so that every module can fold them;
        // after every prototype, since a constant may name a function.
        if (isConstant(g)) constants.push(`static ${g.ty.k === "string" || g.ty.k === "fn" ? `${this.ty(g.ty)} const ${g.cname}` : `const ${this.decl(g.ty, g.cname)}`} = ${this.expr(g.init!)};`);
        else protos.push(`extern ${this.decl(g.ty, g.cname)};`);
      }
      if (m.init.length || m.globals.some((g) => !g.constInit)) protos.push(`void ${m.id}__init(void);`);
      for (const f of m.funcs) protos.push(`${this.proto(f)};`);
    }
    for (const d of this.p.structs) out.push(`typedef struct ${d.cname} ${d.cname};`);
    const defs = this.typeDefinitions();
    // Typedefs are discovered while emitting; they must come before any use.
    for (const [key, name] of this.fnTypedefs) {
      const [params, ret] = key.split("->");
      out.push(`typedef ${ret} (*${name})(${params || "void"});`);
    }
    out.push("", ...defs, "", ...this.helpers.values(), "", ...protos, "", ...constants, "", "#endif", "");
    return out.join("\n");
  }

  /** The C function being printed (panic helpers are named after it) and its panic helpers. */
  private currentFn = "";
  private panicHelpers: string[] = [];
  private panicPrototypes: string[] = [];
  private panicsInFn = 0;

  private module(m: Module): string {
    this.panicHelpers = [];
    this.panicPrototypes = [];
    const out: string[] = [
      `/* Generated by keelc from ${m.file}: do not edit. */`,
      '#include "keel_program.h"',
      "/* A function whose only way out is a panic is legal TypeScript, and so is a comparison that",
      " * gcc proves constant after folding (`x >= wrappingSub(y, y)` on an unsigned x). keelc only",
      " * compares operands of one Keel type, so gcc's sign-compare warning (which folding also",
      " * trips: `(u16)(x ^ 0xffff) != y`) can only be a false alarm on this code. Comparing an",
      " * expression with itself (`(g | g) < (g | g)`) is legal TypeScript too, and means what C says. */",
      '#pragma GCC diagnostic ignored "-Winfinite-recursion"',
      '#pragma GCC diagnostic ignored "-Wtautological-compare"',
      '#pragma GCC diagnostic ignored "-Wtype-limits"',
      '#pragma GCC diagnostic ignored "-Wsign-compare"',
      "",
    ];
    for (const g of m.globals) {
      if (isConstant(g)) continue;
      out.push(`#line ${g.line} "${m.file}"`);
      out.push(g.constInit && g.init ? `${this.decl(g.ty, g.cname)} = ${this.expr(g.init)};` : `${this.decl(g.ty, g.cname)};`);
    }
    const dynamic = m.globals.filter((g) => !g.constInit);
    const prototypesAt = out.length;
    if (dynamic.length || m.init.length) {
      this.currentFn = `${m.id}__init`;
      this.panicsInFn = 0;
      out.push("", `void ${m.id}__init(void) {`);
      for (const g of dynamic) out.push(`#line ${g.line} "${m.file}"`, `  ${g.cname} = ${this.expr(g.init!)};`);
      this.stmts(m.init, 1, m.file, out);
      out.push("}");
    }
    for (const f of m.funcs) {
      // A base class's method compiled for this module's class keeps its own file.
      this.currentFn = f.cname;
      this.panicsInFn = 0;
      out.push("", `#line ${f.line} "${f.file}"`, `${this.inlining(f)}${this.proto(f)} {`);
      const body: string[] = [];
      this.voided = voidedLocals(f.body);
      this.stmts(f.body, 1, f.file, body);
      // TypeScript allows unused parameters; C's -Wextra does not.
      const text = body.join("\n");
      for (const p of f.params) if (!new RegExp(`\\b${p.name}\\b`).test(text)) out.push(`  (void)${p.name};`);
      out.push(...body);
      if (f.ret.k === "never") out.push("  __builtin_unreachable();");
      out.push("}");
    }
    if (this.panicPrototypes.length) out.splice(prototypesAt, 0, "", ...this.panicPrototypes);
    out.push(...this.panicHelpers);
    return out.join("\n") + "\n";
  }

  /**
   * A panic leaves through a cold helper of its own (`<function>__panicN`), passed the
   * message's values: the formatting then does not count against inlining the function
   * that panics, so a small accessor with a bounds check stays small. The values were
   * already evaluated in order (lower_statements.ts hoists every substitution that is not
   * a local or a constant), so passing them changes nothing; the helper's lines map to the
   * panic's TypeScript line, and a backtrace shows it above the function that panicked.
   */
  protected override panicStatement(s: Stmt & { s: "panic" }, pad: string, file: string, out: string[]): void {
    const params: string[] = [];
    const args: string[] = [];
    const pieces = s.pieces.map((piece): FmtPiece => {
      if (piece.p === "str" || piece.x.e === "int" || piece.x.e === "str" || piece.x.e === "bool") return piece;
      const ty = exprTy(piece.x);
      const name = `keel_value${params.length}`;
      params.push(this.decl(ty, name));
      args.push(this.expr(piece.x));
      return { ...piece, x: { e: "local", name, ty } };
    });
    const name = `${this.currentFn}__panic${++this.panicsInFn}`;
    const head = `static __attribute__((cold, noinline, noreturn)) void ${name}(${params.length ? params.join(", ") : "void"})`;
    const body: string[] = [];
    super.panicStatement({ ...s, pieces }, "  ", file, body);
    this.panicPrototypes.push(`${head};`);
    this.panicHelpers.push("", `#line ${s.line} "${file}"`, `${head} {`, ...body, "  __builtin_unreachable();", "}");
    out.push(`${pad}${name}(${args.join(", ")});`);
  }

  private support(): string {
    const { panicStop, writeByte } = this.p.support;
    const inits = this.p.modules.filter((m) => m.init.length || m.globals.some((g) => !g.constInit)).map((m) => `  ${m.id}__init();`);
    return `/* Generated by keelc: formatting and failure support for the emitted code. */
#include "keel_program.h"

void keel_fmt_str(const char *s) {
  while (*s) ${writeByte}((uint8_t)*s++);
}

void keel_fmt_u64(uint64_t x) {
  char buf[20];
  int n = 0;
  do { buf[n++] = (char)('0' + x % 10); x /= 10; } while (x != 0);
  while (n > 0) ${writeByte}((uint8_t)buf[--n]);
}

void keel_fmt_i64(int64_t x) {
  if (x < 0) { ${writeByte}((uint8_t)'-'); keel_fmt_u64((uint64_t)0 - (uint64_t)x); }
  else keel_fmt_u64((uint64_t)x);
}

void keel_fmt_hex(uint64_t x) {
  char buf[16];
  int n = 0;
  keel_fmt_str("0x");
  do { buf[n++] = "0123456789abcdef"[x & 15]; x >>= 4; } while (x != 0);
  while (n > 0) ${writeByte}((uint8_t)buf[--n]);
}

/* Signed hex as JavaScript prints it: a minus sign, then the magnitude (-0x80). */
void keel_fmt_hex_signed(int64_t x) {
  if (x < 0) { ${writeByte}((uint8_t)'-'); keel_fmt_hex((uint64_t)0 - (uint64_t)x); }
  else keel_fmt_hex((uint64_t)x);
}

/* Storage for mutable objects and arrays: they live as long as the kernel (there is no
 * garbage collector), from a static arena until the kernel heap takes over. */
#ifndef KEEL_ARENA_SIZE
#define KEEL_ARENA_SIZE (4u << 20)
#endif
static uint8_t keel_arena[KEEL_ARENA_SIZE] __attribute__((aligned(16)));
static uint64_t keel_arena_used;

/* Zeroed storage (new arrays of a scalar zero skip their fill loop on that promise). */
void *keel_alloc(uint64_t size, const char *loc) {
  /* Once the kernel heap is up (kernel/mm/heap/heap.ts registers it), objects come from it:
   * keel_heap_alloc (keel_runtime.h) returns zeroed, 16-byte aligned storage, or NULL before
   * the heap exists, when it is exhausted, or on a reentrant call (the heap growing). */
  void *heap = keel_heap_alloc(size);
  if (heap) return heap;
  uint64_t start = (keel_arena_used + 15) & ~(uint64_t)15;
  if (size > KEEL_ARENA_SIZE || start > KEEL_ARENA_SIZE - size) keel_fail(loc, "object arena exhausted (objects and arrays are never freed before the heap exists)");
  keel_arena_used = start + size;
  /* The arena is in .bss: zero until first use, and never reused. */
  return &keel_arena[start];
}

/* A failed check: print where, as panic() does, and stop. */
_Noreturn void keel_fail(const char *loc, const char *what) {
  keel_fmt_str("panic at ");
  keel_fmt_str(loc);
  keel_fmt_str(": ");
  keel_fmt_str(what);
  keel_fmt_str("\\n");
  ${panicStop}();
}

void keel_start(uint64_t boot_info) {
${inits.join("\n")}
  ${this.p.entry.cname}(${this.p.entry.takesBootInfo ? "boot_info" : ""});${this.p.entry.takesBootInfo ? "" : "\n  (void)boot_info;"}
}
`;
  }

  // ---- statements (control flow printed by BraceStatements) ----

  protected override lineMarker(line: number, file: string): string {
    return `#line ${line} "${file}"`;
  }

  /** Locals TypeScript lets go unused (C's -Wunused-variable would not): see voidedLocals. */
  private voided = new Set<Stmt>();

  protected override declareLocal(s: Stmt & { s: "let" }): string {
    const text = `${this.decl(s.ty, s.name)}${s.init ? ` = ${this.expr(s.init)}` : ""}`;
    return this.voided.has(s) ? `${text}; (void)${s.name}` : text;
  }

  protected override assignment(target: Expr, value: Expr): string {
    return `${this.expr(target)} = ${this.expr(value)}`;
  }

  protected override sequenceExpr(stmts: string[]): string {
    return `({ ${stmts.join(" ")} })`;
  }

  protected override labelPrefix(): string {
    return "";
  }

  /** C has no labelled break/continue: they jump to the labels continueTarget/breakTarget place. */
  protected override jump(kind: "break" | "continue", label: string | undefined): string {
    return label ? `goto keel_${kind}_${label}` : kind;
  }

  protected override jumpTarget(kind: "break" | "continue", label: string | undefined, body: Stmt[], depth: number, out: string[]): void {
    // Only labels something jumps to: an unused one is a -Wunused-label error.
    if (label && jumpsTo(body, kind, label)) out.push(`${"  ".repeat(depth)}keel_${kind}_${label}: ;`);
  }

  protected override stringLiteral(text: string): string {
    return cString(text);
  }

  protected override panicStopName(): string {
    return this.p.support.panicStop;
  }

  protected override fmt(piece: FmtPiece): string {
    switch (piece.p) {
      case "str":
        return `keel_fmt_str(${cString(piece.value)})`;
      case "strval":
        return `keel_fmt_str(${this.expr(piece.x)})`;
      case "bool":
        return `keel_fmt_str((${this.expr(piece.x)}) ? "true" : "false")`;
      case "dec": {
        const kind = (exprTy(piece.x) as Ty & { k: "int" }).kind;
        return intInfo(kind).signed ? `keel_fmt_i64((int64_t)(${this.expr(piece.x)}))` : `keel_fmt_u64((uint64_t)(${this.expr(piece.x)}))`;
      }
      case "hex": {
        const kind = (exprTy(piece.x) as Ty & { k: "int" }).kind;
        return intInfo(kind).signed ? `keel_fmt_hex_signed((int64_t)(${this.expr(piece.x)}))` : `keel_fmt_hex((uint64_t)(${this.expr(piece.x)}))`;
      }
      case "obj":
        return `${piece.fn}(${this.expr(piece.x)})`;
    }
  }

  // ---- expressions ----

  protected override expr(x: Expr): string {
    switch (x.e) {
      case "int":
        return this.intLiteral(x.value, x.ty.kind);
      case "bool":
        return x.value ? "true" : "false";
      case "str":
        return cString(x.value);
      case "null":
        return x.ty.k === "opt" && !isPointer(x.ty.inner) ? `((${this.ty(x.ty)}){ .some = false })` : "NULL";
      case "local":
        return x.name;
      case "global":
      case "fnref":
        return x.cname;
      case "call":
        return this.ordered(x.args, (args) => `${x.cname}(${args.join(", ")})`);
      case "callptr":
        return this.ordered([x.callee, ...x.args], ([callee, ...args]) => `${callee}(${args.join(", ")})`);
      case "intrinsic":
        return this.ordered(x.args, (args) => `keel_${x.name}(${args.join(", ")})`);
      case "bin":
        return this.bin(x);
      case "cmp": {
        // `x < x` on integers is a constant (and gcc warns about the tautology).
        if (isPureExpr(x.l) && JSON.stringify(x.l, bigintJson) === JSON.stringify(x.r, bigintJson)) return x.op === "==" || x.op === "<=" || x.op === ">=" ? "true" : "false";
        return this.ordered([x.l, x.r], ([l, r]) => `(${l} ${x.op} ${r})`);
      }
      case "logic":
        return `(${this.expr(x.l)} ${x.op} ${this.expr(x.r)})`;
      case "not":
        return `(!${this.expr(x.x)})`;
      case "bitnot": {
        // Through a helper for every width: gcc warns (-Wsign-compare) when the complement of
        // a promoted small unsigned value is compared, even behind casts and conversions.
        const name = `keel_not_${x.ty.kind}`;
        const t = CTYPE[x.ty.kind];
        const bits = intInfo(x.ty.kind).bits;
        this.helpers.set(name, callerLineHelper(name, [[t, "a"]], [], `(${t})~(${bits === 64 ? "uint64_t" : "uint32_t"})keel_a`));
        return `${name}(${this.expr(x.x)})`;
      }
      case "neg":
        return `${this.helper("neg", x.ty.kind)}(${this.expr(x.x)}, ${cString(x.loc)})`;
      case "conv":
        return this.conv(x);
      case "cond":
        return `(${this.expr(x.c)} ? ${this.expr(x.a)} : ${this.expr(x.b)})`;
      case "self":
        return "self";
      case "field":
        return x.ptr ? `${this.expr(x.x)}->${x.name}` : `${this.expr(x.x)}.${x.name}`;
      case "addrof":
        return `(&${this.expr(x.x)})`;
      case "load":
        return `(*${this.expr(x.x)})`;
      case "some":
        if (x.ty.k === "opt" && isPointer(x.ty.inner)) return this.expr(x.x);
        return `((${this.ty(x.ty)}){ .some = true, .value = ${this.expr(x.x)} })`;
      case "isSome": {
        const t = exprTy(x.x);
        if (t.k === "opt" && isPointer(t.inner)) return `(${this.expr(x.x)} != NULL)`;
        return `(${this.expr(x.x)}).some`;
      }
      case "unwrap": {
        const t = exprTy(x.x);
        if (t.k === "opt" && isPointer(t.inner)) return this.expr(x.x);
        return `(${this.expr(x.x)}).value`;
      }
      case "alloc":
        return `((${this.ty(x.ty)})keel_alloc(sizeof(${this.ty(x.ty).replace(/ \*$/, "")}), ${cString(x.loc)}))`;
      case "newArray":
        return `${this.arrayTypedef(x.ty)}_new(${this.expr(x.length)}, ${this.expr(x.fill)}, ${cString(x.loc)})`;
      case "index":
        return `(*${this.arrayTypedef(exprTy(x.x) as Ty & { k: "array" })}_at(${this.expr(x.x)}, ${this.expr(x.i)}, ${cString(x.loc)}))`;
      case "length":
        return `(${this.expr(x.x)}).length`;
      case "zero":
        return `((${this.ty(x.ty)}){0})`;
    }
  }

  private intLiteral(v: bigint, kind: IntKind): string {
    const info = intInfo(kind);
    if (info.signed && v === info.min) return `((${CTYPE[kind]})(${v + 1n}${info.big ? "LL" : ""} - 1))`;
    if (!info.big) return v < 0n ? `(${v})` : info.bits <= 16 || v <= 0x7fffffffn ? String(v) : `${v}U`;
    return v < 0n ? `(${v}LL)` : info.signed ? `${v}LL` : `UINT64_C(0x${v.toString(16)})`;
  }

  /**
   * C leaves the order of operands and arguments unspecified; TypeScript evaluates them left
   * to right. Every operand that must be evaluated before a later operand's effect (a call,
   * a check that can panic) goes into a temporary, in order, in a GNU statement expression:
   * effects before the last effect, and reads of memory (a global, a field, an element)
   * that the effect could change. The last effect itself needs a temporary only when a
   * read follows it. Operands that no effect can change (literals, locals) stay in place.
   */
  private ordered(parts: Expr[], build: (texts: string[]) => string): string {
    let last = -1;
    parts.forEach((p, i) => {
      if (!isPureExpr(p)) last = i;
    });
    const readAfterLast = parts.slice(last + 1).some((q) => !isStableExpr(q));
    const needsTemp = (p: Expr, i: number): boolean => !isStableExpr(p) && (i < last || (i === last && readAfterLast));
    if (!parts.some(needsTemp)) return build(parts.map((p) => this.expr(p)));
    const lets: string[] = [];
    const texts = parts.map((p, i) => {
      const text = this.expr(p);
      if (!needsTemp(p, i)) return text;
      const name = `keel_t${++this.temps}`;
      lets.push(`${this.decl(exprTy(p), name)} = ${text};`);
      return name;
    });
    return `({ ${lets.join(" ")} ${build(texts)}; })`;
  }

  private temps = 0;

  private bin(x: Expr & { e: "bin" }): string {
    return this.ordered([x.l, x.r], ([l, r]) => this.binText(x, l!, r!));
  }

  private binText(x: Expr & { e: "bin" }, l: string, r: string): string {
    const kind = x.ty.kind;
    if (x.op === "&" || x.op === "|" || x.op === "^") return `((${CTYPE[kind]})(${l} ${x.op} ${r}))`;
    if (x.wrapping) {
      const u = intInfo(kind).bits === 64 ? "uint64_t" : "uint32_t";
      return `((${CTYPE[kind]})((${u})${l} ${x.op} (${u})${r}))`;
    }
    const name = { "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem", "<<": "shl", ">>": "shr" }[x.op];
    return `${this.helper(name, kind)}(${l}, ${r}, ${cString(x.loc)})`;
  }

  private conv(x: Expr & { e: "conv" }): string {
    const from = (exprTy(x.x) as Ty & { k: "int" }).kind;
    const to = x.ty.kind;
    if (!x.checked) return `((${CTYPE[to]})${this.expr(x.x)})`;
    return `${this.convHelper(from, to)}(${this.expr(x.x)}, ${cString(x.loc)})`;
  }

  /** Name of a checked-arithmetic helper, defining it in the header on first use. */
  private helper(op: string, kind: IntKind): string {
    const name = `keel_${op}_${kind}`;
    if (this.helpers.has(name)) return name;
    const t = CTYPE[kind];
    const info = intInfo(kind);
    const u = info.bits === 64 ? "uint64_t" : "uint32_t";
    const min = this.intLiteral(info.min, kind);
    // The statements and result of each helper, over its operands keel_a and keel_b and its location keel_loc.
    let checks: string[];
    let result: string;
    switch (op) {
      case "add":
      case "sub":
      case "mul":
        checks = [`${t} keel_r;`, `if (__builtin_${op}_overflow(keel_a, keel_b, &keel_r)) keel_fail(keel_loc, "integer overflow in ${{ add: "+", sub: "-", mul: "*" }[op]} (${kind})");`];
        result = "keel_r";
        break;
      case "div":
      case "rem":
        checks = [
          `if (keel_b == 0) keel_fail(keel_loc, "${op === "div" ? "division" : "remainder"} by zero");`,
          ...(info.signed ? [`if (keel_a == ${min} && keel_b == -1) keel_fail(keel_loc, "integer overflow in ${op === "div" ? "/" : "%"} (${kind})");`] : []),
        ];
        result = `(${t})(keel_a ${op === "div" ? "/" : "%"} keel_b)`;
        break;
      case "shl":
      case "shr":
        checks = [`if (${info.signed ? "keel_b < 0 || " : ""}keel_b >= ${info.bits}) keel_fail(keel_loc, "shift count out of range for ${kind}");`];
        // `<<` is checked like `*`: bits shifted out (or into the sign) are an overflow.
        if (op === "shl") checks.push(`${t} keel_r = (${t})((${u})keel_a << keel_b);`, `if ((${t})(keel_r >> keel_b) != keel_a) keel_fail(keel_loc, "integer overflow in << (${kind})");`);
        result = op === "shl" ? "keel_r" : `(${t})(keel_a >> keel_b)`;
        break;
      case "neg":
        this.helpers.set(name, callerLineHelper(name, [[t, "a"], ["const char *", "loc"]], [`if (keel_a == ${min}) keel_fail(keel_loc, "integer overflow in negation (${kind})");`], `(${t})-keel_a`));
        return name;
      default:
        throw new Error(`unknown helper ${op}`);
    }
    this.helpers.set(name, callerLineHelper(name, [[t, "a"], [t, "b"], ["const char *", "loc"]], checks, result));
    return name;
  }

  private convHelper(from: IntKind, to: IntKind): string {
    const name = `keel_conv_${from}_${to}`;
    if (this.helpers.has(name)) return name;
    const f = intInfo(from);
    const t = intInfo(to);
    const checks: string[] = [];
    if (f.min < t.min) checks.push(t.min === 0n ? "keel_x < 0" : `keel_x < ${this.intLiteral(t.min, to)}`);
    if (f.max > t.max) checks.push(f.signed ? `keel_x > ${this.intLiteral(t.max, to)}` : `(uint64_t)keel_x > ${this.intLiteral(t.max, to)}`);
    const cond = checks.join(" || ") || "0";
    this.helpers.set(name, callerLineHelper(name, [[CTYPE[from], "x"], ["const char *", "loc"]], [`if (${cond}) keel_fail(keel_loc, "value does not fit in ${to}");`], `(${CTYPE[to]})keel_x`));
    return name;
  }
}

/** A module-level `const` with a literal initializer: a compile-time constant in C. */
function isConstant(g: Global): boolean {
  return g.isConst && g.constInit && g.init !== null;
}

/** True for types passed as pointers (mutable objects). */
function isPointer(t: Ty): boolean {
  return t.k === "struct" && t.mutable;
}

/** JSON.stringify replacer for IR containing bigints. */
function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}

/**
 * The declarations of a function body that need `(void)name;` for C: locals never read
 * (TypeScript allows them: `for (const _ of r)`), and, to be safe under shadowing, every
 * local whose name is declared more than once.
 */
function voidedLocals(body: Stmt[]): Set<Stmt> {
  const lets: (Stmt & { s: "let" })[] = [];
  const used = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const o = node as { s?: string; e?: string; name?: string };
    if (o.s === "let") lets.push(o as Stmt & { s: "let" });
    if (o.e === "local" && o.name) used.add(o.name);
    for (const v of Object.values(o)) if (typeof v === "object") walk(v);
  };
  walk(body);
  const count = new Map<string, number>();
  for (const l of lets) count.set(l.name, (count.get(l.name) ?? 0) + 1);
  return new Set(lets.filter((l) => !used.has(l.name) || count.get(l.name)! > 1));
}

/**
 * An arithmetic helper (checked `+`, a conversion, ...) as a macro around a statement
 * expression rather than an inline function: its instructions then carry the line of the
 * TypeScript statement that uses it (the `#line` in force where it expands), so a fault
 * report, a backtrace and GDB's stepping name the TypeScript line, never a line of
 * keel_program.h (an inlined function keeps its own lines: a spill gcc placed in one was
 * the faulting instruction of the stack-overflow fixture). `params` are the C type and
 * name of each argument: each is evaluated once, in order, into the local keel_<name> that
 * `checks` (statements) and `result` (the value) use (keelc renames TypeScript names that
 * start with `keel_`, so none can be captured).
 */
function callerLineHelper(name: string, params: [string, string][], checks: string[], result: string): string {
  const args = params.map(([, p]) => `keel_arg_${p}`);
  const locals = params.map(([ty, p], i) => `${ty} keel_${p} = (${args[i]}); `).join("");
  return `#define ${name}(${args.join(", ")}) ({ ${locals}${checks.map((c) => `${c} `).join("")}(${result}); })`;
}
