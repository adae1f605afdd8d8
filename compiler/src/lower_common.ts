// What every part of the lowering shares and that holds no state: how declarations are
// resolved and read, a function's signature, and how a value is made to fit a typed slot.
import { startLineOf } from "./lines";
import { Node, SyntaxKind, type FunctionDeclaration, type ParameterDeclaration } from "ts-morph";
import { Codes, fail } from "./diagnostics";
import { exprTy, type BinOp, type CmpOp, type Expr, type Ty } from "./ir";
import { mapTypeNode, sameTy, showTy, T } from "./types";
import { isOwnedStruct, type Env } from "./classes";
import { localCName } from "./names";
import { importedSymbolOf, memoByObject, typeOfNode } from "./memo";
import { nameOf, wrapNode } from "./tree";

/** Arithmetic operators, by token. */
export const ARITH: Partial<Record<SyntaxKind, BinOp>> = {
  [SyntaxKind.PlusToken]: "+",
  [SyntaxKind.MinusToken]: "-",
  [SyntaxKind.AsteriskToken]: "*",
  [SyntaxKind.SlashToken]: "/",
  [SyntaxKind.PercentToken]: "%",
  [SyntaxKind.LessThanLessThanToken]: "<<",
  [SyntaxKind.GreaterThanGreaterThanToken]: ">>",
  [SyntaxKind.AmpersandToken]: "&",
  [SyntaxKind.BarToken]: "|",
  [SyntaxKind.CaretToken]: "^",
};
/** Compound assignments, by token: the operator they apply. */
export const COMPOUND: Partial<Record<SyntaxKind, BinOp>> = {
  [SyntaxKind.PlusEqualsToken]: "+",
  [SyntaxKind.MinusEqualsToken]: "-",
  [SyntaxKind.AsteriskEqualsToken]: "*",
  [SyntaxKind.SlashEqualsToken]: "/",
  [SyntaxKind.PercentEqualsToken]: "%",
  [SyntaxKind.LessThanLessThanEqualsToken]: "<<",
  [SyntaxKind.GreaterThanGreaterThanEqualsToken]: ">>",
  [SyntaxKind.AmpersandEqualsToken]: "&",
  [SyntaxKind.BarEqualsToken]: "|",
  [SyntaxKind.CaretEqualsToken]: "^",
};
/** Comparisons, by token (`==` and `===` are one: kernel values have no coercions). */
export const COMPARE: Partial<Record<SyntaxKind, CmpOp>> = {
  [SyntaxKind.EqualsEqualsEqualsToken]: "==",
  [SyntaxKind.EqualsEqualsToken]: "==",
  [SyntaxKind.ExclamationEqualsEqualsToken]: "!=",
  [SyntaxKind.ExclamationEqualsToken]: "!=",
  [SyntaxKind.LessThanToken]: "<",
  [SyntaxKind.LessThanEqualsToken]: "<=",
  [SyntaxKind.GreaterThanToken]: ">",
  [SyntaxKind.GreaterThanEqualsToken]: ">=",
};

/** The declaration an identifier refers to, through imports. */
export const resolveDecl = memoByObject((id: Node): Node | undefined => {
  const sym = importedSymbolOf(id);
  const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
  return decl && wrapNode(id, decl);
});

/** True for a variable declared at the top of a module (a C global). */
export function isModuleLevel(decl: Node): boolean {
  return Node.isSourceFile(decl.getParentOrThrow().getParentOrThrow().getParent() ?? decl);
}

/** `at: CallSite = callSite()`: the one kind of default parameter kernel code may have. */
export const isCallSiteParam = memoByObject((p: Node): boolean => {
  if (!Node.isParameterDeclaration(p)) return false;
  const init = p.getInitializer();
  return p.getTypeNode()?.getText() === "CallSite" && init !== undefined && init.getText() === "callSite()";
});

/** A function's parameters without TypeScript's `this` parameter (`release(this: Consumed<X>)`). */
export const realParameters = memoByObject((fn: Node): readonly ParameterDeclaration[] => {
  if (!Node.isFunctionDeclaration(fn) && !Node.isMethodDeclaration(fn) && !Node.isGetAccessorDeclaration(fn) && !Node.isConstructorDeclaration(fn)) return [];
  return fn.getParameters().filter((p) => nameOf(p) !== "this");
});

/** True for a parameter declared `Consumed<T>` (or `Consumed<T> | null`): it takes ownership. */
export const isConsumedParam = memoByObject((p: ParameterDeclaration): boolean => /\bConsumed\s*</.test(p.getTypeNode()?.getText() ?? ""));

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

/** 1-based TypeScript line of a node (lines.ts: what getStartLineNumber() says, without its scan from the file's start). */
export function lineOf(node: Node): number {
  return startLineOf(node);
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

/** A function's parameter and return types, and which parameters are `at: CallSite = callSite()`. */
type Signature = { params: Ty[]; ret: Ty; callSites: boolean[] };

/**
 * signature()'s answers by declaration and type-parameter bindings: every call of a function
 * asks for its signature, and mapping its annotations again was a tenth of the lowering.
 * The bindings are keyed by their text (a generic call builds its own map each time); the
 * answers are shared, as Keel types are never modified.
 */
const signatures = new WeakMap<Node, Map<string, Signature>>();

/** Parameter and return types of a function or method, with `env` binding its type parameters. */
export function signature(fn: FunctionDeclaration | Node, env: Env = new Map()): Signature {
  const key = env.size === 0 ? "" : JSON.stringify([...env]);
  let known = signatures.get(fn);
  if (!known) signatures.set(fn, (known = new Map()));
  let sig = known.get(key);
  if (!sig) known.set(key, (sig = signatureOf(fn, env)));
  return sig;
}

function signatureOf(fn: FunctionDeclaration | Node, env: Env): Signature {
  if (!Node.isFunctionDeclaration(fn) && !Node.isMethodDeclaration(fn) && !Node.isGetAccessorDeclaration(fn) && !Node.isConstructorDeclaration(fn))
    fail(fn, Codes.Unsupported, "not a function");
  const callSites = realParameters(fn).map(isCallSiteParam);
  const params = realParameters(fn).map((p, i) => {
    const tn = p.getTypeNode();
    if (!tn) fail(p, Codes.MissingAnnotation, `parameter '${nameOf(p)}' needs a type annotation`);
    if (p.hasQuestionToken() || (p.hasInitializer() && !callSites[i]) || p.isRestParameter())
      fail(p, Codes.Unsupported, "optional, default and rest parameters are not supported in kernel code (except `at: CallSite = callSite()`)");
    return borrowedParam(p, mapTypeNode(tn, env));
  });
  if (Node.isConstructorDeclaration(fn)) return { params, ret: T.void, callSites };
  const rn = fn.getReturnTypeNode();
  const ret = rn ? mapTypeNode(rn, env) : fn.getReturnType().isVoid() ? T.void : fail(fn, Codes.MissingAnnotation, `function '${nameOf(fn)}' needs a return type annotation`);
  return { params, ret, callSites };
}

/** An owned parameter without Consumed is a borrow: a pointer to the caller's place. */
export function borrowedParam(p: ParameterDeclaration, ty: Ty): Ty {
  return ty.k === "struct" && isOwnedStruct(ty) && !isConsumedParam(p) ? { ...ty, mutable: true } : ty;
}

/** The type TypeScript gives a use of a value of type `ty`: an optional it narrowed to non-null is its inner type. */
export function narrowedTy(node: Node, ty: Ty): Ty {
  return ty.k === "opt" && !typeOfNode(node).isNullable() ? ty.inner : ty;
}

/** An optional that TypeScript narrowed to non-null at this use is unwrapped. */
export function narrowed(node: Node, x: Expr): Expr {
  const ty = exprTy(x);
  const use = narrowedTy(node, ty);
  return use === ty ? x : { e: "unwrap", x, ty: use };
}

/** A pointer to the place an owned value lives in (a borrow); a pointer stays as it is. */
export function borrow(x: Expr, at: Node): Expr {
  const ty = exprTy(x);
  if (ty.k !== "struct" || ty.mutable) return x;
  if (!isPlace(x)) fail(at, Codes.SecondReference, "an owned value is borrowed from where it lives: store it in a local (or a field) first");
  return { e: "addrof", x, ty: { ...ty, mutable: true } };
}

/** Makes a value fit a slot of type `want`: wraps into optionals, types null, borrows owned values. */
export function coerce(x: Expr, want: Ty, at: Node): Expr {
  const got = exprTy(x);
  if (want.k === "struct" && got.k === "struct" && want.cname === got.cname && want.mutable !== got.mutable && isOwnedStruct(want)) {
    if (want.mutable) return borrow(x, at);
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

/**
 * The one type two branches of a conditional are brought to, from their types (null for a
 * `null` literal branch, typed only by the other) and the type the context expects.
 */
export function joinTy(lt: Ty, rt: Ty | null, lNull: boolean, expected: Ty | undefined): Ty {
  const r = rt ?? lt;
  let ty: Ty = sameTy(lt, r) ? lt : lt.k === "opt" ? lt : r.k === "opt" ? r : lt;
  if (lNull || rt === null) ty = ty.k === "opt" || ty.k === "fn" ? ty : { k: "opt", inner: ty };
  if (expected && expected.k === "opt") ty = expected;
  return ty;
}
