// Class lowering: each concrete class (or generic class instance) becomes a C struct with
// its methods compiled for it; constructors run the chain of base constructors on zeroed
// storage; member access, method calls, `new`, `this`, `using` and `for…of` over ranges.
// Instances are named, made once and queued by the InstanceRegistry (instances.ts); each
// method or constructor part is lowered in a Flow of its own.
import { Node, SyntaxKind, type Block, type CallExpression, type ClassDeclaration, type Expression, type NewExpression, type PropertyAccessExpression, type VariableDeclaration } from "ts-morph";
import { fieldsOf, findMember, instances, membersOf, type ClassInfo, type Member } from "./classes";
import { Codes, displayPath, fail, locationOf } from "./diagnostics";
import { Flow } from "./flow";
import type { MethodKind } from "./instances";
import { exprTy, type Expr, type Stmt, type Ty } from "./ir";
import { borrow, fieldCName, lineOf, narrowed, realParameters, signature } from "./lower_common";
import type { ProgramContext } from "./lower_context";
import type { ExpressionLowering } from "./lower_expressions";
import type { StatementLowering } from "./lower_statements";
import { localCName } from "./names";
import { enumValue, memberTy, methodOf, newTarget, propertyOf, selfTy, staticClassOf } from "./type_of";
import { mapTypeNode, showTy, T } from "./types";
import { nameOf } from "./tree";

/** Lowers classes and the expressions and statements that reach into them. */
export class ClassLowering {
  /** Set once the parts are wired (lower.ts): the parts call each other. */
  exprs!: ExpressionLowering;
  stmts!: StatementLowering;

  constructor(private readonly prog: ProgramContext) {}

  /** The chain and bindings of a concrete class; the first time, its struct is laid out and its members queued. */
  classInfo(decl: ClassDeclaration, args: Ty[] = []): ClassInfo {
    const registry = this.prog.instances;
    const info = registry.classInfo(decl, args);
    if (!registry.claimClass(info)) return info;
    // Mutable objects are fields by pointer (shared, as in JavaScript); value objects by value.
    const fields = fieldsOf(info).map((f) => {
      const ty = mapTypeNode(f.typeNode, f.level.env);
      const inner = ty.k === "opt" ? ty.inner : ty;
      // A value struct holding itself would be infinitely large in C (JavaScript shares a reference).
      if (inner.k === "struct" && !inner.mutable && inner.cname === info.cname)
        fail(f.node, Codes.ReferenceSemantics, `'${nameOf(decl)}' cannot hold a value of its own class: make the class mutable (its values are then references, as in JavaScript)`);
      return { name: fieldCName(f.name), ty };
    });
    registry.structs.set(info.cname, { cname: info.cname, fields, file: displayPath(decl.getSourceFile()) });
    registry.enqueue(() => this.instantiateAll(info));
    return info;
  }

  /** The class a struct type stands for, instantiated. */
  classInfoByCName(cname: string): ClassInfo | null {
    const inst = instances.get(cname);
    return inst ? this.classInfo(inst.decl, inst.args) : null;
  }

  /** Compiles every member of a concrete class, so that all of it is checked. */
  private instantiateAll(info: ClassInfo): void {
    const seen = new Set<string>();
    for (const level of info.chain) {
      for (const m of membersOf(level.decl).methods) {
        const key = `${m.isStatic() ? "static " : ""}${nameOf(m)}`;
        if (seen.has(key) || m.isAbstract() || !m.hasBody() || nameOf(m) === "[Symbol.iterator]") continue;
        seen.add(key);
        const member = findMember(info, nameOf(m), m.isStatic())!;
        this.methodFunc(info, member, nameOf(m) === "toString" ? "fmt" : m.isStatic() ? "static" : "method");
      }
      for (const g of membersOf(level.decl).getters) {
        if (seen.has(`get ${nameOf(g)}`)) continue;
        seen.add(`get ${nameOf(g)}`);
        this.methodFunc(info, findMember(info, nameOf(g))!, "getter");
      }
    }
    this.ctorFunc(info);
  }

  /** C name of a method instantiated for a concrete class; queues its lowering the first time. */
  methodFunc(info: ClassInfo, member: Member, kind: MethodKind): string {
    if (member.m === "field") throw new Error("fields are not functions");
    const cname = this.prog.instances.methodName(info, member, kind);
    return this.prog.instances.instantiate(cname, () => this.lowerMethod(info, member, kind, cname));
  }

  private lowerMethod(info: ClassInfo, member: Member, kind: MethodKind, cname: string): void {
    if (member.m === "field") return;
    const decl = member.decl;
    if (!Node.isMethodDeclaration(decl) && !Node.isGetAccessorDeclaration(decl)) return;
    const { params, ret } = signature(decl, member.level.env);
    const body = decl.getBody();
    if (!body || !Node.isBlock(body)) fail(decl, Codes.Unsupported, "methods need a body");
    const isStatic = kind === "static";
    // Methods of owned classes get a pointer to the place the object lives in.
    const selfPtr = info.mutable || info.owned;
    if (kind === "fmt" && ret.k !== "string") fail(decl, Codes.Unsupported, "toString() must return string");
    const flow = new Flow({ env: member.level.env, self: isStatic ? null : info, selfPtr, fmtMode: kind === "fmt", ret: kind === "fmt" ? T.void : ret });
    const head = { cname, tsName: `${nameOf(info.decl)}.${member.name}`, params, exported: true, ...(isStatic ? {} : { self: selfTy(info, selfPtr) }) };
    this.prog.instances.addFunc(info.decl.getSourceFile(), this.stmts.func(decl, flow, head));
  }

  /** The constructor a level runs: its own, or (implicitly) the nearest base's. */
  private effectiveCtor(info: ClassInfo, from: number): { index: number; decl: Node; params: Ty[]; names: string[] } | null {
    for (let i = from; i < info.chain.length; i++) {
      const c = info.chain[i]!.decl.getConstructors().find((k) => k.hasBody());
      if (c) return { index: i, decl: c, params: signature(c, info.chain[i]!.env).params, names: c.getParameters().map((p) => localCName(nameOf(p))) };
    }
    return null;
  }

  /** `X__new(args)`: zero the struct, run the constructor chain on it, return it. */
  private ctorFunc(info: ClassInfo): string {
    const cname = this.prog.instances.ctorName(info);
    if (!this.prog.instances.claim(cname)) return cname;
    const ctor = this.effectiveCtor(info, 0);
    const params = ctor?.params ?? [];
    const names = ctor?.names ?? [];
    const valueTy = selfTy(info, info.mutable);
    const line = lineOf(ctor?.decl ?? info.decl);
    const init = this.initFunc(info, 0);
    const object: Expr = { e: "local", name: "object", ty: valueTy };
    // Value objects are built in a local and returned by value; mutable objects get storage
    // that lives as long as the kernel and are returned by pointer (JavaScript's references).
    const self: Expr = info.mutable ? object : { e: "addrof", x: object, ty: selfTy(info, true) };
    const storage: Expr = info.mutable ? { e: "alloc", ty: valueTy, loc: `${displayPath(info.decl.getSourceFile())}:${line}` } : { e: "zero", ty: valueTy };
    this.prog.instances.addFunc(info.decl.getSourceFile(), {
      cname,
      tsName: `new ${nameOf(info.decl)}`,
      params: names.map((name, i) => ({ name, ty: params[i]! })),
      ret: valueTy,
      body: [
        { line, s: "let", name: "object", ty: valueTy, init: storage },
        { line, s: "expr", x: { e: "call", cname: init, args: [self, ...locals(names, params)], ty: T.void } },
        { line, s: "return", x: object },
      ],
      exported: true,
      inlining: null,
      file: displayPath(info.decl.getSourceFile()),
      line,
    });
    return cname;
  }

  /** `X__init_L(self, args)`: level L's part of constructing an X (fields, body, super). */
  private initFunc(info: ClassInfo, index: number): string {
    const level = info.chain[index]!;
    const cname = this.prog.instances.initName(info, level);
    if (!this.prog.instances.claim(cname)) return cname;
    const own = level.decl.getConstructors().find((k) => k.hasBody());
    const ctor = this.effectiveCtor(info, index);
    const params = ctor?.params ?? [];
    const names = ctor?.names ?? [];
    const ptrTy = selfTy(info, true);
    this.prog.instances.enqueue(() => {
      const flow = new Flow({ env: level.env, self: info, selfPtr: true, fmtMode: false, ret: T.void });
      if (own) realParameters(own).forEach((p, i) => flow.locals.set(p, params[i]!));
      const out: Stmt[] = [];
      const hasBase = index + 1 < info.chain.length;
      if (!own) {
        // Implicit constructor: forward every argument to the base, then own fields.
        if (hasBase) out.push({ line: lineOf(level.decl), s: "expr", x: { e: "call", cname: this.initFunc(info, index + 1), args: [{ e: "self", ty: ptrTy, ptr: true }, ...locals(names, params)], ty: T.void } });
        out.push(...this.fieldInits(info, index, flow));
      } else {
        if (!hasBase) out.push(...this.fieldInits(info, index, flow));
        const stmts = own.getBodyOrThrow();
        if (Node.isBlock(stmts)) out.push(...this.stmts.block(stmts, flow));
      }
      this.prog.instances.addFunc(info.decl.getSourceFile(), {
        cname,
        tsName: `${nameOf(level.decl)}.constructor`,
        params: [{ name: "self", ty: ptrTy }, ...names.map((name, i) => ({ name, ty: params[i]! }))],
        ret: T.void,
        body: out,
        exported: true,
        inlining: null,
        file: displayPath(level.decl.getSourceFile()),
        line: lineOf(own ?? level.decl),
      });
    });
    return cname;
  }

  /** Assignments of a level's field initialisers and parameter properties. */
  private fieldInits(info: ClassInfo, index: number, flow: Flow): Stmt[] {
    const level = info.chain[index]!;
    const out: Stmt[] = [];
    const selfPtr: Expr = { e: "self", ty: selfTy(info, true), ptr: true };
    for (const p of membersOf(level.decl).ctor?.getParameters() ?? []) {
      if (!p.isParameterProperty()) continue;
      const ty = mapTypeNode(p.getTypeNodeOrThrow(), level.env);
      out.push({ line: lineOf(p), s: "assign", target: { e: "field", x: selfPtr, name: fieldCName(nameOf(p)), ty, ptr: true }, value: { e: "local", name: localCName(nameOf(p)), ty } });
    }
    for (const prop of membersOf(level.decl).properties) {
      const init = prop.getInitializer();
      if (!init) continue;
      const ty = mapTypeNode(prop.getTypeNodeOrThrow(), level.env);
      out.push({ line: lineOf(prop), s: "assign", target: { e: "field", x: selfPtr, name: fieldCName(nameOf(prop)), ty, ptr: true }, value: this.exprs.argument(init, flow, ty) });
    }
    return out;
  }

  /** `super(args)` in a constructor: the base's part, then this level's field initialisers. */
  superCall(call: CallExpression, flow: Flow): Stmt[] {
    const info = flow.self;
    if (!info || !flow.selfPtr) fail(call, Codes.Unsupported, "super() only in a constructor");
    const index = info.chain.findIndex((l) => l.decl === call.getFirstAncestorByKind(SyntaxKind.ClassDeclaration));
    const params = this.effectiveCtor(info, index + 1)?.params ?? [];
    const args = call.getArguments() as Expression[];
    if (args.length !== params.length) fail(call, Codes.Unsupported, `super() takes ${params.length} arguments`);
    const self: Expr = { e: "self", ty: selfTy(info, true), ptr: true };
    return [
      { line: lineOf(call), s: "expr", x: { e: "call", cname: this.initFunc(info, index + 1), args: [self, ...args.map((a, i) => this.exprs.argument(a, flow, params[i]!))], ty: T.void } },
      ...this.fieldInits(info, index, flow),
    ];
  }

  /** `new C(args)`: a call of the class's `C__new`. */
  newExpr(e: NewExpression, flow: Flow, expected?: Ty): Expr {
    const target = newTarget(e, flow, this.prog, expected);
    const info = this.classInfo(target.decl, target.args);
    const cname = this.ctorFunc(info);
    const params = this.effectiveCtor(info, 0)?.params ?? [];
    const args = e.getArguments() as Expression[];
    if (args.length !== params.length) fail(e, Codes.Unsupported, `the constructor takes ${params.length} arguments`);
    return { e: "call", cname, args: args.map((a, i) => this.exprs.argument(a, flow, params[i]!)), ty: selfTy(info, info.mutable) };
  }

  /** The receiver of a method of `info`: a pointer to the place of an owned object, else the value. */
  receiver(info: ClassInfo, x: Expr, at: Node): Expr {
    return info.owned ? borrow(x, at) : x;
  }

  /** `this`: the object (or a pointer to it) of the method or constructor being lowered. */
  self(e: Node, flow: Flow): Expr {
    const info = flow.self;
    if (!info) fail(e, Codes.Unsupported, "`this` outside a method");
    const self: Expr = { e: "self", ty: selfTy(info, flow.selfPtr), ptr: flow.selfPtr };
    const parent = e.getParent();
    const member = parent && Node.isPropertyAccessExpression(parent) && parent.getExpression() === e;
    if (member || !flow.selfPtr) return self;
    // `this` as a value inside a constructor: JavaScript would show unassigned fields as
    // undefined where C shows zeros, so it may only escape once every field is set.
    checkFieldsAssigned(e);
    return info.mutable ? self : { e: "load", x: self, ty: selfTy(info, false) };
  }

  /** `x.f`: an enum member, an array's length, a field, or a getter call. */
  property(e: PropertyAccessExpression, flow: Flow): Expr {
    const value = enumValue(e);
    if (value !== null) return { e: "int", ty: T.int("i32"), value };
    const objNode = e.getExpression();
    const obj = this.exprs.expr(objNode, flow);
    const ty = exprTy(obj);
    // The class is instantiated (all its members checked) even when this access is wrong.
    if (ty.k === "struct") this.classInfoByCName(ty.cname);
    const p = propertyOf(e, ty, this.prog);
    if (p.k === "length") return { e: "length", x: obj };
    if (p.m.m === "field") return narrowed(e, { e: "field", x: obj, name: fieldCName(p.m.name), ty: memberTy(p.m), ptr: ty.k === "struct" && ty.mutable });
    return { e: "call", cname: this.methodFunc(p.info, p.m, "getter"), args: [this.receiver(p.info, obj, objNode)], ty: memberTy(p.m) };
  }

  /** `x.m(args)` or `Class.m(args)`. */
  methodCall(e: CallExpression, callee: PropertyAccessExpression, flow: Flow): Expr {
    const objNode = callee.getExpression();
    const classDecl = staticClassOf(objNode);
    const obj = classDecl ? null : this.exprs.expr(objNode as Expression, flow);
    const objTy = obj ? exprTy(obj) : null;
    // The class is instantiated first (all its members checked), even when this call is wrong.
    if (objTy?.k === "struct") this.classInfoByCName(objTy.cname);
    else if (classDecl && !classDecl.isAbstract()) this.classInfo(classDecl);
    const { info, member } = methodOf(callee, objTy, this.prog);
    const selfArg = obj ? this.receiver(info, obj, objNode) : null;
    const { params, ret, callSites } = signature(member.decl, member.level.env);
    const lowered = this.exprs.arguments(e, e.getArguments() as Expression[], params, callSites, nameOf(callee), flow);
    const cname = this.methodFunc(info, member, selfArg ? "method" : "static");
    return { e: "call", cname, args: selfArg ? [selfArg, ...lowered] : lowered, ty: ret };
  }

  /** `using x = …`: x is disposed at every exit of the enclosing scope. */
  registerUsing(d: VariableDeclaration, ty: Ty, flow: Flow): void {
    const inner = ty.k === "opt" ? ty.inner : ty;
    const info = inner.k === "struct" ? this.classInfoByCName(inner.cname) : null;
    const m = info ? findMember(info, "[Symbol.dispose]") : null;
    if (!info || !m || m.m !== "method") fail(d, Codes.Unsupported, "`using` needs an object with [Symbol.dispose]()");
    if (ty.k === "opt") fail(d, Codes.Unsupported, "`using` of an optional object is not supported: check for null first");
    const scope = flow.scopes[flow.scopes.length - 1];
    if (!scope) fail(d, Codes.Unsupported, "`using` only inside a function");
    scope.usings.push({ x: this.receiver(info, { e: "local", name: localCName(nameOf(d)), ty }, d), dispose: this.methodFunc(info, m, "method") });
  }

  /** `for (const x of r)`: a counted loop over `r.iterLength()` / `r.iterAt(i)`. */
  forOf(st: Node, flow: Flow): Stmt {
    if (!Node.isForOfStatement(st)) fail(st, Codes.Unsupported, "expected for…of");
    const line = lineOf(st);
    const init = st.getInitializer();
    if (!Node.isVariableDeclarationList(init) || init.getDeclarations().length !== 1) fail(init, Codes.Unsupported, "for…of declares one const");
    const decl = init.getDeclarations()[0]!;
    const range = this.exprs.expr(st.getExpression(), flow);
    const rty = exprTy(range);
    if (rty.k !== "struct") fail(st.getExpression(), Codes.Unsupported, `cannot iterate over a ${showTy(rty)}: for…of works on range classes with iterLength() and iterAt(i)`);
    const info = this.classInfoByCName(rty.cname)!;
    const lenM = findMember(info, "iterLength");
    const atM = findMember(info, "iterAt");
    if (!lenM || lenM.m !== "method" || !atM || atM.m !== "method") fail(st.getExpression(), Codes.Unsupported, `${showTy(rty)} has no iterLength()/iterAt(i) for for…of`);
    const elemTy = signature(atM.decl, atM.level.env).ret;
    const n = flow.nextTemp();
    const u64: Ty & { k: "int" } = T.int("u64");
    const r: Expr = { e: "local", name: `keel_range${n}`, ty: rty };
    const len: Expr = { e: "local", name: `keel_length${n}`, ty: u64 };
    const i: Expr = { e: "local", name: `keel_index${n}`, ty: u64 };
    flow.locals.set(decl, elemTy);
    const body = this.stmts.body(st.getStatement(), flow);
    return {
      line,
      s: "block",
      body: [
        { line, s: "let", name: `keel_range${n}`, ty: rty, init: range },
        { line, s: "let", name: `keel_length${n}`, ty: u64, init: { e: "call", cname: this.methodFunc(info, lenM, "method"), args: [r], ty: u64 } },
        {
          line,
          s: "for",
          init: [{ line, s: "let", name: `keel_index${n}`, ty: u64, init: { e: "int", ty: u64, value: 0n } }],
          c: { e: "cmp", op: "<", l: i, r: len },
          step: [{ line, s: "assign", target: i, value: { e: "bin", op: "+", l: i, r: { e: "int", ty: u64, value: 1n }, ty: u64, wrapping: true, loc: locationOf(st) } }],
          body: [{ line, s: "let", name: localCName(nameOf(decl)), ty: elemTy, init: { e: "call", cname: this.methodFunc(info, atM, "method"), args: [r, i], ty: elemTy } }, ...body],
        },
      ],
    };
  }
}

/** Reads of constructor arguments, forwarded to the next part of construction. */
function locals(names: string[], params: Ty[]): Expr[] {
  return names.map((name, i): Expr => ({ e: "local", name, ty: params[i]! }));
}

/** `this` escapes a constructor: every field of its class must be assigned before. */
function checkFieldsAssigned(use: Node): void {
  const ctor = use.getFirstAncestor((a) => Node.isConstructorDeclaration(a));
  if (!ctor || !Node.isConstructorDeclaration(ctor)) return;
  const cls = ctor.getParent();
  if (!Node.isClassDeclaration(cls)) return;
  const stmts = ctor.getBody() && Node.isBlock(ctor.getBodyOrThrow()) ? (ctor.getBodyOrThrow() as Block).getStatements() : [];
  const at = stmts.findIndex((st) => st === use || use.getAncestors().includes(st));
  const assigned = new Set<string>();
  for (const st of stmts.slice(0, at < 0 ? 0 : at)) {
    const x = Node.isExpressionStatement(st) ? st.getExpression() : null;
    if (x && Node.isBinaryExpression(x) && x.compilerNode.operatorToken.kind === SyntaxKind.EqualsToken) {
      const l = x.getLeft();
      if (Node.isPropertyAccessExpression(l) && l.getExpression().getKind() === SyntaxKind.ThisKeyword) assigned.add(nameOf(l));
    }
  }
  const missing = membersOf(cls)
    .properties.filter((p) => !p.isStatic() && !p.hasInitializer() && !assigned.has(nameOf(p)))
    .map((p) => nameOf(p));
  if (at < 0 || missing.length > 0)
    fail(use, Codes.Unsupported, `\`this\` can leave a constructor only after every field is assigned at its top level (not yet: ${missing.join(", ")}): JavaScript would show unassigned fields as undefined, C as zeros`);
}
