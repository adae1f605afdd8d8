// The type query: the Keel type of an expression or a declaration, computed from the AST
// and the declarations it names, lowering nothing. It emits no IR and no temporaries,
// instantiates no class or function (it only describes classes, and remembers the types of
// globals and functions, as the lowering would), and leaves the Flow as it found it, so it
// can be asked anywhere (an unannotated global read before its initialiser is lowered). The
// expression lowering resolves names, members, constructors and type arguments through
// the same helpers below, so the type a query gives is the type the lowering produces.
import { Node, SyntaxKind, type CallExpression, type ClassDeclaration, type Expression, type FunctionDeclaration, type NewExpression, type PropertyAccessExpression, type TypeNode } from "ts-morph";
import { builtinOf, type Builtin } from "./builtins";
import { findMember, instances, type ClassInfo, type Env, type Member } from "./classes";
import { CompileError, Codes, diagnosticAt, fail } from "./diagnostics";
import type { Flow } from "./flow";
import type { Ty } from "./ir";
import { ARITH, COMPARE, COMPOUND, borrowedParam, isModuleLevel, isNullLiteral, joinTy, narrowedTy, parseIntLiteral, resolveDecl, signature } from "./lower_common";
import type { ProgramContext } from "./lower_context";
import { intInfo, mapTypeNode, sameTy, showTy, T } from "./types";
import { importedSymbolOf } from "./memo";
import { nameOf, wrapNode } from "./tree";

/** The Keel type of `e` in `flow`, as the lowering would give it; `expected` types literals and null. */
export function typeOf(e: Expression, flow: Flow, prog: ProgramContext, expected?: Ty): Ty {
  return atUse(e, () => typeAt(e, flow, prog, expected));
}

/** Keel type of a variable, parameter or function declaration (a local's as seen from `flow`). */
export function typeOfDecl(decl: Node, flow: Flow, prog: ProgramContext): Ty {
  const local = !(Node.isVariableDeclaration(decl) && isModuleLevel(decl)) && !Node.isFunctionDeclaration(decl);
  const cached = (local ? flow.locals : prog.declTypes).get(decl);
  if (cached) return cached;
  let ty: Ty;
  if (Node.isParameterDeclaration(decl) || Node.isVariableDeclaration(decl)) {
    const tn = decl.getTypeNode();
    // A module-level initialiser is typed in a flow of its own: no type parameters, no `this`.
    const declFlow = local ? flow : prog.moduleFlow;
    if (tn) ty = mapTypeNode(tn, declFlow.env);
    else if (Node.isVariableDeclaration(decl) && decl.getInitializer()) ty = typeOf(decl.getInitializerOrThrow(), declFlow, prog);
    else fail(decl, Codes.MissingAnnotation, `'${decl.getText()}' needs a type annotation`);
    // A borrowed owned parameter is a pointer to the caller's place (see signature).
    if (Node.isParameterDeclaration(decl)) ty = borrowedParam(decl, ty);
  } else if (Node.isFunctionDeclaration(decl)) {
    const { params, ret } = signature(decl);
    ty = { k: "fn", params, ret, nullable: false };
  } else {
    fail(decl, Codes.Unsupported, `${decl.getKindName()} cannot be used as a value in kernel code`);
  }
  // A local's type is recorded by its declaration (lowering it), never by a query.
  if (!local) prog.declTypes.set(decl, ty);
  return ty;
}

/**
 * Runs `f` for the expression `e`: an error found in a declaration outside the program
 * (TypeScript's own library: Math, Number, NaN…) is reported at the use, where the user
 * can act on it.
 */
export function atUse<R>(e: Node, f: () => R): R {
  try {
    return f();
  } catch (err) {
    if (err instanceof CompileError && isLibraryFile(err.diagnostic.file)) throw new CompileError(diagnosticAt(e, err.diagnostic.code, libraryMessage(e, err.diagnostic.message)));
    throw err;
  }
}

/** The type an integer literal takes from its context; it must have one and fit in it. */
export function literalTy(e: Node, value: bigint, expected?: Ty): Ty & { k: "int" } {
  if (!expected || expected.k !== "int") {
    // A bigint literal (`5n`) is a 64-bit kind in TypeScript's types, a number literal a narrower one.
    const example = e.getText().endsWith("n") ? "u64" : "u32";
    fail(e, Codes.UntypedLiteral, `integer literal ${e.getText()} needs a type: annotate the variable (e.g. \`const x: ${example} = ${e.getText()}\`)`);
  }
  const info = intInfo(expected.kind);
  if (value < info.min || value > info.max) fail(e, Codes.LiteralOutOfRange, `${e.getText()} does not fit in ${expected.kind} (${info.min}..${info.max})`);
  return expected;
}

/** The type `null` takes from its context. */
export function nullTy(e: Node, expected?: Ty): Ty {
  if (!expected) fail(e, Codes.UntypedLiteral, "null needs a known type here");
  return expected;
}

/** What an identifier used as a value names: a function, a local (or parameter), or a global. */
export type ValueRef = { k: "fn" | "local" | "global"; name: string; ty: Ty };

/** Resolves an identifier used as a value; the type of a local or global is as narrowed at this use. */
export function valueRef(id: Node, flow: Flow, prog: ProgramContext): ValueRef {
  if (id.getText() === "undefined") fail(id, Codes.Unsupported, "undefined is not a kernel value: use null");
  const decl = resolveDecl(id);
  if (!decl) fail(id, Codes.UnknownCallee, `cannot resolve '${id.getText()}'`);
  const ty = typeOfDecl(decl, flow, prog);
  const name = declName(decl) ?? id.getText();
  if (Node.isFunctionDeclaration(decl)) {
    if (builtinOf(decl, name)) fail(id, Codes.Unsupported, `'${name}' is built in and can only be called directly`);
    return { k: "fn", name, ty };
  }
  if (Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl))
    return { k: Node.isVariableDeclaration(decl) && isModuleLevel(decl) ? "global" : "local", name, ty };
  if (Node.isClassDeclaration(decl)) fail(id, Codes.Unsupported, `class '${name}' is not a value: call a static method or use new`);
  fail(id, Codes.Unsupported, `'${name}' is a ${decl.getKindName()}, which kernel code cannot use as a value`);
}

/** The name a function or variable was declared with (imports may use another). */
export function declName(decl: Node): string | undefined {
  if (Node.isFunctionDeclaration(decl) || Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl)) return nameOf(decl);
  return undefined;
}

/** The struct type of `this` in a class's methods: a pointer or the value. */
export function selfTy(info: ClassInfo, ptr: boolean): Ty {
  return { k: "struct", cname: info.cname, mutable: ptr };
}

/** The class of a struct type, described (not instantiated). */
export function classOfTy(prog: ProgramContext, cname: string): ClassInfo | null {
  const inst = instances.get(cname);
  return inst ? prog.instances.classInfo(inst.decl, inst.args) : null;
}

/** The value of `Enum.Member`, or null when `e` is not an enum member access. */
export function enumValue(e: PropertyAccessExpression): bigint | null {
  const objNode = e.getExpression();
  const enumDecl = Node.isIdentifier(objNode) ? resolveDecl(objNode) : undefined;
  if (!enumDecl || !Node.isEnumDeclaration(enumDecl)) return null;
  const value = enumDecl.getMember(nameOf(e))?.getValue();
  if (typeof value !== "number") fail(e, Codes.UnknownMember, `'${nameOf(e)}' is not an integer member of ${nameOf(enumDecl)}`);
  return BigInt(value);
}

/** `x.f` on a value of type `ty`: the array's length, or the field or getter of its class. */
export function propertyOf(e: PropertyAccessExpression, ty: Ty, prog: ProgramContext): { k: "length" } | { k: "member"; info: ClassInfo; m: Member & { m: "field" | "getter" } } {
  const name = nameOf(e);
  if (ty.k === "array" && name === "length") return { k: "length" };
  if (ty.k !== "struct") fail(e, Codes.UnknownMember, `property '${name}' of a ${showTy(ty)} is not supported in kernel code`);
  const info = classOfTy(prog, ty.cname)!;
  const m = findMember(info, name);
  if (!m) fail(e.getNameNode(), Codes.UnknownMember, `'${name}' is not a field or getter of ${showTy(ty)}`);
  if (m.m === "method") fail(e, Codes.Unsupported, `method '${name}' must be called (there are no bound methods in kernel code)`);
  return { k: "member", info, m };
}

/** The type a field or getter of `info` reads as. */
export function memberTy(m: Member & { m: "field" | "getter" }): Ty {
  return m.m === "field" ? mapTypeNode(m.typeNode, m.level.env) : signature(m.decl, m.level.env).ret;
}

/** The class whose static method `x.m(...)` calls, when `x` names a class. */
export function staticClassOf(objNode: Node): ClassDeclaration | undefined {
  const decl = Node.isIdentifier(objNode) ? resolveDecl(objNode) : undefined;
  return decl && Node.isClassDeclaration(decl) ? decl : undefined;
}

/** The method `callee` names: a static method of a class, or a method of a value of type `objTy`. */
export function methodOf(callee: PropertyAccessExpression, objTy: Ty | null, prog: ProgramContext): { info: ClassInfo; member: Member & { m: "method" } } {
  const name = nameOf(callee);
  const objNode = callee.getExpression();
  let info: ClassInfo;
  let member: Member | null;
  const classDecl = staticClassOf(objNode);
  if (classDecl) {
    if (classDecl.isAbstract()) fail(objNode, Codes.Unsupported, "static methods of abstract classes are not supported: call them through a concrete class");
    info = prog.instances.classInfo(classDecl);
    member = findMember(info, name, true);
    if (!member) fail(callee.getNameNode(), Codes.UnknownMember, `'${name}' is not a static method of ${nameOf(classDecl)}`);
  } else {
    const ty = objTy!;
    if (ty.k !== "struct") fail(callee, Codes.UnknownMember, `method '${name}' of a ${showTy(ty)} is not supported in kernel code${ty.k === "opt" ? " (check it for null first)" : ""}`);
    info = classOfTy(prog, ty.cname)!;
    member = findMember(info, name);
    if (!member || member.m !== "method") fail(callee.getNameNode(), Codes.UnknownMember, `'${name}' is not a method of ${showTy(ty)}`);
  }
  if (member.m !== "method") fail(callee, Codes.Unsupported, "fields cannot be called");
  if (name === "toString") fail(callee, Codes.TemplateOutsideSink, "toString() can only be used through a template literal passed to print, println or panic");
  return { info, member };
}

/** The class `new C<...>(...)` creates, with type arguments given or taken from the expected type. */
export function newTarget(e: NewExpression, flow: Flow, prog: ProgramContext, expected?: Ty): ClassInfo {
  const decl = resolveDecl(e.getExpression());
  if (!decl || !Node.isClassDeclaration(decl)) fail(e, Codes.Unsupported, "new needs a kernel class");
  if (decl.isAbstract()) fail(e, Codes.Unsupported, "cannot create an abstract class");
  let typeArgs = e.getTypeArguments().map((a) => mapTypeNode(a, flow.env));
  if (typeArgs.length === 0 && decl.getTypeParameters().length > 0) {
    const want = expected?.k === "opt" ? expected.inner : expected;
    const inst = want?.k === "struct" ? instances.get(want.cname) : undefined;
    if (!inst || inst.decl !== decl) fail(e, Codes.Unsupported, `give the type arguments: new ${nameOf(decl)}<...>(...)`);
    typeArgs = inst.args;
  }
  return prog.instances.classInfo(decl, typeArgs);
}

/** True for `new Array<T>(n)`. */
export function isNewArray(e: Node): boolean {
  return Node.isNewExpression(e) && e.getExpression().getText() === "Array";
}

/** The type of `new Array<T>(n).fill(v)` (`fill` null: the unfilled `new Array<T>(n)`, rejected). */
export function newArrayTy(e: Node, fill: Expression | null, flow: Flow): Ty & { k: "array" } {
  if (!Node.isNewExpression(e)) fail(e, Codes.Unsupported, "expected new Array");
  const targs = e.getTypeArguments();
  if (targs.length !== 1 || e.getArguments().length !== 1) fail(e, Codes.GrowingArray, "arrays are created as `new Array<T>(length).fill(value)` with an explicit element type");
  // JavaScript leaves the slots of `new Array(n)` as holes that read as undefined; C would read zeros.
  if (fill === null) fail(e, Codes.ReferenceSemantics, "fill the new array: `new Array<T>(n).fill(value)` (JavaScript leaves holes that read as undefined, C would read zeros)");
  return { k: "array", elem: mapTypeNode(targs[0]!, flow.env) };
}

/** `new Array<T>(n).fill(v)`: the `new Array` and the fill value, or null for another call. */
export function arrayFill(e: CallExpression): { array: Node; fill: Expression } | null {
  const callee = e.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || nameOf(callee) !== "fill" || !isNewArray(callee.getExpression())) return null;
  const args = e.getArguments() as Expression[];
  if (args.length !== 1) fail(e, Codes.Unsupported, "fill takes one value (the whole array is filled)");
  return { array: callee.getExpression(), fill: args[0]! };
}

/** What a call of a named function calls: its declaration, its declared name, and the builtin it is. */
export function calleeOf(e: CallExpression): { decl: Node; name: string; builtin: Builtin | null } {
  const callee = e.getExpression();
  if (!Node.isIdentifier(callee)) fail(callee, Codes.UnknownCallee, "only calls of named functions and methods are supported");
  const decl = resolveDecl(callee);
  if (!decl) fail(callee, Codes.UnknownCallee, `cannot resolve '${callee.getText()}'`);
  // The declaration's own name: an import may rename it (`import { scaled as times1000 }`).
  const name = declName(decl) ?? callee.getText();
  return { decl, name, builtin: builtinOf(decl, name) };
}

/**
 * The type arguments of a call of a generic function: explicit ones, then those the
 * expected return type and the arguments' types (`argTy(i)`, asked only while some are
 * missing) determine.
 */
export function inferTypeArgs(e: CallExpression, decl: FunctionDeclaration, flow: Flow, expected: Ty | undefined, argTy: (i: number) => Ty): Env {
  const params = decl.getTypeParameters().map((p) => nameOf(p));
  const env: Env = new Map();
  e.getTypeArguments().forEach((t, i) => env.set(params[i]!, mapTypeNode(t, flow.env)));
  const paramNodes = decl.getParameters().map((p) => p.getTypeNodeOrThrow());
  if (e.getArguments().length !== paramNodes.length) fail(e, Codes.Unsupported, `'${nameOf(decl)}' takes ${paramNodes.length} arguments`);
  // Infer from arguments whose parameter type is a bare type parameter or an instance of a
  // generic class, also through a generic alias (`HugePage<S>` for `HugeChunk<…, S>`).
  const unifyIn = (names: string[], found: Env, node: TypeNode, ty: Ty): void => {
    // `T[]` and `T | null` (e.g. take's `(T | null)[]`) infer T from the element and the value.
    if (Node.isParenthesizedTypeNode(node)) return unifyIn(names, found, node.getTypeNode(), ty);
    if (Node.isArrayTypeNode(node) && ty.k === "array") return unifyIn(names, found, node.getElementTypeNode(), ty.elem);
    if (Node.isUnionTypeNode(node) && ty.k === "opt") {
      const parts = node.getTypeNodes().filter((t) => t.getText() !== "null");
      if (parts.length === 1) unifyIn(names, found, parts[0]!, ty.inner);
      return;
    }
    if (!Node.isTypeReference(node)) return;
    const name = node.compilerNode.typeName.getText(node.getSourceFile().compilerNode);
    if (names.includes(name)) {
      if (!found.has(name)) found.set(name, ty.k === "opt" && Node.isUnionTypeNode(node) ? ty.inner : ty);
      return;
    }
    const declared = importedSymbolOf(node, node.compilerNode.typeName)?.declarations?.[0];
    const alias = declared && wrapNode(node, declared);
    if (alias && Node.isTypeAliasDeclaration(alias) && alias.getTypeParameters().length > 0) {
      // Match the alias's body, then each argument against what its parameter matched.
      const aliasParams = alias.getTypeParameters().map((p) => nameOf(p));
      const matched: Env = new Map();
      unifyIn(aliasParams, matched, alias.getTypeNodeOrThrow(), ty);
      node.getTypeArguments().forEach((a, i) => {
        const m = matched.get(aliasParams[i]!);
        if (m) unifyIn(names, found, a, m);
      });
      return;
    }
    const inst = ty.k === "struct" ? instances.get(ty.cname) : undefined;
    if (inst) node.getTypeArguments().forEach((a, i) => inst.args[i] && unifyIn(names, found, a, inst.args[i]!));
  };
  const unify = (node: TypeNode, ty: Ty): void => unifyIn(params, env, node, ty);
  const rn = decl.getReturnTypeNode();
  if (rn && expected) unify(rn, expected);
  paramNodes.forEach((node, i) => {
    if (params.every((p) => env.has(p))) return;
    unify(node, argTy(i));
  });
  const missing = params.filter((p) => !env.has(p));
  if (missing.length) fail(e, Codes.Unsupported, `cannot infer ${missing.join(", ")}: give the type arguments explicitly`);
  return env;
}

/** True for an operand that takes its type from the other one (an integer or null literal). */
function isUntyped(n: Expression): boolean {
  return Node.isNumericLiteral(n) || Node.isBigIntLiteral(n) || isNullLiteral(n) || (Node.isPrefixUnaryExpression(n) && (Node.isNumericLiteral(n.getOperand()) || Node.isBigIntLiteral(n.getOperand())));
}

/**
 * Two operands that must share one type, each made by `one` (lowered or typed) and typed
 * by `ty`: a literal takes the other's type, so the typed one goes first.
 */
export function pairOf<X>(a: Expression, b: Expression, expected: Ty | undefined, at: Node, one: (n: Expression, expected?: Ty) => X, ty: (x: X) => Ty): [X, X] {
  let l: X;
  let r: X;
  if (isUntyped(a) && !isUntyped(b)) {
    r = one(b, expected);
    l = one(a, ty(r));
  } else {
    l = one(a, expected);
    r = one(b, ty(l));
  }
  if (!sameTy(ty(l), ty(r))) fail(at, Codes.WidthMismatch, `operands have different types (${showTy(ty(l))} and ${showTy(ty(r))}): convert one explicitly, e.g. u64(x)`);
  return [l, r];
}

/** The operator of an arithmetic expression needs integers: the type it computes in. */
export function arithTy(op: string, ty: Ty, at: Node): Ty & { k: "int" } {
  if (ty.k !== "int") fail(at, Codes.WidthMismatch, `'${op}' needs integers, not ${showTy(ty)}`);
  return ty;
}

/** The type of `-x` or `~x`: an integer, and signed to be negated. */
export function unaryTy(e: Node, op: "-" | "~", ty: Ty): Ty & { k: "int" } {
  if (ty.k !== "int") fail(e, Codes.WidthMismatch, "this operator needs an integer");
  if (op === "-" && !intInfo(ty.kind).signed) fail(e, Codes.WidthMismatch, `cannot negate an unsigned ${ty.kind}`);
  return ty;
}

/** The type of `wrappingAdd(a, b)` and its kin: the operands' integer type. */
export function wrappingTy(name: string, ty: Ty, e: Node): Ty & { k: "int" } {
  if (ty.k !== "int") fail(e, Codes.WidthMismatch, `${name} needs integers`);
  return ty;
}

/** hex(), print(), println() and panic() are no values: they stand only in their places. */
export function sinkOnly(b: Builtin, name: string, e: Node): never {
  if (b.b === "hex") fail(e, Codes.TemplateOutsideSink, "hex() can only be used inside a template literal passed to print, println or panic");
  fail(e, Codes.Unsupported, `${name}() can only be called as a statement`);
}

/** Kernel code has no type assertions, non-null assertions or other expression kinds than those lowered. */
export function unsupportedExpr(e: Expression): never {
  if (Node.isAsExpression(e) || Node.isTypeAssertion(e)) fail(e, Codes.Unsupported, "type assertions are not allowed in kernel code: convert with u64(x), u32(x), …");
  if (Node.isNonNullExpression(e)) fail(e, Codes.Unsupported, "non-null assertions are not allowed in kernel code: narrow with `if (x !== null)`");
  fail(e, Codes.Unsupported, `${e.getKindName()} is not supported in kernel code`);
}

/** Why a template literal cannot stand where a value is needed. */
export function templateOutsideSink(e: Node): never {
  fail(e, Codes.TemplateOutsideSink, "template literals can only be passed directly to print, println or panic (there is no heap to build strings)");
}

/** Why `++`/`--` or an assignment cannot stand inside an expression. */
export function assignmentInExpression(e: Node, what: string): never {
  fail(e, Codes.AssignmentInExpression, `${what} can only stand as statements in kernel code`);
}

function typeAt(e: Expression, flow: Flow, prog: ProgramContext, expected?: Ty): Ty {
  const type = (n: Expression, want?: Ty): Ty => typeOf(n, flow, prog, want);
  if (Node.isParenthesizedExpression(e)) return type(e.getExpression(), expected);
  if (Node.isNumericLiteral(e) || Node.isBigIntLiteral(e)) return literalTy(e, parseIntLiteral(e.getText()), expected);
  if (e.getKind() === SyntaxKind.TrueKeyword || e.getKind() === SyntaxKind.FalseKeyword) return T.bool;
  if (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e)) return T.string;
  if (Node.isTemplateExpression(e)) templateOutsideSink(e);
  if (isNullLiteral(e)) return nullTy(e, expected);
  if (Node.isIdentifier(e)) {
    const ref = valueRef(e, flow, prog);
    return ref.k === "fn" ? ref.ty : narrowedTy(e, ref.ty);
  }
  if (e.getKind() === SyntaxKind.ThisKeyword) {
    if (!flow.self) fail(e, Codes.Unsupported, "`this` outside a method");
    const parent = e.getParent();
    const member = parent && Node.isPropertyAccessExpression(parent) && parent.getExpression() === e;
    // `this` as a value in a constructor is the object itself (a pointer only when mutable).
    return selfTy(flow.self, member || !flow.selfPtr ? flow.selfPtr : flow.self.mutable);
  }
  if (Node.isNewExpression(e)) {
    if (isNewArray(e)) return newArrayTy(e, null, flow);
    const info = newTarget(e, flow, prog, expected);
    return selfTy(info, info.mutable);
  }
  if (Node.isElementAccessExpression(e)) {
    const ty = type(e.getExpression());
    if (ty.k !== "array") fail(e, Codes.DynamicAccess, `element access on a ${showTy(ty)}: only arrays can be indexed in kernel code`);
    return narrowedTy(e, ty.elem);
  }
  if (Node.isPropertyAccessExpression(e)) {
    if (enumValue(e) !== null) return T.int("i32");
    const p = propertyOf(e, type(e.getExpression()), prog);
    return p.k === "length" ? T.int("u32") : p.m.m === "field" ? narrowedTy(e, memberTy(p.m)) : memberTy(p.m);
  }
  if (Node.isPrefixUnaryExpression(e)) {
    const op = e.getOperatorToken();
    const operand = e.getOperand();
    if (op === SyntaxKind.ExclamationToken) return T.bool;
    if (op === SyntaxKind.MinusToken && (Node.isNumericLiteral(operand) || Node.isBigIntLiteral(operand))) return literalTy(e, -parseIntLiteral(operand.getText()), expected);
    if (op === SyntaxKind.MinusToken || op === SyntaxKind.TildeToken) return unaryTy(e, op === SyntaxKind.MinusToken ? "-" : "~", type(operand, expected));
    assignmentInExpression(e, "++ and --");
  }
  if (Node.isBinaryExpression(e)) {
    const op = e.getOperatorToken();
    const kind = op.getKind();
    if (ARITH[kind]) return arithTy(op.getText(), pairOf(e.getLeft(), e.getRight(), expected, e, type, (t) => t)[0], e);
    if (COMPARE[kind] || kind === SyntaxKind.AmpersandAmpersandToken || kind === SyntaxKind.BarBarToken) return T.bool;
    if (kind === SyntaxKind.EqualsToken || COMPOUND[kind]) assignmentInExpression(e, "assignments");
    fail(op, Codes.Unsupported, `operator '${op.getText()}' is not supported in kernel code`);
  }
  if (Node.isCallExpression(e)) return callTy(e, flow, prog, expected);
  if (Node.isConditionalExpression(e)) {
    const a = e.getWhenTrue();
    const b = e.getWhenFalse();
    const lt = isNullLiteral(a) ? null : type(a, expected);
    const rt = isNullLiteral(b) ? null : type(b, lt ?? expected);
    if (lt === null && rt === null) fail(e, Codes.UntypedLiteral, "both branches are null");
    return joinTy(lt ?? nullTy(a, expected ?? rt!), rt, lt === null, expected);
  }
  unsupportedExpr(e);
}

function callTy(e: CallExpression, flow: Flow, prog: ProgramContext, expected?: Ty): Ty {
  const type = (n: Expression, want?: Ty): Ty => typeOf(n, flow, prog, want);
  const fill = arrayFill(e);
  if (fill) return newArrayTy(fill.array, fill.fill, flow);
  const callee = e.getExpression();
  if (Node.isPropertyAccessExpression(callee)) {
    const objNode = callee.getExpression();
    const { member } = methodOf(callee, staticClassOf(objNode) ? null : type(objNode as Expression), prog);
    return signature(member.decl, member.level.env).ret;
  }
  const { decl, name, builtin } = calleeOf(e);
  const args = e.getArguments() as Expression[];
  if (builtin) {
    switch (builtin.b) {
      case "conv":
        return T.int(builtin.to);
      case "wrapping":
        if (args.length !== 2) fail(e, Codes.Unsupported, `${name} takes two arguments`);
        return wrappingTy(name, pairOf(args[0]!, args[1]!, expected, e, type, (t) => t)[0], e);
      case "intrinsic":
        return signature(decl).ret;
      default:
        sinkOnly(builtin, name, e);
    }
  }
  if (Node.isFunctionDeclaration(decl) && decl.getTypeParameters().length > 0) return signature(decl, inferTypeArgs(e, decl, flow, expected, (i) => type(args[i]!))).ret;
  const fty = typeOfDecl(decl, flow, prog);
  if (fty.k !== "fn") fail(callee, Codes.UnknownCallee, `'${name}' is not a function`);
  return fty.ret;
}

/** True for a diagnostic path in TypeScript's library or another package's declarations. */
function isLibraryFile(file: string): boolean {
  return file.includes("node_modules/") || (file.endsWith(".d.ts") && !file.includes("kernel/"));
}

/** What to say when kernel code uses JavaScript's standard library. */
function libraryMessage(use: Node, detail: string): string {
  const text = use.getText();
  const hint = /^Math\b/.test(text)
    ? "compare explicitly (e.g. `a > b ? a : b`)"
    : /^(BigInt|Number|parseInt|String)\b/.test(text)
      ? "convert with u64(x), u32(x), … (kernel/lib/int.ts)"
      : /^(NaN|Infinity)\b/.test(text)
        ? "kernel code has no floating point"
        : "write it with the kernel's own modules";
  return `'${text.length > 40 ? text.slice(0, 40) + "…" : text}' uses JavaScript's standard library, which kernel code does not have: ${hint} (${detail})`;
}
