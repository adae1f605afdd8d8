// Lowering of classes: each concrete class (or generic class instance) becomes a C struct
// with its methods compiled for it; constructors run the chain of base constructors on
// zeroed storage; member access, method calls, `new`, `using` and `for…of` over ranges.
import { Node, SyntaxKind, type Block, type CallExpression, type ClassDeclaration, type Expression, type VariableDeclaration } from "ts-morph";
import { baseOf, fieldsOf, findMember, hasMutableField, instances, isOwnedClass, structTyOf, type ClassInfo, type Env, type Level, type Member } from "./classes";
import { Codes, displayPath, fail, locationOf } from "./diagnostics";
import { exprTy, type Expr, type Func, type Stmt, type Ty } from "./ir";
import { localCName } from "./names";
import { mapTypeNode, showTy, T } from "./types";
import { LoweringBase, fieldCName, lineOf, realParameters, resolveDecl, type Context } from "./lower_base";

/** Class lowering, on top of the shared state. */
export abstract class ClassLowering extends LoweringBase {
  /** The chain and bindings of a concrete class, instantiated with `args` when generic (cached). */
  protected classInfo(decl: ClassDeclaration, args: Ty[] = []): ClassInfo {
    const ty = structTyOf(decl, args);
    if (ty.k !== "struct") throw new Error("unreachable");
    const cached = this.classes.get(ty.cname);
    if (cached) return cached;
    const params = decl.getTypeParameters();
    if (params.length !== args.length) fail(decl, Codes.Unsupported, `'${decl.getName()}' needs ${params.length} type arguments`);
    const chain: Level[] = [{ decl, env: new Map(params.map((tp, i) => [tp.getName(), args[i]!])) }];
    for (let level = chain[0]!; ; ) {
      const b = baseOf(level.decl);
      if (!b) break;
      const params = b.base.getTypeParameters();
      if (params.length !== b.args.length) fail(level.decl, Codes.Unsupported, "give every type argument of the base class explicitly");
      const env: Env = new Map(params.map((tp, i) => [tp.getName(), mapTypeNode(b.args[i]!, level.env)]));
      level = { decl: b.base, env };
      chain.push(level);
    }
    const owned = isOwnedClass(decl);
    const info: ClassInfo = { decl, args, cname: ty.cname, chain, mutable: hasMutableField(decl) && !owned, owned };
    this.classes.set(ty.cname, info);
    // Mutable objects are fields by pointer (shared, as in JavaScript); value objects by value.
    const fields = fieldsOf(info).map((f) => {
      const ty = mapTypeNode(f.typeNode, f.level.env);
      const inner = ty.k === "opt" ? ty.inner : ty;
      // A value struct holding itself would be infinitely large in C (JavaScript shares a reference).
      if (inner.k === "struct" && !inner.mutable && inner.cname === info.cname)
        fail(f.node, Codes.ReferenceSemantics, `'${decl.getName()}' cannot hold a value of its own class: make the class mutable (its values are then references, as in JavaScript)`);
      return { name: fieldCName(f.name), ty };
    });
    this.structs.set(info.cname, { cname: info.cname, fields, file: displayPath(decl.getSourceFile()) });
    this.queue.push(() => this.instantiateAll(info));
    return info;
  }

  protected classInfoByCName(cname: string): ClassInfo | null {
    const inst = instances.get(cname);
    return inst ? this.classInfo(inst.decl, inst.args) : null;
  }

  /** Compiles every member of a concrete class, so that all of it is checked. */
  protected instantiateAll(info: ClassInfo): void {
    const seen = new Set<string>();
    for (const level of info.chain) {
      for (const m of level.decl.getMethods()) {
        const key = `${m.isStatic() ? "static " : ""}${m.getName()}`;
        if (seen.has(key) || m.isAbstract() || !m.hasBody() || m.getNameNode().getText() === "[Symbol.iterator]") continue;
        seen.add(key);
        const member = findMember(info, m.getName(), m.isStatic())!;
        this.methodFunc(info, member, m.getName() === "toString" ? "fmt" : m.isStatic() ? "static" : "method");
      }
      for (const g of level.decl.getGetAccessors()) {
        if (seen.has(`get ${g.getName()}`)) continue;
        seen.add(`get ${g.getName()}`);
        this.methodFunc(info, findMember(info, g.getName())!, "getter");
      }
    }
    this.ctorFunc(info);
  }

  /** C name of a method instantiated for a concrete class; queues its lowering. */
  protected methodFunc(info: ClassInfo, member: Member, kind: "method" | "static" | "getter" | "fmt"): string {
    if (member.m === "field") throw new Error("fields are not functions");
    const name = member.name === "[Symbol.dispose]" ? "dispose" : member.name;
    const cname = `${info.cname}__${kind === "getter" ? "get_" : ""}${kind === "fmt" ? "fmt" : name}`;
    if (!this.instantiated.has(cname)) {
      this.instantiated.add(cname);
      this.queue.push(() => this.lowerMethod(info, member, kind, cname));
    }
    return cname;
  }

  /** The struct type of `this` in a class's methods. */
  protected selfTy(info: ClassInfo, ptr: boolean): Ty {
    return { k: "struct", cname: info.cname, mutable: ptr };
  }

  protected lowerMethod(info: ClassInfo, member: Member, kind: "method" | "static" | "getter" | "fmt", cname: string): void {
    if (member.m === "field") return;
    const decl = member.decl;
    if (!Node.isMethodDeclaration(decl) && !Node.isGetAccessorDeclaration(decl)) return;
    const { params, ret } = this.signature(decl, member.level.env);
    const body = decl.getBody();
    if (!body || !Node.isBlock(body)) fail(decl, Codes.Unsupported, "methods need a body");
    const isStatic = kind === "static";
    // Methods of owned classes get a pointer to the place the object lives in.
    const selfPtr = info.mutable || info.owned;
    const ctx: Context = { env: member.level.env, self: isStatic ? null : info, selfPtr, fmtMode: kind === "fmt", ret: kind === "fmt" ? T.void : ret, locals: new Map() };
    if (kind === "fmt" && ret.k !== "string") fail(decl, Codes.Unsupported, "toString() must return string");
    const func = this.withContext(ctx, (): Func => ({
      cname,
      tsName: `${info.decl.getName()}.${member.name}`,
      params: [
        ...(isStatic ? [] : [{ name: "self", ty: this.selfTy(info, selfPtr) }]),
        ...realParameters(decl).map((p, i) => ({ name: localCName(p.getName()), ty: params[i]! })),
      ],
      ret: ctx.ret,
      body: this.block(body),
      exported: true,
      file: displayPath(decl.getSourceFile()),
      line: lineOf(decl),
    }));
    this.addClassFunc(info, func);
  }

  protected addClassFunc(info: ClassInfo, f: Func): void {
    const sf = info.decl.getSourceFile();
    const list = this.classFuncs.get(sf) ?? [];
    list.push(f);
    this.classFuncs.set(sf, list);
  }

  /** The constructor a level runs: its own, or (implicitly) the nearest base's. */
  protected effectiveCtor(info: ClassInfo, from: number): { index: number; decl: Node } | null {
    for (let i = from; i < info.chain.length; i++) {
      const c = info.chain[i]!.decl.getConstructors().find((k) => k.hasBody());
      if (c) return { index: i, decl: c };
    }
    return null;
  }

  /** `X__new(args)`: zero the struct, run the constructor chain on it, return it. */
  protected ctorFunc(info: ClassInfo): string {
    const cname = `${info.cname}__new`;
    if (this.instantiated.has(cname)) return cname;
    this.instantiated.add(cname);
    const ctor = this.effectiveCtor(info, 0);
    const params = ctor ? this.signature(ctor.decl, info.chain[ctor.index]!.env).params : [];
    const names = ctor && Node.isConstructorDeclaration(ctor.decl) ? ctor.decl.getParameters().map((p) => localCName(p.getName())) : [];
    const valueTy = this.selfTy(info, info.mutable);
    const line = lineOf(ctor?.decl ?? info.decl);
    const init = this.initFunc(info, 0);
    const object: Expr = { e: "local", name: "object", ty: valueTy };
    // Value objects are built in a local and returned by value; mutable objects get storage
    // that lives as long as the kernel and are returned by pointer (JavaScript's references).
    const self: Expr = info.mutable ? object : { e: "addrof", x: object, ty: this.selfTy(info, true) };
    const storage: Expr = info.mutable ? { e: "alloc", ty: valueTy, loc: `${displayPath(info.decl.getSourceFile())}:${line}` } : { e: "zero", ty: valueTy };
    this.addClassFunc(info, {
      cname,
      tsName: `new ${info.decl.getName()}`,
      params: names.map((name, i) => ({ name, ty: params[i]! })),
      ret: valueTy,
      body: [
        { line, s: "let", name: "object", ty: valueTy, init: storage },
        { line, s: "expr", x: { e: "call", cname: init, args: [self, ...names.map((name, i): Expr => ({ e: "local", name, ty: params[i]! }))], ty: T.void } },
        { line, s: "return", x: object },
      ],
      exported: true,
      file: displayPath(info.decl.getSourceFile()),
      line,
    });
    return cname;
  }

  /** `X__init_L(self, args)`: level L's part of constructing an X (fields, body, super). */
  protected initFunc(info: ClassInfo, index: number): string {
    const level = info.chain[index]!;
    const cname = `${info.cname}__init_${level.decl.getName()}`;
    if (this.instantiated.has(cname)) return cname;
    this.instantiated.add(cname);
    const own = level.decl.getConstructors().find((k) => k.hasBody());
    const ctor = this.effectiveCtor(info, index);
    const params = ctor ? this.signature(ctor.decl, info.chain[ctor.index]!.env).params : [];
    const names = ctor && Node.isConstructorDeclaration(ctor.decl) ? ctor.decl.getParameters().map((p) => localCName(p.getName())) : [];
    const ptrTy = this.selfTy(info, true);
    const ctx: Context = { env: level.env, self: info, selfPtr: true, fmtMode: false, ret: T.void, locals: new Map() };
    this.queue.push(() => {
      const body = this.withContext(ctx, (): Stmt[] => {
        const out: Stmt[] = [];
        const hasBase = index + 1 < info.chain.length;
        if (!own) {
          // Implicit constructor: forward every argument to the base, then own fields.
          if (hasBase) out.push({ line: lineOf(level.decl), s: "expr", x: { e: "call", cname: this.initFunc(info, index + 1), args: [{ e: "self", ty: ptrTy, ptr: true }, ...names.map((n, i): Expr => ({ e: "local", name: n, ty: params[i]! }))], ty: T.void } });
          out.push(...this.fieldInits(info, index));
          return out;
        }
        if (!hasBase) out.push(...this.fieldInits(info, index));
        const stmts = own.getBodyOrThrow();
        if (!Node.isBlock(stmts)) return out;
        out.push(...this.block(stmts));
        return out;
      });
      this.addClassFunc(info, {
        cname,
        tsName: `${level.decl.getName()}.constructor`,
        params: [{ name: "self", ty: ptrTy }, ...names.map((name, i) => ({ name, ty: params[i]! }))],
        ret: T.void,
        body,
        exported: true,
        file: displayPath(level.decl.getSourceFile()),
        line: lineOf(own ?? level.decl),
      });
    });
    return cname;
  }

  /** Assignments of a level's field initialisers and parameter properties. */
  protected fieldInits(info: ClassInfo, index: number): Stmt[] {
    const level = info.chain[index]!;
    const out: Stmt[] = [];
    const selfPtr: Expr = { e: "self", ty: this.selfTy(info, true), ptr: true };
    for (const p of level.decl.getConstructors()[0]?.getParameters() ?? []) {
      if (!p.isParameterProperty()) continue;
      const ty = mapTypeNode(p.getTypeNodeOrThrow(), level.env);
      out.push({ line: lineOf(p), s: "assign", target: { e: "field", x: selfPtr, name: fieldCName(p.getName()), ty, ptr: true }, value: { e: "local", name: localCName(p.getName()), ty } });
    }
    for (const prop of level.decl.getProperties()) {
      const init = prop.getInitializer();
      if (!init) continue;
      const ty = mapTypeNode(prop.getTypeNodeOrThrow(), level.env);
      out.push({ line: lineOf(prop), s: "assign", target: { e: "field", x: selfPtr, name: fieldCName(prop.getName()), ty, ptr: true }, value: this.coerce(this.expr(init, ty), ty, init) });
    }
    return out;
  }

  /** `super(args)` in a constructor: the base's part, then this level's field initialisers. */
  protected superCall(call: CallExpression): Stmt[] {
    const info = this.ctx.self;
    if (!info || !this.ctx.selfPtr) fail(call, Codes.Unsupported, "super() only in a constructor");
    const index = info.chain.findIndex((l) => l.decl === call.getFirstAncestorByKind(SyntaxKind.ClassDeclaration));
    const base = this.effectiveCtor(info, index + 1);
    const params = base ? this.signature(base.decl, info.chain[base.index]!.env).params : [];
    const args = call.getArguments() as Expression[];
    if (args.length !== params.length) fail(call, Codes.Unsupported, `super() takes ${params.length} arguments`);
    const self: Expr = { e: "self", ty: this.selfTy(info, true), ptr: true };
    return [
      { line: lineOf(call), s: "expr", x: { e: "call", cname: this.initFunc(info, index + 1), args: [self, ...args.map((a, i) => this.argument(a, params[i]!))], ty: T.void } },
      ...this.fieldInits(info, index),
    ];
  }

  protected newExpr(e: Node, expected?: Ty): Expr {
    if (!Node.isNewExpression(e)) fail(e, Codes.Unsupported, "expected new");
    const decl = resolveDecl(e.getExpression());
    if (!decl || !Node.isClassDeclaration(decl)) fail(e, Codes.Unsupported, "new needs a kernel class");
    if (decl.isAbstract()) fail(e, Codes.Unsupported, "cannot create an abstract class");
    let typeArgs = e.getTypeArguments().map((a) => mapTypeNode(a, this.ctx.env));
    if (typeArgs.length === 0 && decl.getTypeParameters().length > 0) {
      const want = expected?.k === "opt" ? expected.inner : expected;
      const inst = want?.k === "struct" ? instances.get(want.cname) : undefined;
      if (!inst || inst.decl !== decl) fail(e, Codes.Unsupported, `give the type arguments: new ${decl.getName()}<...>(...)`);
      typeArgs = inst.args;
    }
    const info = this.classInfo(decl, typeArgs);
    const cname = this.ctorFunc(info);
    const ctor = this.effectiveCtor(info, 0);
    const params = ctor ? this.signature(ctor.decl, info.chain[ctor.index]!.env).params : [];
    const args = (e.getArguments() as Expression[]);
    if (args.length !== params.length) fail(e, Codes.Unsupported, `the constructor takes ${params.length} arguments`);
    return { e: "call", cname, args: args.map((a, i) => this.argument(a, params[i]!)), ty: this.selfTy(info, info.mutable) };
  }

  /** The receiver of a method of `info`: a pointer to the place of an owned object, else the value. */
  protected receiver(info: ClassInfo, x: Expr, at: Node): Expr {
    return info.owned ? this.borrow(x, at) : x;
  }

  protected self(e: Node): Expr {
    const info = this.ctx.self;
    if (!info) fail(e, Codes.Unsupported, "`this` outside a method");
    const self: Expr = { e: "self", ty: this.selfTy(info, this.ctx.selfPtr), ptr: this.ctx.selfPtr };
    const parent = e.getParent();
    const member = parent && Node.isPropertyAccessExpression(parent) && parent.getExpression() === e;
    if (member || !this.ctx.selfPtr) return self;
    // `this` as a value inside a constructor: JavaScript would show unassigned fields as
    // undefined where C shows zeros, so it may only escape once every field is set.
    this.checkFieldsAssigned(e);
    return info.mutable ? self : { e: "load", x: self, ty: this.selfTy(info, false) };
  }

  /** `this` escapes a constructor: every field of its class must be assigned before. */
  private checkFieldsAssigned(use: Node): void {
    const ctor = use.getFirstAncestor((a) => Node.isConstructorDeclaration(a));
    if (!ctor || !Node.isConstructorDeclaration(ctor)) return;
    const cls = ctor.getParent();
    if (!Node.isClassDeclaration(cls)) return;
    const stmts = ctor.getBody() && Node.isBlock(ctor.getBodyOrThrow()) ? (ctor.getBodyOrThrow() as Block).getStatements() : [];
    const at = stmts.findIndex((st) => st === use || use.getAncestors().includes(st));
    const assigned = new Set<string>();
    for (const st of stmts.slice(0, at < 0 ? 0 : at)) {
      const x = Node.isExpressionStatement(st) ? st.getExpression() : null;
      if (x && Node.isBinaryExpression(x) && x.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
        const l = x.getLeft();
        if (Node.isPropertyAccessExpression(l) && l.getExpression().getKind() === SyntaxKind.ThisKeyword) assigned.add(l.getName());
      }
    }
    const missing = cls
      .getProperties()
      .filter((p) => !p.isStatic() && !p.hasInitializer() && !assigned.has(p.getName()))
      .map((p) => p.getName());
    if (at < 0 || missing.length > 0)
      fail(use, Codes.Unsupported, `\`this\` can leave a constructor only after every field is assigned at its top level (not yet: ${missing.join(", ")}): JavaScript would show unassigned fields as undefined, C as zeros`);
  }

  /** `x.f`: a field, or a getter call. */
  protected property(e: Node): Expr {
    if (!Node.isPropertyAccessExpression(e)) fail(e, Codes.Unsupported, "expected a property access");
    const objNode = e.getExpression();
    const enumDecl = Node.isIdentifier(objNode) ? resolveDecl(objNode) : undefined;
    if (enumDecl && Node.isEnumDeclaration(enumDecl)) {
      const member = enumDecl.getMember(e.getName());
      const value = member?.getValue();
      if (typeof value !== "number") fail(e, Codes.UnknownMember, `'${e.getName()}' is not an integer member of ${enumDecl.getName()}`);
      return { e: "int", ty: T.int("i32"), value: BigInt(value) };
    }
    const obj = this.expr(objNode as Expression);
    const ty = exprTy(obj);
    const name = e.getName();
    if (ty.k === "array" && name === "length") return { e: "length", x: obj };
    if (ty.k !== "struct") fail(e, Codes.UnknownMember, `property '${name}' of a ${showTy(ty)} is not supported in kernel code`);
    const info = this.classInfoByCName(ty.cname)!;
    const m = findMember(info, name);
    if (!m) fail(e.getNameNode(), Codes.UnknownMember, `'${name}' is not a field or getter of ${showTy(ty)}`);
    if (m.m === "field") return this.narrowed(e, { e: "field", x: obj, name: fieldCName(name), ty: mapTypeNode(m.typeNode, m.level.env), ptr: ty.mutable });
    if (m.m === "getter") {
      const { ret } = this.signature(m.decl, m.level.env);
      return { e: "call", cname: this.methodFunc(info, m, "getter"), args: [this.receiver(info, obj, objNode)], ty: ret };
    }
    fail(e, Codes.Unsupported, `method '${name}' must be called (there are no bound methods in kernel code)`);
  }

  /** `x.m(args)` or `Class.m(args)`. */
  protected methodCall(e: CallExpression, callee: Node): Expr {
    if (!Node.isPropertyAccessExpression(callee)) fail(callee, Codes.Unsupported, "expected a method");
    const name = callee.getName();
    const objNode = callee.getExpression();
    const args = e.getArguments() as Expression[];
    const classDecl = Node.isIdentifier(objNode) ? resolveDecl(objNode) : undefined;
    let info: ClassInfo;
    let member: Member | null;
    let selfArg: Expr | null = null;
    if (classDecl && Node.isClassDeclaration(classDecl)) {
      if (classDecl.isAbstract()) fail(objNode, Codes.Unsupported, "static methods of abstract classes are not supported: call them through a concrete class");
      info = this.classInfo(classDecl);
      member = findMember(info, name, true);
      if (!member) fail(callee.getNameNode(), Codes.UnknownMember, `'${name}' is not a static method of ${classDecl.getName()}`);
    } else {
      const obj = this.expr(objNode as Expression);
      const ty = exprTy(obj);
      if (ty.k !== "struct") fail(callee, Codes.UnknownMember, `method '${name}' of a ${showTy(ty)} is not supported in kernel code${ty.k === "opt" ? " (check it for null first)" : ""}`);
      info = this.classInfoByCName(ty.cname)!;
      member = findMember(info, name);
      if (!member || member.m !== "method") fail(callee.getNameNode(), Codes.UnknownMember, `'${name}' is not a method of ${showTy(ty)}`);
      selfArg = this.receiver(info, obj, objNode);
    }
    if (member.m === "field") fail(callee, Codes.Unsupported, "fields cannot be called");
    if (name === "toString") fail(callee, Codes.TemplateOutsideSink, "toString() can only be used through a template literal passed to print, println or panic");
    const { params, ret, callSites } = this.signature(member.decl, member.level.env);
    if (args.length > params.length || (args.length < params.length && !callSites[args.length])) fail(e, Codes.Unsupported, `'${name}' takes ${params.length} arguments`);
    const lowered = args.map((a, i) => this.argument(a, params[i]!));
    for (let i = args.length; i < params.length; i++) lowered.push({ e: "str", value: locationOf(e) });
    const cname = this.methodFunc(info, member, selfArg ? "method" : "static");
    return { e: "call", cname, args: selfArg ? [selfArg, ...lowered] : lowered, ty: ret };
  }

  /** `using x = …`: x is disposed at every exit of the enclosing scope. */
  protected registerUsing(d: VariableDeclaration, ty: Ty): void {
    const inner = ty.k === "opt" ? ty.inner : ty;
    const info = inner.k === "struct" ? this.classInfoByCName(inner.cname) : null;
    const m = info ? findMember(info, "[Symbol.dispose]") : null;
    if (!info || !m || m.m !== "method") fail(d, Codes.Unsupported, "`using` needs an object with [Symbol.dispose]()");
    if (ty.k === "opt") fail(d, Codes.Unsupported, "`using` of an optional object is not supported: check for null first");
    const scope = this.scopes[this.scopes.length - 1];
    if (!scope) fail(d, Codes.Unsupported, "`using` only inside a function");
    scope.usings.push({ x: this.receiver(info, { e: "local", name: localCName(d.getName()), ty }, d), dispose: this.methodFunc(info, m, "method") });
  }

  /** `for (const x of r)`: a counted loop over `r.iterLength()` / `r.iterAt(i)`. */
  protected forOf(st: Node): Stmt {
    if (!Node.isForOfStatement(st)) fail(st, Codes.Unsupported, "expected for…of");
    const line = lineOf(st);
    const init = st.getInitializer();
    if (!Node.isVariableDeclarationList(init) || init.getDeclarations().length !== 1) fail(init, Codes.Unsupported, "for…of declares one const");
    const decl = init.getDeclarations()[0]!;
    const range = this.expr(st.getExpression());
    const rty = exprTy(range);
    if (rty.k !== "struct") fail(st.getExpression(), Codes.Unsupported, `cannot iterate over a ${showTy(rty)}: for…of works on range classes with iterLength() and iterAt(i)`);
    const info = this.classInfoByCName(rty.cname)!;
    const lenM = findMember(info, "iterLength");
    const atM = findMember(info, "iterAt");
    if (!lenM || lenM.m !== "method" || !atM || atM.m !== "method") fail(st.getExpression(), Codes.Unsupported, `${showTy(rty)} has no iterLength()/iterAt(i) for for…of`);
    const elemTy = this.signature(atM.decl, atM.level.env).ret;
    const n = ++this.tempCounter;
    const u64: Ty & { k: "int" } = T.int("u64");
    const r: Expr = { e: "local", name: `keel_range${n}`, ty: rty };
    const len: Expr = { e: "local", name: `keel_length${n}`, ty: u64 };
    const i: Expr = { e: "local", name: `keel_index${n}`, ty: u64 };
    this.ctx.locals.set(decl, elemTy);
    const body = this.body(st.getStatement());
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
          body: [{ line, s: "let", name: localCName(decl.getName()), ty: elemTy, init: { e: "call", cname: this.methodFunc(info, atM, "method"), args: [r, i], ty: elemTy } }, ...body],
        },
      ],
    };
  }
}
