// The monomorphized instances of a program: every concrete class (and generic class
// instance) with its C struct, and every function instantiated for it or for a generic
// function's type arguments. The registry names them, makes each once, and keeps the queue
// of those still to be lowered (lowering one may reach more, so the lowering drains it).
import type { ClassDeclaration, FunctionDeclaration, SourceFile } from "ts-morph";
import { baseOf, hasMutableField, isOwnedClass, mangle, structTyOf, type ClassInfo, type Env, type Level, type Member } from "./classes";
import { Codes, fail } from "./diagnostics";
import type { Func, StructDef, Ty } from "./ir";
import { globalCName } from "./names";
import { mapTypeNode } from "./types";
import { nameOf } from "./tree";

/** How a method is instantiated: a method, a static method, a getter, or toString as a formatter. */
export type MethodKind = "method" | "static" | "getter" | "fmt";

/** The instances of one program, by C name. */
export class InstanceRegistry {
  /** Every concrete class described so far (a type query describes without instantiating). */
  private readonly infos = new Map<string, ClassInfo>();
  /** Classes whose struct and members are instantiated. */
  private readonly classes = new Set<string>();
  /** C structs, in the order their classes were instantiated (the IR's order). */
  readonly structs = new Map<string, StructDef>();
  /** Functions made or queued, by C name. */
  private readonly made = new Set<string>();
  private readonly queue: (() => void)[] = [];
  /** Instantiated functions, by the file of their declaration (they go into its module). */
  private readonly funcs = new Map<SourceFile, Func[]>();

  /** The chain and bindings of a concrete class, instantiated with `args` when generic; instantiates nothing. */
  classInfo(decl: ClassDeclaration, args: Ty[] = []): ClassInfo {
    const ty = structTyOf(decl, args);
    if (ty.k !== "struct") throw new Error("unreachable");
    const cached = this.infos.get(ty.cname);
    if (cached) return cached;
    const params = decl.getTypeParameters();
    if (params.length !== args.length) fail(decl, Codes.Unsupported, `'${nameOf(decl)}' needs ${params.length} type arguments`);
    const chain: Level[] = [{ decl, env: new Map(params.map((tp, i) => [nameOf(tp), args[i]!])) }];
    for (let level = chain[0]!; ; ) {
      const b = baseOf(level.decl);
      if (!b) break;
      const params = b.base.getTypeParameters();
      if (params.length !== b.args.length) fail(level.decl, Codes.Unsupported, "give every type argument of the base class explicitly");
      const env: Env = new Map(params.map((tp, i) => [nameOf(tp), mapTypeNode(b.args[i]!, level.env)]));
      level = { decl: b.base, env };
      chain.push(level);
    }
    const owned = isOwnedClass(decl);
    const info: ClassInfo = { decl, args, cname: ty.cname, chain, mutable: hasMutableField(decl) && !owned, owned };
    this.infos.set(ty.cname, info);
    return info;
  }

  /** True the first time a class is instantiated: the caller then lays out its struct and queues its members. */
  claimClass(info: ClassInfo): boolean {
    if (this.classes.has(info.cname)) return false;
    this.classes.add(info.cname);
    return true;
  }

  /** True the first time a function's C name is claimed: the caller then makes it. */
  claim(cname: string): boolean {
    if (this.made.has(cname)) return false;
    this.made.add(cname);
    return true;
  }

  /** Claims `cname` and queues `lower` to make it, once; returns the C name. */
  instantiate(cname: string, lower: () => void): string {
    if (this.claim(cname)) this.queue.push(lower);
    return cname;
  }

  /** Queues work that must run after what is being lowered now. */
  enqueue(job: () => void): void {
    this.queue.push(job);
  }

  /** Runs queued work, oldest first, until none is left (each job may queue more). */
  drain(run: (job: () => void) => void): void {
    while (this.queue.length > 0) run(this.queue.shift()!);
  }

  /** Adds an instantiated function to the module of `sf`. */
  addFunc(sf: SourceFile, f: Func): void {
    const list = this.funcs.get(sf) ?? [];
    list.push(f);
    this.funcs.set(sf, list);
  }

  /** The instantiated functions that belong to the module of `sf`. */
  funcsOf(sf: SourceFile): Func[] {
    return this.funcs.get(sf) ?? [];
  }

  /** C name of a method instantiated for a concrete class. */
  methodName(info: ClassInfo, member: Member, kind: MethodKind): string {
    const name = member.name === "[Symbol.dispose]" ? "dispose" : member.name;
    return `${info.cname}__${kind === "getter" ? "get_" : ""}${kind === "fmt" ? "fmt" : name}`;
  }

  /** C name of `new X(...)`: zeroes the struct and runs the constructor chain. */
  ctorName(info: ClassInfo): string {
    return `${info.cname}__new`;
  }

  /** C name of level `level`'s part of constructing an instance of `info`. */
  initName(info: ClassInfo, level: Level): string {
    return `${info.cname}__init_${nameOf(level.decl)}`;
  }

  /** C name of a generic function's instance for the bindings `env` of its type parameters. */
  genericName(decl: FunctionDeclaration, params: string[], env: Env): string {
    return `${globalCName(decl.getSourceFile(), nameOf(decl)!)}_${params.map((p) => mangle(env.get(p)!)).join("_")}`;
  }
}
