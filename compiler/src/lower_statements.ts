// Statement lowering: blocks, declarations, control flow, `using` disposals at every exit,
// print/panic with their templates, and assignments evaluated in TypeScript's order. Each
// call takes the Flow of the function being lowered (its scopes, labels and temporaries).
import { Node, SyntaxKind, ts, type Block, type Expression, type FunctionDeclaration, type MethodDeclaration, type GetAccessorDeclaration, type Statement, type VariableDeclaration } from "ts-morph";
import { builtinOf } from "./builtins";
import { findMember } from "./classes";
import { Codes, displayPath, fail, locationOf } from "./diagnostics";
import type { Flow } from "./flow";
import { exprTy, isPureExpr, isStableExpr, type Expr, type FmtPiece, type Func, type Stmt, type Ty } from "./ir";
import type { ClassLowering } from "./lower_classes";
import { COMPOUND, isSuperCall, lineOf, realParameters, resolveDecl } from "./lower_common";
import type { ProgramContext } from "./lower_context";
import type { ExpressionLowering } from "./lower_expressions";
import { localCName } from "./names";
import { declName } from "./type_of";
import { mapTypeNode, showTy, T } from "./types";
import { nameOf } from "./tree";

/** What a lowered function is called and how it is seen; its parameters' types come from its signature. */
export interface FuncHead {
  cname: string;
  tsName: string;
  params: Ty[];
  exported: boolean;
  /** The type of `this`, passed first as `self` (methods). */
  self?: Ty;
}

/** Lowers statements and function bodies. */
export class StatementLowering {
  /** Set once the parts are wired (lower.ts): the parts call each other. */
  exprs!: ExpressionLowering;
  classes!: ClassLowering;

  constructor(private readonly prog: ProgramContext) {}

  /** A function or method whose body is lowered in `flow` (its parameters are declared in it first). */
  func(decl: FunctionDeclaration | MethodDeclaration | GetAccessorDeclaration, flow: Flow, head: FuncHead): Func {
    const body = decl.getBody();
    if (!body || !Node.isBlock(body)) fail(decl, Codes.Unsupported, "functions need a body");
    const params = realParameters(decl);
    params.forEach((p, i) => flow.locals.set(p, head.params[i]!));
    return {
      cname: head.cname,
      tsName: head.tsName,
      params: [...(head.self ? [{ name: "self", ty: head.self }] : []), ...params.map((p, i) => ({ name: localCName(nameOf(p)), ty: head.params[i]! }))],
      ret: flow.ret,
      body: this.block(body, flow),
      exported: head.exported,
      inlining: inliningHint(decl),
      file: displayPath(decl.getSourceFile()),
      line: lineOf(decl),
    };
  }

  /** Lowers a block in its own scope; leaving it normally disposes its `using` locals. */
  block(b: Block, flow: Flow, loop = false): Stmt[] {
    const out: Stmt[] = [];
    flow.inScope(loop, () => {
      for (const st of b.getStatements()) this.prog.guard(() => out.push(...this.stmt(st, flow)), undefined);
      // The closing brace's line only when something is disposed there (finding it makes TypeScript scan the block's tokens).
      if (flow.usingsFrom(flow.scopes.length - 1).length > 0) out.push(...this.disposals(flow, flow.scopes.length - 1, lineOf(b.getLastChildOrThrow())));
    });
    return out;
  }

  /** A loop body (or, with `loop` false, a branch): its own scope, which break and continue leave. */
  body(st: Statement, flow: Flow, loop = true): Stmt[] {
    if (Node.isBlock(st)) return this.block(st, flow, loop);
    return flow.inScope(loop, () => this.prog.guard(() => this.stmt(st, flow), []));
  }

  /** Dispose calls for the `using` locals of scopes[from..], innermost first. */
  private disposals(flow: Flow, from: number, line: number): Stmt[] {
    return flow.usingsFrom(from).map((u): Stmt => ({ line, s: "expr", x: { e: "call", cname: u.dispose, args: [u.x], ty: T.void } }));
  }

  /** `label: stmt`: a labelled loop or block, the target of `break label` / `continue label`. */
  private labelled(st: Statement, flow: Flow): Stmt[] {
    if (!Node.isLabeledStatement(st)) fail(st, Codes.Unsupported, "expected a labelled statement");
    const inner = st.getStatement();
    const label = { ts: st.getLabel().getText(), ir: `${st.getLabel().getText()}_${flow.nextTemp()}` };
    if (!Node.isBlock(inner) && !Node.isIterationStatement(inner)) fail(st, Codes.Unsupported, "only loops and blocks can be labelled in kernel code");
    flow.pendingLabel = label;
    const out = this.stmt(inner, flow);
    flow.pendingLabel = null;
    // The label goes on what break/continue leave: the block or the loop (a for…of lowers to
    // a block around its counted loop).
    const first = out[0];
    const target = first?.s === "block" && Node.isForOfStatement(inner) ? first.body.find((x) => x.s === "for") : first;
    if (!target || (target.s !== "block" && target.s !== "for" && target.s !== "while" && target.s !== "dowhile")) throw new Error("a labelled statement lowered to no loop or block");
    target.label = label.ir;
    return out;
  }

  /** The scope a `break label` / `continue label` leaves (the labelled statement's body). */
  private labelScope(st: Node, name: string, flow: Flow): number {
    const i = flow.labelScope(name);
    if (i < 0) fail(st, Codes.Unsupported, `no enclosing statement labelled '${name}'`);
    return i;
  }

  private stmt(st: Statement, flow: Flow): Stmt[] {
    const line = lineOf(st);
    if (Node.isBlock(st)) return [{ line, s: "block", body: this.block(st, flow) }];
    if (Node.isEmptyStatement(st)) return [];
    if (Node.isVariableStatement(st)) {
      return st.getDeclarations().map((d) => this.localDecl(d, flow));
    }
    if (Node.isExpressionStatement(st) && !isSuperCall(st.getExpression())) return [this.exprStmt(st.getExpression(), flow)];
    if (Node.isIfStatement(st)) {
      const els = st.getElseStatement();
      return [{ line, s: "if", c: this.exprs.cond(st.getExpression(), flow), then: this.body(st.getThenStatement(), flow, false), else: els ? this.body(els, flow, false) : null }];
    }
    if (Node.isWhileStatement(st)) return [{ line, s: "while", c: this.exprs.cond(st.getExpression(), flow), body: this.body(st.getStatement(), flow) }];
    if (Node.isDoStatement(st)) return [{ line, s: "dowhile", c: this.exprs.cond(st.getExpression(), flow), body: this.body(st.getStatement(), flow) }];
    if (Node.isForStatement(st)) {
      const init = st.getInitializer();
      const initStmts: Stmt[] = !init ? [] : Node.isVariableDeclarationList(init) ? init.getDeclarations().map((d) => this.localDecl(d, flow)) : [this.exprStmt(init, flow)];
      const c = st.getCondition();
      const inc = st.getIncrementor();
      return [{ line, s: "for", init: initStmts, c: c ? this.exprs.cond(c, flow) : null, step: inc ? [this.exprStmt(inc, flow)] : [], body: this.body(st.getStatement(), flow) }];
    }
    if (Node.isForOfStatement(st)) return [this.classes.forOf(st, flow)];
    if (Node.isSwitchStatement(st)) return this.switchStmt(st, flow);
    if (Node.isExpressionStatement(st)) {
      const call = st.getExpression();
      if (Node.isCallExpression(call) && call.getExpression().getKind() === SyntaxKind.SuperKeyword) return this.classes.superCall(call, flow);
    }
    if (Node.isLabeledStatement(st)) return this.labelled(st, flow);
    if (Node.isBreakStatement(st)) {
      if (flow.switchBreaks.has(st)) return this.disposals(flow, flow.scopes.length - 1, line);
      const label = st.getLabel();
      if (label) {
        const scope = this.labelScope(st, label.getText(), flow);
        return [...this.disposals(flow, scope, line), { line, s: "break", label: flow.scopes[scope]!.label!.ir }];
      }
      return [...this.disposals(flow, flow.loopScope(), line), { line, s: "break" }];
    }
    if (Node.isContinueStatement(st)) {
      const label = st.getLabel();
      if (label) {
        const scope = this.labelScope(st, label.getText(), flow);
        if (!flow.scopes[scope]!.loop) fail(st, Codes.Unsupported, `'${label.getText()}' labels a block, not a loop: continue needs a loop`);
        return [...this.disposals(flow, scope, line), { line, s: "continue", label: flow.scopes[scope]!.label!.ir }];
      }
      return [...this.disposals(flow, flow.loopScope(), line), { line, s: "continue" }];
    }
    if (Node.isReturnStatement(st)) return this.returnStmt(st, flow);
    fail(st, Codes.Unsupported, `${st.getKindName()} is not supported in kernel code`);
  }

  /** `return`: the value is computed, the `using` locals of every open scope are disposed, then it returns. */
  private returnStmt(st: Node & { getExpression(): Expression | undefined }, flow: Flow): Stmt[] {
    const line = lineOf(st);
    const x = st.getExpression();
    const exits = this.disposals(flow, 0, line);
    if (!x) return [...exits, { line, s: "return", x: null }];
    const sink = this.sinkStmt(x, flow);
    // A panic never returns; `return print(…)` prints, disposes and returns.
    if (sink) return sink.s === "panic" || (sink.s === "block" && sink.body.at(-1)?.s === "panic") ? [sink] : [sink, ...exits, { line, s: "return", x: null }];
    if (flow.fmtMode) return [{ line, s: "fmt", pieces: this.fmtPieces(x, flow) }, ...exits, { line, s: "return", x: null }];
    const value = this.exprs.argument(x, flow, flow.ret);
    // A local or a constant cannot change while the `using` locals are disposed.
    if (exits.length === 0) return [{ line, s: "return", x: value }];
    if (value.e === "local" || value.e === "int" || value.e === "bool" || value.e === "null") return [...exits, { line, s: "return", x: value }];
    // The value is computed before the `using` locals are disposed, as in JavaScript.
    const name = `keel_result${flow.nextTemp()}`;
    const ty = exprTy(value);
    if (ty.k === "void" || ty.k === "never") return [{ line, s: "expr", x: value }, ...exits, { line, s: "return", x: null }];
    return [{ line, s: "let", name, ty, init: value }, ...exits, { line, s: "return", x: { e: "local", name, ty } }];
  }

  private localDecl(d: VariableDeclaration, flow: Flow): Stmt {
    const list = d.getVariableStatement()?.getDeclarationList() ?? d.getParent();
    const kind = Node.isVariableDeclarationList(list) ? String(list.getDeclarationKind()) : "const";
    if (kind !== "let" && kind !== "const" && kind !== "using")
      fail(d, Codes.Unsupported, `'${kind}' declarations are not supported in kernel code`);
    if (!ts.isIdentifier(d.compilerNode.name)) fail(d, Codes.Unsupported, "destructuring is not supported in kernel code");
    const initNode = d.getInitializer();
    const annotated = d.getTypeNode();
    let ty: Ty;
    let init: Expr | null = null;
    if (annotated) {
      ty = mapTypeNode(annotated, flow.env);
      if (initNode) init = this.exprs.argument(initNode, flow, ty);
    } else {
      if (!initNode) fail(d, Codes.MissingAnnotation, `'${nameOf(d)}' needs a type annotation or an initializer`);
      init = this.exprs.expr(initNode, flow);
      ty = exprTy(init);
    }
    if (ty.k === "never" || ty.k === "void") fail(d, Codes.Unsupported, "this expression has no value");
    flow.locals.set(d, ty);
    if (kind === "using") this.classes.registerUsing(d, ty, flow);
    return { line: lineOf(d), s: "let", name: localCName(nameOf(d)), ty, init };
  }

  /** print/println/panic calls: they become formatting statements, not expressions. */
  private sinkStmt(x: Expression, flow: Flow): Stmt | null {
    if (!Node.isCallExpression(x)) return null;
    const callee = x.getExpression();
    if (!Node.isIdentifier(callee)) return null;
    const decl = resolveDecl(callee);
    const b = decl ? builtinOf(decl, declName(decl) ?? callee.getText()) : null;
    if (!b || (b.b !== "print" && b.b !== "panic")) return null;
    const arg = x.getArguments()[0];
    if (!arg || x.getArguments().length !== 1) fail(x, Codes.Unsupported, `${callee.getText()} takes exactly one string argument`);
    const line = lineOf(x);
    const { pieces, pre } = this.hoisted(this.fmtPieces(arg as Expression, flow), line, flow);
    let out: Stmt;
    if (b.b === "print") {
      if (b.newline) pieces.push({ p: "str", value: "\n" });
      out = { line, s: "fmt", pieces };
    } else {
      out = { line, s: "panic", loc: locationOf(x), pieces };
    }
    return pre.length ? { line, s: "block", body: [...pre, out] } : out;
  }

  /**
   * JavaScript evaluates every substitution of a template before anything is printed; so do
   * we: calls in substitutions are evaluated into locals first, then the pieces are written.
   */
  private hoisted(pieces: FmtPiece[], line: number, flow: Flow): { pieces: FmtPiece[]; pre: Stmt[] } {
    const pre: Stmt[] = [];
    // Locals and constants cannot change while other substitutions run; anything else is hoisted.
    const simple = (x: Expr) => x.e === "local" || x.e === "int" || x.e === "str" || x.e === "bool" || x.e === "self";
    const out = pieces.map((piece): FmtPiece => {
      if (piece.p === "str" || simple(piece.x)) return piece;
      const name = `keel_arg${flow.nextTemp()}`;
      const ty = exprTy(piece.x);
      pre.push({ line, s: "let", name, ty, init: piece.x });
      return { ...piece, x: { e: "local", name, ty } };
    });
    return { pieces: out, pre };
  }

  private fmtPieces(arg: Expression, flow: Flow): FmtPiece[] {
    if (Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg)) return [{ p: "str", value: arg.getLiteralValue() }];
    if (Node.isTemplateExpression(arg)) {
      const pieces: FmtPiece[] = [];
      const head = arg.getHead().getLiteralText();
      if (head) pieces.push({ p: "str", value: head });
      for (const span of arg.getTemplateSpans()) {
        pieces.push(this.fmtValue(span.getExpression(), flow));
        const lit = span.getLiteral().getLiteralText();
        if (lit) pieces.push({ p: "str", value: lit });
      }
      return pieces;
    }
    const x = this.exprs.expr(arg, flow, T.string);
    if (exprTy(x).k !== "string") fail(arg, Codes.WidthMismatch, "expected a string");
    return [{ p: "strval", x }];
  }

  private fmtValue(e: Expression, flow: Flow): FmtPiece {
    if (Node.isCallExpression(e) && Node.isIdentifier(e.getExpression())) {
      const decl = resolveDecl(e.getExpression());
      const b = decl ? builtinOf(decl, declName(decl) ?? e.getExpression().getText()) : null;
      if (b?.b === "hex") {
        const x = this.exprs.expr(e.getArguments()[0] as Expression, flow);
        const hx = exprTy(x);
        if (hx.k !== "int") fail(e, Codes.WidthMismatch, "hex() formats integers");
        return { p: "hex", x };
      }
    }
    const x = this.exprs.expr(e, flow);
    const ty = exprTy(x);
    if (ty.k === "int") return { p: "dec", x };
    if (ty.k === "bool") return { p: "bool", x };
    if (ty.k === "string") return { p: "strval", x };
    if (ty.k === "struct") {
      const info = this.classes.classInfoByCName(ty.cname);
      const m = info ? findMember(info, "toString") : null;
      if (!info || !m || m.m !== "method") fail(e, Codes.Unsupported, `${showTy(ty)} has no toString() to format it with`);
      return { p: "obj", x: this.classes.receiver(info, x, e), fn: this.classes.methodFunc(info, m, "fmt") };
    }
    fail(e, Codes.Unsupported, `a value of type ${showTy(ty)} cannot be formatted${ty.k === "opt" ? " (check it for null first)" : ""}`);
  }

  private exprStmt(x: Expression, flow: Flow): Stmt {
    const line = lineOf(x);
    const sink = this.sinkStmt(x, flow);
    if (sink) return sink;
    if (Node.isBinaryExpression(x)) {
      const op = x.compilerNode.operatorToken.kind;
      if (op === SyntaxKind.EqualsToken) {
        const target = this.exprs.lvalue(x.getLeft(), flow);
        const value = this.exprs.argument(x.getRight(), flow, exprTy(target));
        return this.assignOnce(line, target, value, false, flow, () => value);
      }
      const bop = COMPOUND[op];
      if (bop) {
        const target = this.exprs.lvalue(x.getLeft(), flow);
        const rhs = this.exprs.expr(x.getRight(), flow, exprTy(target));
        return this.assignOnce(line, target, rhs, true, flow, (t) => this.exprs.arith(bop, t, rhs, x));
      }
    }
    if ((Node.isPostfixUnaryExpression(x) || Node.isPrefixUnaryExpression(x)) && [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken].includes(x.getOperatorToken())) {
      const target = this.exprs.lvalue(x.getOperand(), flow);
      const ty = exprTy(target);
      if (ty.k !== "int") fail(x, Codes.WidthMismatch, "++ and -- need an integer");
      const one: Expr = { e: "int", ty, value: 1n };
      return this.assignOnce(line, target, one, true, flow, (t) => this.exprs.arith(x.getOperatorToken() === SyntaxKind.PlusPlusToken ? "+" : "-", t, one, x));
    }
    if (Node.isCallExpression(x)) return { line, s: "expr", x: this.exprs.call(x, flow) };
    fail(x, Codes.Unsupported, "this expression does nothing as a statement");
  }

  /**
   * An assignment evaluated as TypeScript does: the target's object and index once and
   * first, then the right-hand side, then the store (a compound assignment reads the old
   * value before the right-hand side runs). Parts of the target that a later evaluation
   * could repeat or change go into temporaries first.
   */
  private assignOnce(line: number, target: Expr, rhs: Expr, compound: boolean, flow: Flow, value: (target: Expr) => Expr): Stmt {
    const pre: Stmt[] = [];
    const effectfulRhs = !isPureExpr(rhs);
    const hoist = (part: Expr): Expr => {
      if (isStableExpr(part) || (!effectfulRhs && (!compound || isPureExpr(part)))) return part;
      const name = `keel_target${flow.nextTemp()}`;
      const ty = exprTy(part);
      pre.push({ line, s: "let", name, ty, init: part });
      return { e: "local", name, ty };
    };
    let t = target;
    if (target.e === "field") t = { ...target, x: hoist(target.x) };
    else if (target.e === "index") t = { ...target, x: hoist(target.x), i: hoist(target.i) };
    let v = value(t);
    if (t.e === "index" && effectfulRhs) {
      // The bounds check belongs to the store, after the right-hand side (C would be free
      // to check first).
      const name = `keel_value${flow.nextTemp()}`;
      pre.push({ line, s: "let", name, ty: exprTy(v), init: v });
      v = { e: "local", name, ty: exprTy(v) };
    }
    const store: Stmt = { line, s: "assign", target: t, value: v };
    return pre.length ? { line, s: "block", body: [...pre, store] } : store;
  }

  /**
   * `switch` over integers: an if/else chain on a temporary. Cases with no statements share
   * the next body; each body must end in break, return or a panic (TypeScript's
   * noFallthroughCasesInSwitch), and the trailing break is dropped.
   */
  private switchStmt(st: Node, flow: Flow): Stmt[] {
    if (!Node.isSwitchStatement(st)) fail(st, Codes.Unsupported, "expected switch");
    const line = lineOf(st);
    const disc = this.exprs.expr(st.getExpression(), flow);
    const ty = exprTy(disc);
    if (ty.k !== "int") fail(st.getExpression(), Codes.Unsupported, "switch works on integers");
    const name = `keel_switch${flow.nextTemp()}`;
    const value: Expr = { e: "local", name, ty };
    let labels: Expr[] = [];
    let defaultBody: Stmt[] | null = null;
    const arms: { c: Expr; body: Stmt[] }[] = [];
    for (const clause of st.getClauses()) {
      const stmts = clause.getStatements();
      const isDefault = Node.isDefaultClause(clause);
      if (Node.isCaseClause(clause)) labels.push({ e: "cmp", op: "==", l: value, r: this.exprs.expr(clause.getExpression(), flow, ty) });
      if (stmts.length === 0 && !isDefault) continue;
      // The break that ends a case (directly or as the last statement of its block) leaves the switch.
      const last = stmts[stmts.length - 1];
      const finalBreak = last && Node.isBreakStatement(last) ? last : last && Node.isBlock(last) ? last.getStatements().at(-1) : undefined;
      if (finalBreak && Node.isBreakStatement(finalBreak)) flow.switchBreaks.add(finalBreak);
      for (const k of stmts) {
        const check = (d: Node): void => {
          // `break label` leaves a labelled statement, not the switch: it may stand anywhere.
          if (Node.isBreakStatement(d) && !d.getLabel() && !flow.switchBreaks.has(d)) fail(d, Codes.Unsupported, "break inside a case is only supported as its last statement");
        };
        check(k);
        k.forEachDescendant((d, t) => {
          if (Node.isIterationStatement(d) || Node.isSwitchStatement(d)) t.skip();
          else check(d);
        });
      }
      const body = flow.inScope(false, () => stmts.flatMap((k) => this.prog.guard(() => this.stmt(k, flow), [] as Stmt[])));
      if (isDefault) {
        // A default sharing labels with cases before it takes them all (they lead to it too).
        defaultBody = body;
        labels = [];
        continue;
      }
      const c = labels.reduce((acc: Expr | null, l): Expr => (acc ? { e: "logic", op: "||", l: acc, r: l } : l), null);
      if (c) arms.push({ c, body });
      labels = [];
    }
    let chain: Stmt[] | null = defaultBody;
    for (const arm of arms.reverse()) chain = [{ line, s: "if", c: arm.c, then: arm.body, else: chain }];
    return [{ line, s: "block", body: [{ line, s: "let", name, ty, init: disc }, ...(chain ?? [])] }];
  }
}

/** The `@cold` or `@inline` tag of `decl`'s doc comment (a hint for the C backend only: it never changes what the function does); a function with both is rejected. */
function inliningHint(decl: FunctionDeclaration | MethodDeclaration | GetAccessorDeclaration): "cold" | "inline" | null {
  const tags = new Set(decl.getJsDocs().flatMap((doc) => doc.getTags().map((tag) => tag.getTagName())));
  if (tags.has("cold") && tags.has("inline")) fail(decl, Codes.Unsupported, "a function is either @cold or @inline, not both: keep one tag");
  return tags.has("cold") ? "cold" : tags.has("inline") ? "inline" : null;
}
