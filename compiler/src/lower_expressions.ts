// Expression lowering: from a TypeScript expression to a typed IR expression, in the Flow
// of the function it stands in. Widths come from annotations and are inferred through
// expressions; the rules that need types (no width mixing, literal ranges, where templates
// may stand) are enforced here. Names, members, constructors and type arguments resolve
// through type_of.ts, the type query, so a query and the lowering agree on every type.
import { Node, SyntaxKind, type CallExpression, type Expression, type FunctionDeclaration, type NewExpression } from "ts-morph";
import type { Builtin } from "./builtins";
import { Codes, fail, locationOf } from "./diagnostics";
import { Flow } from "./flow";
import type { Env } from "./classes";
import { exprTy, type BinOp, type Expr, type Ty } from "./ir";
import type { ClassLowering } from "./lower_classes";
import type { StatementLowering } from "./lower_statements";
import { ARITH, COMPARE, COMPOUND, coerce, isNullLiteral, joinTy, narrowed, parseIntLiteral, resolveDecl, signature } from "./lower_common";
import type { ProgramContext } from "./lower_context";
import { globalCName, localCName } from "./names";
import {
  arithTy,
  arrayFill,
  assignmentInExpression,
  atUse,
  calleeOf,
  inferTypeArgs,
  isNewArray,
  literalTy,
  newArrayTy,
  nullTy,
  pairOf,
  sinkOnly,
  templateOutsideSink,
  typeOfDecl,
  unaryTy,
  unsupportedExpr,
  valueRef,
  wrappingTy,
} from "./type_of";
import { intInfo, showTy, T } from "./types";
import { nameOf } from "./tree";

/** Lowers expressions; classes (members, `new`, `this`) through the class lowering. */
export class ExpressionLowering {
  /** Set once the parts are wired (lower.ts): the parts call each other. */
  classes!: ClassLowering;
  stmts!: StatementLowering;

  constructor(private readonly prog: ProgramContext) {}

  /** Lowers an expression; `expected` types literals and null. */
  expr(e: Expression, flow: Flow, expected?: Ty): Expr {
    return atUse(e, () => this.exprAt(e, flow, expected));
  }

  /** Lowers an argument (or any value) for a slot of type `want`. */
  argument(a: Expression, flow: Flow, want: Ty): Expr {
    return coerce(this.expr(a, flow, want), want, a);
  }

  /** Lowers a condition: it must be a bool. */
  cond(e: Expression, flow: Flow): Expr {
    const x = this.expr(e, flow, T.bool);
    if (exprTy(x).k !== "bool") fail(e, Codes.WidthMismatch, `a condition must be bool, not ${showTy(exprTy(x))} (compare explicitly, e.g. x != 0)`);
    return x;
  }

  /** An assignable place: a local, a field of a pointer, or an array element. */
  lvalue(e: Expression, flow: Flow): Expr {
    if (Node.isElementAccessExpression(e)) return this.index(e, flow);
    if (Node.isPropertyAccessExpression(e)) {
      const target = this.expr(e, flow);
      if (target.e !== "field" || !target.ptr) fail(e, Codes.ReferenceSemantics, "only fields of `this` in a constructor or of a mutable object can be assigned (value objects are immutable)");
      return target;
    }
    if (!Node.isIdentifier(e)) fail(e, Codes.Unsupported, "only variables and fields can be assigned");
    const decl = resolveDecl(e);
    if (!decl || !(Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl))) fail(e, Codes.Unsupported, "only variables can be assigned");
    return this.identifier(e, flow);
  }

  /** `op` applied to two lowered integers (checked arithmetic). */
  arith(op: BinOp, l: Expr, r: Expr, at: Node): Expr {
    return { e: "bin", op, l, r, ty: arithTy(op, exprTy(l), at), wrapping: false, loc: locationOf(at) };
  }

  /** A call expression: a method, a named function, a builtin or a generic function's instance. */
  call(e: CallExpression, flow: Flow, expected?: Ty): Expr {
    const fill = arrayFill(e);
    if (fill) return this.newArray(fill.array, fill.fill, flow);
    const callee = e.getExpression();
    if (Node.isPropertyAccessExpression(callee)) return this.classes.methodCall(e, callee, flow);
    const { decl, name, builtin } = calleeOf(e);
    const args = e.getArguments() as Expression[];
    if (builtin) return this.builtinCall(builtin, name, e, args, flow, expected);
    if (Node.isFunctionDeclaration(decl) && decl.getTypeParameters().length > 0) return this.genericCall(e, decl, args, flow, expected);
    if (e.getTypeArguments().length > 0) fail(e, Codes.Unsupported, `'${name}' is not generic`);
    const { params, ret } = this.fnTy(decl, callee, name, flow);
    const callSites = Node.isFunctionDeclaration(decl) ? signature(decl).callSites : [];
    const lowered = this.arguments(e, args, params, callSites, name, flow);
    const target = this.identifier(callee, flow);
    if (target.e === "fnref") return { e: "call", cname: target.cname, args: lowered, ty: ret };
    return { e: "callptr", callee: target, args: lowered, ty: ret };
  }

  /**
   * The arguments of a call, lowered for their parameters; omitted CallSite parameters
   * receive the caller's location (#[track_caller]).
   */
  arguments(e: CallExpression, args: Expression[], params: Ty[], callSites: boolean[], name: string, flow: Flow): Expr[] {
    if (args.length > params.length || (args.length < params.length && !callSites[args.length])) fail(e, Codes.Unsupported, `'${name}' takes ${params.length} arguments`);
    const lowered = args.map((a, i) => this.argument(a, flow, params[i]!));
    for (let i = args.length; i < params.length; i++) lowered.push({ e: "str", value: locationOf(e) });
    return lowered;
  }

  /** `a[i]`: bounds-checked, with a u32 index. */
  index(e: Node, flow: Flow): Expr {
    if (!Node.isElementAccessExpression(e)) fail(e, Codes.Unsupported, "expected an element access");
    const arr = this.expr(e.getExpression(), flow);
    const ty = exprTy(arr);
    if (ty.k !== "array") fail(e, Codes.DynamicAccess, `element access on a ${showTy(ty)}: only arrays can be indexed in kernel code`);
    const i = this.argument(e.getArgumentExpressionOrThrow() as Expression, flow, T.int("u32"));
    return { e: "index", x: arr, i, ty: ty.elem, loc: locationOf(e) };
  }

  private exprAt(e: Expression, flow: Flow, expected?: Ty): Expr {
    if (Node.isParenthesizedExpression(e)) return this.expr(e.getExpression(), flow, expected);
    if (Node.isNumericLiteral(e) || Node.isBigIntLiteral(e)) return this.literal(e, parseIntLiteral(e.getText()), expected);
    if (e.getKind() === SyntaxKind.TrueKeyword) return { e: "bool", value: true };
    if (e.getKind() === SyntaxKind.FalseKeyword) return { e: "bool", value: false };
    if (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e)) return { e: "str", value: e.getLiteralValue() };
    if (Node.isTemplateExpression(e)) templateOutsideSink(e);
    if (isNullLiteral(e)) return { e: "null", ty: nullTy(e, expected) };
    if (Node.isIdentifier(e)) return this.identifier(e, flow);
    if (e.getKind() === SyntaxKind.ThisKeyword) return this.classes.self(e, flow);
    if (Node.isNewExpression(e)) return isNewArray(e) ? this.newArray(e, null, flow) : this.classes.newExpr(e, flow, expected);
    if (Node.isElementAccessExpression(e)) return narrowed(e, this.index(e, flow)); // `if (a[0] !== null) a[0].m()`
    if (Node.isPropertyAccessExpression(e)) return this.classes.property(e, flow);
    if (Node.isPrefixUnaryExpression(e)) return this.prefix(e, flow, expected);
    if (Node.isBinaryExpression(e)) return this.binary(e, flow, expected);
    if (Node.isCallExpression(e)) return this.call(e, flow, expected);
    if (Node.isConditionalExpression(e)) {
      const c = this.cond(e.getCondition(), flow);
      const [a, b] = this.unify(e.getWhenTrue(), e.getWhenFalse(), flow, expected, e);
      return { e: "cond", c, a, b, ty: exprTy(a) };
    }
    unsupportedExpr(e);
  }

  private literal(e: Node, value: bigint, expected?: Ty): Expr {
    return { e: "int", ty: literalTy(e, value, expected), value };
  }

  private identifier(id: Node, flow: Flow): Expr {
    const ref = valueRef(id, flow, this.prog);
    const decl = resolveDecl(id)!;
    if (ref.k === "fn") return { e: "fnref", cname: globalCName(decl.getSourceFile(), ref.name), ty: ref.ty };
    if (ref.k === "global") return narrowed(id, { e: "global", cname: globalCName(decl.getSourceFile(), ref.name), ty: ref.ty });
    return narrowed(id, { e: "local", name: localCName(ref.name), ty: ref.ty });
  }

  /** The parameter and return types of a function called by name (directly or through a pointer). */
  private fnTy(decl: Node, callee: Node, name: string, flow: Flow): Ty & { k: "fn" } {
    const fty = typeOfDecl(decl, flow, this.prog);
    if (fty.k !== "fn") fail(callee, Codes.UnknownCallee, `'${name}' is not a function`);
    return fty;
  }

  private prefix(e: Node & { getOperatorToken(): SyntaxKind; getOperand(): Expression }, flow: Flow, expected?: Ty): Expr {
    const op = e.getOperatorToken();
    const operand = e.getOperand();
    if (op === SyntaxKind.ExclamationToken) return { e: "not", x: this.cond(operand, flow) };
    if (op === SyntaxKind.MinusToken && (Node.isNumericLiteral(operand) || Node.isBigIntLiteral(operand))) return this.literal(e, -parseIntLiteral(operand.getText()), expected);
    if (op === SyntaxKind.MinusToken || op === SyntaxKind.TildeToken) {
      const x = this.expr(operand, flow, expected);
      const ty = unaryTy(e, op === SyntaxKind.MinusToken ? "-" : "~", exprTy(x));
      return op === SyntaxKind.TildeToken ? { e: "bitnot", x, ty } : { e: "neg", x, ty, loc: locationOf(e) };
    }
    assignmentInExpression(e, "++ and --");
  }

  /** Lowers two operands that must share one type; a literal takes the other's type. */
  private pair(a: Expression, b: Expression, flow: Flow, expected: Ty | undefined, at: Node): [Expr, Expr] {
    return pairOf(a, b, expected, at, (n, want) => this.expr(n, flow, want), exprTy);
  }

  /** Two branches of a conditional brought to one type. */
  private unify(a: Expression, b: Expression, flow: Flow, expected: Ty | undefined, at: Node): [Expr, Expr] {
    let l = isNullLiteral(a) ? null : this.expr(a, flow, expected);
    const r = isNullLiteral(b) ? null : this.expr(b, flow, l ? exprTy(l) : expected);
    if (l === null && r === null) fail(at, Codes.UntypedLiteral, "both branches are null");
    if (l === null) l = this.expr(a, flow, expected ?? exprTy(r!));
    const ty = joinTy(exprTy(l), r ? exprTy(r) : null, l.e === "null", expected);
    return [coerce(l, ty, a), coerce(r ?? { e: "null", ty }, ty, b)];
  }

  private binary(e: Expression & Node, flow: Flow, expected?: Ty): Expr {
    if (!Node.isBinaryExpression(e)) throw new Error("unreachable");
    const op = e.compilerNode.operatorToken.kind;
    const arith = ARITH[op];
    if (arith) {
      const [l, r] = this.pair(e.getLeft(), e.getRight(), flow, expected, e);
      return this.arith(arith, l, r, e);
    }
    const cmp = COMPARE[op];
    if (cmp) {
      // Comparisons give their operands no expected type: each literal takes the other side's.
      const [l, r] = this.pair(e.getLeft(), e.getRight(), flow, undefined, e);
      const ty = exprTy(l);
      if (ty.k === "opt" && (cmp === "==" || cmp === "!=")) {
        const value = l.e === "null" ? r : r.e === "null" ? l : fail(e, Codes.IdentityComparison, "an optional value can only be compared with null");
        const some: Expr = { e: "isSome", x: value };
        return cmp === "!=" ? some : { e: "not", x: some };
      }
      // A value TypeScript narrowed to non-null, compared with null: well defined (and
      // constant) in both executions; the value is still evaluated.
      if ((cmp === "==" || cmp === "!=") && (isNullLiteral(e.getLeft()) || isNullLiteral(e.getRight())) && ty.k === "struct") {
        const value = isNullLiteral(e.getLeft()) ? r : l;
        const vt = exprTy(value);
        const some: Expr = { e: "isSome", x: { e: "some", x: value, ty: { k: "opt", inner: vt } } };
        return cmp === "!=" ? some : { e: "not", x: some };
      }
      if (ty.k === "struct") fail(e, Codes.IdentityComparison, `objects have no identity in kernel code (they are copied by value): compare with an equals() method`);
      if (ty.k === "string") fail(e, Codes.ReferenceSemantics, "strings cannot be compared: JavaScript compares their text, C would compare pointers");
      if (cmp !== "==" && cmp !== "!=" && ty.k !== "int") fail(e, Codes.WidthMismatch, `'${e.getOperatorToken().getText()}' compares integers`);
      return { e: "cmp", op: cmp, l, r };
    }
    if (op === SyntaxKind.AmpersandAmpersandToken || op === SyntaxKind.BarBarToken)
      return { e: "logic", op: op === SyntaxKind.AmpersandAmpersandToken ? "&&" : "||", l: this.cond(e.getLeft(), flow), r: this.cond(e.getRight(), flow) };
    if (op === SyntaxKind.EqualsToken || COMPOUND[op]) assignmentInExpression(e, "assignments");
    fail(e.getOperatorToken(), Codes.Unsupported, `operator '${e.getOperatorToken().getText()}' is not supported in kernel code`);
  }

  /** A call of a generic function: infer or read the type arguments, instantiate, call. */
  private genericCall(e: CallExpression, decl: FunctionDeclaration, args: Expression[], flow: Flow, expected?: Ty): Expr {
    // The arguments lowered to infer the type arguments are kept, not lowered twice.
    const lowered: (Expr | null)[] = args.map(() => null);
    const env = inferTypeArgs(e, decl, flow, expected, (i) => exprTy((lowered[i] = this.expr(args[i]!, flow))));
    const { params, ret } = signature(decl, env);
    const cname = this.genericFunc(decl, env);
    const final = args.map((a, i) => (lowered[i] ? coerce(lowered[i]!, params[i]!, a) : this.argument(a, flow, params[i]!)));
    return { e: "call", cname, args: final, ty: ret };
  }

  /** C name of a generic function's instance for `env`; queues its lowering the first time. */
  private genericFunc(decl: FunctionDeclaration, env: Env): string {
    const params = decl.getTypeParameters().map((p) => nameOf(p));
    const registry = this.prog.instances;
    const cname = registry.genericName(decl, params, env);
    return registry.instantiate(cname, () => {
      const body = decl.getBody();
      if (!body || !Node.isBlock(body)) fail(decl, Codes.Unsupported, "functions need a body");
      const { params: ptys, ret } = signature(decl, env);
      const flow = new Flow({ env, self: null, selfPtr: false, fmtMode: false, ret });
      registry.addFunc(decl.getSourceFile(), this.stmts.func(decl, flow, { cname, tsName: nameOf(decl)!, params: ptys, exported: decl.isExported() }));
    });
  }

  private builtinCall(b: Builtin, name: string, e: CallExpression, args: Expression[], flow: Flow, expected?: Ty): Expr {
    switch (b.b) {
      case "conv": {
        if (args.length !== 1) fail(e, Codes.Unsupported, `${name} takes one argument`);
        const to = T.int(b.to);
        const a = args[0]!;
        if (Node.isNumericLiteral(a) || Node.isBigIntLiteral(a)) {
          // A constant: checked conversions reject it at compile time, truncations fold it.
          const v = parseIntLiteral(a.getText());
          if (b.checked) return this.literal(a, v, to);
          return { e: "int", ty: to, value: BigInt.asUintN(intInfo(b.to).bits, v) };
        }
        const x = this.expr(a, flow);
        const from = exprTy(x);
        if (from.k !== "int") fail(a, Codes.WidthMismatch, `${name}() converts integers, not ${showTy(from)}`);
        const fi = intInfo(from.kind);
        const ti = intInfo(b.to);
        const fits = fi.min >= ti.min && fi.max <= ti.max;
        return { e: "conv", x, ty: to, checked: b.checked && !fits, loc: locationOf(e) };
      }
      case "wrapping": {
        if (args.length !== 2) fail(e, Codes.Unsupported, `${name} takes two arguments`);
        const [l, r] = this.pair(args[0]!, args[1]!, flow, expected, e);
        return { e: "bin", op: b.op, l, r, ty: wrappingTy(name, exprTy(l), e), wrapping: true, loc: locationOf(e) };
      }
      case "intrinsic": {
        const decl = resolveDecl(e.getExpression()) as FunctionDeclaration;
        const { params, ret } = signature(decl);
        if (args.length !== params.length) fail(e, Codes.Unsupported, `${name} takes ${params.length} arguments`);
        return { e: "intrinsic", name, args: args.map((a, i) => this.argument(a, flow, params[i]!)), ty: ret };
      }
      default:
        sinkOnly(b, name, e);
    }
  }

  /** `new Array<T>(n).fill(v)`: a fixed-length array (growing it is rejected by the check phase). */
  private newArray(e: Node, fill: Expression | null, flow: Flow): Expr {
    const ty = newArrayTy(e, fill, flow);
    const length = (e as NewExpression).getArguments()[0] as Expression;
    return { e: "newArray", length: this.argument(length, flow, T.int("u32")), fill: this.argument(fill!, flow, ty.elem), ty, loc: locationOf(e) };
  }
}
