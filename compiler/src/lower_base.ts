// Lowering, shared state and typing: what every part of the lowering needs (the program's
// class instances and pending instantiations, the context of the code being lowered, the
// Keel type of a declaration, and how a value is made to fit a typed slot).
import { Node, SyntaxKind, type Block, type Expression, type FunctionDeclaration, type ParameterDeclaration, type SourceFile, type Statement } from "ts-morph";
import { CompileError, Codes, fail, type Diagnostic } from "./diagnostics";
import { exprTy, type Expr, type Func, type Stmt, type StructDef, type Ty } from "./ir";
import { mapTypeNode, sameTy, showTy, T } from "./types";
import { isOwnedStruct, type ClassInfo, type Env } from "./classes";
import { localCName } from "./names";

/** What the code being lowered sits in: bindings of type parameters, the class of `this`. */
export interface Context {
  env: Env;
  self: ClassInfo | null;
  /** `this` is a pointer (constructors, mutable classes) rather than a struct value. */
  selfPtr: boolean;
  /** Lowering a toString: its returns print their string instead of returning it. */
  fmtMode: boolean;
  ret: Ty;
  /** Types of this function's locals and parameters (per instantiation). */
  locals: Map<Node, Ty>;
}

/** A scope of the function being lowered: its `using` locals, and what break/continue see. */
export interface Scope {
  usings: { x: Expr; dispose: string }[];
  /** The body of a loop (unlabelled break and continue leave it). */
  loop: boolean;
  /** The label of the labelled loop or block this scope is the body of. */
  label?: { ts: string; ir: string };
}

/** The declaration an identifier refers to, through imports. */
export function resolveDecl(id: Node): Node | undefined {
  let sym = id.getSymbol();
  if (!sym) return undefined;
  if (sym.isAlias()) sym = sym.getAliasedSymbol() ?? sym;
  return sym.getValueDeclaration() ?? sym.getDeclarations()[0];
}

/** True for a variable declared at the top of a module (a C global). */
export function isModuleLevel(decl: Node): boolean {
  return Node.isSourceFile(decl.getParentOrThrow().getParentOrThrow().getParent() ?? decl);
}

/** `at: CallSite = callSite()`: the one kind of default parameter kernel code may have. */
export function isCallSiteParam(p: Node): boolean {
  if (!Node.isParameterDeclaration(p)) return false;
  const init = p.getInitializer();
  return p.getTypeNode()?.getText() === "CallSite" && init !== undefined && init.getText() === "callSite()";
}

/** A function's parameters without TypeScript's `this` parameter (`release(this: Consumed<X>)`). */
export function realParameters(fn: Node): ParameterDeclaration[] {
  if (!Node.isFunctionDeclaration(fn) && !Node.isMethodDeclaration(fn) && !Node.isGetAccessorDeclaration(fn) && !Node.isConstructorDeclaration(fn)) return [];
  return fn.getParameters().filter((p) => p.getName() !== "this");
}

/** True for a parameter declared `Consumed<T>` (or `Consumed<T> | null`): it takes ownership. */
export function isConsumedParam(p: ParameterDeclaration): boolean {
  return /\bConsumed\s*</.test(p.getTypeNode()?.getText() ?? "");
}

/** True for an expression C can take the address of (where an owned value lives). */
export function isPlace(x: Expr): boolean {
  switch (x.e) {
    case "local":
    case "global":
    case "index":
      return true;
    case "field":
      return x.ptr || isPlace(x.x);
    case "unwrap":
      return isPlace(x.x);
    default:
      return false;
  }
}

/** True for `super(...)`. */
export function isSuperCall(e: Node): boolean {
  return Node.isCallExpression(e) && e.getExpression().getKind() === SyntaxKind.SuperKeyword;
}

/** 1-based TypeScript line of a node. */
export function lineOf(node: Node): number {
  return node.getStartLineNumber();
}

/** True for the `null` literal. */
export function isNullLiteral(node: Node): boolean {
  return node.getKind() === SyntaxKind.NullKeyword;
}

/** The value of an integer literal's text (`0x1_000n` → 4096n). */
export function parseIntLiteral(text: string): bigint {
  return BigInt(text.replace(/_/g, "").replace(/n$/, ""));
}



/** C name of a field (`#x` private names become `x_`). */
export function fieldCName(name: string): string {
  return name.startsWith("#") ? `${name.slice(1)}_` : localCName(name);
}

/** State and typing shared by the statement, expression and class lowering. */
export abstract class LoweringBase {
  readonly diagnostics: Diagnostic[] = [];
  protected readonly declTypes = new Map<Node, Ty>();
  protected ctx: Context = { env: new Map(), self: null, selfPtr: false, fmtMode: false, ret: T.void, locals: new Map() };
  protected readonly classes = new Map<string, ClassInfo>();
  protected readonly structs = new Map<string, StructDef>();
  protected readonly instantiated = new Set<string>();
  protected readonly queue: (() => void)[] = [];
  protected readonly classFuncs = new Map<SourceFile, Func[]>();
  protected tempCounter = 0;

  protected get currentReturn(): Ty {
    return this.ctx.ret;
  }

  /** Runs `f`, turning a CompileError into a recorded diagnostic. */
  protected guard<R>(f: () => R, fallback: R): R {
    try {
      return f();
    } catch (e) {
      if (e instanceof CompileError) {
        const d = e.diagnostic;
        // A declaration's error can surface at each use: report it once.
        if (!this.diagnostics.some((o) => o.file === d.file && o.line === d.line && o.column === d.column && o.code === d.code)) this.diagnostics.push(d);
        return fallback;
      }
      throw e;
    }
  }

  protected signature(fn: FunctionDeclaration | Node, env: Env = new Map()): { params: Ty[]; ret: Ty; callSites: boolean[] } {
    if (!Node.isFunctionDeclaration(fn) && !Node.isMethodDeclaration(fn) && !Node.isGetAccessorDeclaration(fn) && !Node.isConstructorDeclaration(fn))
      fail(fn, Codes.Unsupported, "not a function");
    const callSites = realParameters(fn).map(isCallSiteParam);
    const params = realParameters(fn).map((p, i) => {
      const tn = p.getTypeNode();
      if (!tn) fail(p, Codes.MissingAnnotation, `parameter '${p.getName()}' needs a type annotation`);
      if (p.hasQuestionToken() || (p.hasInitializer() && !callSites[i]) || p.isRestParameter())
        fail(p, Codes.Unsupported, "optional, default and rest parameters are not supported in kernel code (except `at: CallSite = callSite()`)");
      const ty = mapTypeNode(tn, env);
      // An owned parameter without Consumed is a borrow: a pointer to the caller's place.
      return ty.k === "struct" && isOwnedStruct(ty) && !isConsumedParam(p) ? { ...ty, mutable: true } : ty;
    });
    if (Node.isConstructorDeclaration(fn)) return { params, ret: T.void, callSites };
    const rn = fn.getReturnTypeNode();
    const ret = rn ? mapTypeNode(rn, env) : fn.getReturnType().isVoid() ? T.void : fail(fn, Codes.MissingAnnotation, `function '${fn.getName()}' needs a return type annotation`);
    return { params, ret, callSites };
  }

  /** Keel type of a variable, parameter or function declaration. */
  protected typeOfDecl(decl: Node): Ty {
    const local = !(Node.isVariableDeclaration(decl) && isModuleLevel(decl)) && !Node.isFunctionDeclaration(decl);
    const cache = local ? this.ctx.locals : this.declTypes;
    const cached = cache.get(decl);
    if (cached) return cached;
    let ty: Ty;
    if (Node.isParameterDeclaration(decl) || Node.isVariableDeclaration(decl)) {
      const tn = decl.getTypeNode();
      if (tn) ty = mapTypeNode(tn, local ? this.ctx.env : new Map());
      else if (Node.isVariableDeclaration(decl) && decl.getInitializer()) ty = this.exprTypeOnly(decl.getInitializerOrThrow());
      else fail(decl, Codes.MissingAnnotation, `'${decl.getText()}' needs a type annotation`);
    } else if (Node.isFunctionDeclaration(decl)) {
      const { params, ret } = this.signature(decl);
      ty = { k: "fn", params, ret, nullable: false };
    } else {
      fail(decl, Codes.Unsupported, `${decl.getKindName()} cannot be used as a value in kernel code`);
    }
    // A borrowed owned parameter is a pointer to the caller's place (see signature).
    if (Node.isParameterDeclaration(decl) && ty.k === "struct" && isOwnedStruct(ty) && !isConsumedParam(decl)) ty = { ...ty, mutable: true };
    cache.set(decl, ty);
    return ty;
  }

  /** Type of an expression, for inference of unannotated locals. */
  protected exprTypeOnly(e: Expression): Ty {
    const x = this.expr(e);
    return exprTy(x);
  }

  // ---- statements -------------------------------------------------------------------

  /** Open scopes of the function being lowered, innermost last, with their `using` locals. */
  protected scopes: Scope[] = [];
  /** The label of the labelled loop whose body is lowered next (taken by `body`). */
  protected pendingLabel: { ts: string; ir: string } | null = null;

  protected argument(a: Expression, want: Ty): Expr {
    return this.coerce(this.expr(a, want), want, a);
  }

  protected withContext<R>(ctx: Context, f: () => R): R {
    const saved = this.ctx;
    this.ctx = ctx;
    try {
      return f();
    } finally {
      this.ctx = saved;
    }
  }

  /** An optional that TypeScript narrowed to non-null at this use is unwrapped. */
  protected narrowed(node: Node, x: Expr): Expr {
    const ty = exprTy(x);
    if (ty.k !== "opt") return x;
    if (node.getType().isNullable()) return x;
    return { e: "unwrap", x, ty: ty.inner };
  }

  /** A pointer to the place an owned value lives in (a borrow); a pointer stays as it is. */
  protected borrow(x: Expr, at: Node): Expr {
    const ty = exprTy(x);
    if (ty.k !== "struct" || ty.mutable) return x;
    if (!isPlace(x)) fail(at, Codes.SecondReference, "an owned value is borrowed from where it lives: store it in a local (or a field) first");
    return { e: "addrof", x, ty: { ...ty, mutable: true } };
  }

  /** Makes a value fit a slot of type `want`: wraps into optionals, types null, borrows owned values. */
  protected coerce(x: Expr, want: Ty, at: Node): Expr {
    const got = exprTy(x);
    if (want.k === "struct" && got.k === "struct" && want.cname === got.cname && want.mutable !== got.mutable && isOwnedStruct(want)) {
      if (want.mutable) return this.borrow(x, at);
      fail(at, Codes.SecondReference, `a borrowed ${showTy(got)} cannot be moved: its owner keeps it (take ownership with a Consumed<…> parameter)`);
    }
    if (x.e === "null") {
      if (want.k === "opt" || (want.k === "fn" && want.nullable)) return { e: "null", ty: want };
      fail(at, Codes.WidthMismatch, `null is not a ${showTy(want)}`);
    }
    if (sameTy(got, want) || got.k === "never") {
      return x;
    }
    if (want.k === "opt" && sameTy(got, want.inner)) return { e: "some", x, ty: want };
    fail(at, Codes.WidthMismatch, `expected ${showTy(want)}, got ${showTy(got)}${got.k === "int" && want.k === "int" ? ": convert explicitly" : ""}`);
  }

  /** Two branches of a conditional brought to one type. */
  protected unify(a: Expression, b: Expression, expected: Ty | undefined, at: Node): [Expr, Expr] {
    let l = isNullLiteral(a) ? null : this.expr(a, expected);
    let r = isNullLiteral(b) ? null : this.expr(b, l ? exprTy(l) : expected);
    if (l === null && r === null) fail(at, Codes.UntypedLiteral, "both branches are null");
    if (l === null) l = this.expr(a, expected ?? exprTy(r!));
    const lt = exprTy(l);
    const rt = r ? exprTy(r) : lt;
    let ty: Ty = sameTy(lt, rt) ? lt : lt.k === "opt" ? lt : rt.k === "opt" ? rt : lt;
    if (l.e === "null" || r === null) ty = ty.k === "opt" || ty.k === "fn" ? ty : { k: "opt", inner: ty };
    if (expected && expected.k === "opt") ty = expected;
    return [this.coerce(l, ty, a), this.coerce(r ?? { e: "null", ty }, ty, b)];
  }

  /** Lowers an expression; `expected` types literals and null. */
  abstract expr(e: Expression, expected?: Ty): Expr;
  /** Lowers a block in its own scope. */
  protected abstract block(b: Block, loop?: boolean): Stmt[];
  /** Lowers a loop body (or branch) in its own scope. */
  protected abstract body(st: Statement, loop?: boolean): Stmt[];
}
