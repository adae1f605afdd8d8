// Phases 3 and 4, types and lower: from the checked TypeScript AST to the typed IR.
// Widths come from annotations and are inferred through expressions; every rule that needs
// types (no width mixing, literal ranges, where templates may stand) is enforced here.
// This file lowers modules, functions, statements and expressions; classes are lowered in
// lower_classes.ts, and the state and typing both share live in lower_base.ts.
import {
  Node,
  SyntaxKind,
  type ClassDeclaration,
  type Block,
  type CallExpression,
  type Expression,
  type FunctionDeclaration,
  type TypeNode,
  type SourceFile,
  type Statement,
  type VariableDeclaration,
} from "ts-morph";
import { builtinOf, isHostOnlyFile, kernelRelative } from "./builtins";
import { CompileError, Codes, diagnosticAt, fail, locationOf, displayPath, type Diagnostic } from "./diagnostics";
import { exprTy, isPureExpr, isStableExpr, type BinOp, type CmpOp, type Expr, type FmtPiece, type Func, type Global, type IntKind, type Module, type Program, type Stmt, type Ty } from "./ir";
import { globalCName, localCName, moduleId } from "./names";
import { intInfo, mapTypeNode, sameTy, showTy, T } from "./types";
import { findMember, instances, mangle, type Env } from "./classes";
import { isCallSiteParam, isModuleLevel, isNullLiteral, isSuperCall, lineOf, parseIntLiteral, resolveDecl, type Context, type Scope } from "./lower_base";
import { ClassLowering } from "./lower_classes";
import { checkInitOrder, initializationOrder } from "./init_order";


const ARITH: Partial<Record<SyntaxKind, BinOp>> = {
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
const COMPOUND: Partial<Record<SyntaxKind, BinOp>> = {
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
const COMPARE: Partial<Record<SyntaxKind, CmpOp>> = {
  [SyntaxKind.EqualsEqualsEqualsToken]: "==",
  [SyntaxKind.EqualsEqualsToken]: "==",
  [SyntaxKind.ExclamationEqualsEqualsToken]: "!=",
  [SyntaxKind.ExclamationEqualsToken]: "!=",
  [SyntaxKind.LessThanToken]: "<",
  [SyntaxKind.LessThanEqualsToken]: "<=",
  [SyntaxKind.GreaterThanToken]: ">",
  [SyntaxKind.GreaterThanEqualsToken]: ">=",
};

/** The value `v` takes in `kind` when arithmetic wraps (two's complement). */
function wrapTo(v: bigint, kind: IntKind): bigint {
  const { bits, signed } = intInfo(kind);
  return signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

/**
 * The value of an integer expression made of literals, folded constants (`consts`, by C
 * name) and operators, or null when it is not one or an operation would fail at run time
 * (overflow, division by zero, a shift out of range): that is left to run time, where it
 * panics as written.
 */
function foldInt(x: Expr, consts: Map<string, bigint>): bigint | null {
  switch (x.e) {
    case "int":
      return x.value;
    case "global":
      return consts.get(x.cname) ?? null;
    case "conv": {
      const v = foldInt(x.x, consts);
      if (v === null) return null;
      const { min, max } = intInfo(x.ty.kind);
      if (v >= min && v <= max) return v;
      return x.checked ? null : wrapTo(v, x.ty.kind);
    }
    case "bitnot": {
      const v = foldInt(x.x, consts);
      return v === null ? null : wrapTo(~v, x.ty.kind);
    }
    case "bin": {
      const l = foldInt(x.l, consts);
      const r = foldInt(x.r, consts);
      if (l === null || r === null) return null;
      const { bits, min, max } = intInfo(x.ty.kind);
      let v: bigint;
      switch (x.op) {
        case "+": v = l + r; break;
        case "-": v = l - r; break;
        case "*": v = l * r; break;
        case "/": if (r === 0n) return null; v = l / r; break;
        case "%": if (r === 0n) return null; v = l % r; break;
        case "<<": if (r < 0n || r >= BigInt(bits) || l < 0n) return null; v = l << r; break;
        case ">>": if (r < 0n || r >= BigInt(bits) || l < 0n) return null; v = l >> r; break;
        case "&": v = l & r; break;
        case "|": v = l | r; break;
        case "^": v = l ^ r; break;
      }
      if (v >= min && v <= max) return v;
      return x.wrapping ? wrapTo(v, x.ty.kind) : null;
    }
    default:
      return null;
  }
}

/** Lowers a loaded program to IR, collecting diagnostics. */
export class Lowering extends ClassLowering {
  /** Values of the integer constants folded so far, by C name (modules lower in dependency order). */
  private readonly constValues = new Map<string, bigint>();

  /** Lowers every compiled module reachable from the entry; null when there were errors. */
  lowerProgram(entry: SourceFile, files: SourceFile[]): Program | null {
    const order = initializationOrder(entry, files).filter((sf) => !isHostOnlyFile(sf));
    this.diagnostics.push(...checkInitOrder(order));
    const modules = order.map((sf) => this.lowerModule(sf));
    // Methods are instantiated per concrete class; each may reach more.
    while (this.queue.length > 0) this.guard(this.queue.shift()!, undefined);
    order.forEach((sf, i) => modules[i]!.funcs.push(...(this.classFuncs.get(sf) ?? [])));
    const main = entry.getFunction("kernelMain");
    if (!main || !main.isExported()) {
      this.diagnostics.push(diagnosticAt(entry, Codes.MissingEntry, "the entry module must export `function kernelMain(bootInfo: u64): void`"));
      return null;
    }
    const lib = files.find((f) => kernelRelative(f) === "lib/panic.ts");
    const con = files.find((f) => kernelRelative(f) === "lib/console.ts");
    if (!lib || !con) {
      this.diagnostics.push(diagnosticAt(entry, Codes.MissingEntry, "the program must import kernel/lib/panic.ts and kernel/lib/console.ts (panics and printing need them)"));
      return null;
    }
    if (this.diagnostics.length > 0) return null;
    return {
      modules,
      structs: [...this.structs.values()],
      entry: { cname: globalCName(entry, "kernelMain"), takesBootInfo: main.getParameters().length === 1 },
      support: { panicStop: globalCName(lib, "panicStop"), writeByte: globalCName(con, "writeByte") },
    };
  }

  private lowerModule(sf: SourceFile): Module {
    const mod: Module = { id: moduleId(sf), file: displayPath(sf), funcs: [], globals: [], init: [] };
    for (const st of sf.getStatements()) {
      this.guard(() => this.lowerTopLevel(st, mod), undefined);
    }
    return mod;
  }

  private lowerTopLevel(st: Statement, mod: Module): void {
    if (Node.isImportDeclaration(st) || Node.isTypeAliasDeclaration(st) || Node.isInterfaceDeclaration(st)) return;
    // A re-export only names declarations of another module, which that module compiles.
    if (Node.isExportDeclaration(st) && st.hasModuleSpecifier()) return;
    if (Node.isFunctionDeclaration(st)) {
      const name = st.getName();
      if (!name) fail(st, Codes.Unsupported, "functions need a name");
      if (builtinOf(st, name)) return;
      if (st.hasDeclareKeyword()) fail(st, Codes.Unsupported, "declared functions exist only in kernel/lib/intrinsics.ts");
      if (st.getTypeParameters().length > 0) return; // monomorphized per call
      if (st.getOverloads().length > 0) fail(st, Codes.Unsupported, "overloads are not supported in kernel code");
      mod.funcs.push(this.lowerFunction(st, name));
      return;
    }
    if (Node.isVariableStatement(st)) {
      for (const d of st.getDeclarations()) this.guard(() => mod.globals.push(this.lowerGlobal(d)), undefined);
      return;
    }
    if (Node.isClassDeclaration(st)) {
      // Abstract classes are compiled into each concrete subclass, generic ones per instance.
      if (!st.isAbstract() && st.getTypeParameters().length === 0) this.classInfo(st);
      return;
    }
    if (Node.isEnumDeclaration(st)) {
      for (const m of st.getMembers()) if (typeof m.getValue() !== "number") fail(m, Codes.Unsupported, "enum members must be integers");
      return;
    }
    fail(st, Codes.Unsupported, `${st.getKindName()} is not supported at module level in this compiler slice`);
  }

  private lowerGlobal(d: VariableDeclaration): Global {
    const ty = this.typeOfDecl(d);
    const initNode = d.getInitializer();
    const isConst = d.getVariableStatement()?.getDeclarationKind() === "const";
    let init = initNode ? this.coerce(this.expr(initNode, ty), ty, initNode) : null;
    // An integer constant computed from literals and other constants (`1n << 52n`,
    // `A | B`) is folded to its value, so the C has a `static const` that gcc folds into
    // every use instead of a global read at each use and set by the module's init.
    if (isConst && init !== null && ty.k === "int") {
      const value = foldInt(init, this.constValues);
      if (value !== null) {
        init = { e: "int", ty, value };
        this.constValues.set(globalCName(d.getSourceFile(), d.getName()), value);
      }
    }
    const constInit = init === null || init.e === "int" || init.e === "bool" || init.e === "str" || init.e === "null" || init.e === "fnref";
    return { cname: globalCName(d.getSourceFile(), d.getName()), tsName: d.getName(), ty, init, constInit, isConst, file: displayPath(d.getSourceFile()), line: lineOf(d) };
  }

  private lowerFunction(fn: FunctionDeclaration, name: string): Func {
    const { params, ret } = this.signature(fn);
    const body = fn.getBody();
    if (!body || !Node.isBlock(body)) fail(fn, Codes.Unsupported, "functions need a body");
    this.ctx = { env: new Map(), self: null, selfPtr: false, fmtMode: false, ret, locals: new Map() };
    return {
      cname: globalCName(fn.getSourceFile(), name),
      tsName: name,
      params: fn.getParameters().map((p, i) => ({ name: localCName(p.getName()), ty: params[i]! })),
      ret,
      body: this.block(body),
      exported: fn.isExported(),
      file: displayPath(fn.getSourceFile()),
      line: lineOf(fn),
    };
  }

  protected block(b: Block, loop = false): Stmt[] {
    const out: Stmt[] = [];
    this.scopes.push(this.newScope(loop));
    try {
      for (const st of b.getStatements()) this.guard(() => out.push(...this.stmt(st)), undefined);
      // Leaving the block normally disposes its `using` locals, last declared first.
      out.push(...this.disposals(this.scopes.length - 1, lineOf(b.getLastChildOrThrow())));
    } finally {
      this.scopes.pop();
    }
    return out;
  }

  /** A branch of an if: its own (non-loop) scope. */
  private branch(st: Statement): Stmt[] {
    return this.body(st, false);
  }

  /** A loop body: its own scope, which break and continue leave. */
  protected body(st: Statement, loop = true): Stmt[] {
    if (Node.isBlock(st)) return this.block(st, loop);
    this.scopes.push(this.newScope(loop));
    try {
      return this.guard(() => this.stmt(st), []);
    } finally {
      this.scopes.pop();
    }
  }

  /** Dispose calls for the `using` locals of scopes[from..], innermost first. */
  private disposals(from: number, line: number): Stmt[] {
    const out: Stmt[] = [];
    for (let i = this.scopes.length - 1; i >= from; i--) {
      for (const u of [...this.scopes[i]!.usings].reverse()) out.push({ line, s: "expr", x: { e: "call", cname: u.dispose, args: [u.x], ty: T.void } });
    }
    return out;
  }

  /** A scope; the body of a labelled loop or block takes its label (the first scope opened after it is set). */
  private newScope(loop: boolean): Scope {
    const label = this.pendingLabel;
    this.pendingLabel = null;
    return { usings: [], loop, ...(label ? { label } : {}) };
  }

  /** `label: stmt`: a labelled loop or block, the target of `break label` / `continue label`. */
  private labelled(st: Statement): Stmt[] {
    if (!Node.isLabeledStatement(st)) fail(st, Codes.Unsupported, "expected a labelled statement");
    const inner = st.getStatement();
    const label = { ts: st.getLabel().getText(), ir: `${st.getLabel().getText()}_${++this.tempCounter}` };
    if (!Node.isBlock(inner) && !Node.isIterationStatement(inner)) fail(st, Codes.Unsupported, "only loops and blocks can be labelled in kernel code");
    this.pendingLabel = label;
    const out = this.stmt(inner);
    this.pendingLabel = null;
    // The label goes on what break/continue leave: the block or the loop (a for…of lowers to
    // a block around its counted loop).
    const first = out[0];
    const target = first?.s === "block" && Node.isForOfStatement(inner) ? first.body.find((x) => x.s === "for") : first;
    if (!target || (target.s !== "block" && target.s !== "for" && target.s !== "while" && target.s !== "dowhile")) throw new Error("a labelled statement lowered to no loop or block");
    target.label = label.ir;
    return out;
  }

  /** The scope a `break label` / `continue label` leaves (the labelled statement's body). */
  private labelScope(st: Node, name: string): number {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.label?.ts === name) return i;
    fail(st, Codes.Unsupported, `no enclosing statement labelled '${name}'`);
  }

  /** Index of the innermost loop scope (break and continue dispose up to it). */
  private loopScope(): number {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.loop) return i;
    return 0;
  }

  private stmt(st: Statement): Stmt[] {
    const line = lineOf(st);
    if (Node.isBlock(st)) return [{ line, s: "block", body: this.block(st) }];
    if (Node.isEmptyStatement(st)) return [];
    if (Node.isVariableStatement(st)) {
      return st.getDeclarations().map((d) => this.localDecl(d));
    }
    if (Node.isExpressionStatement(st) && !isSuperCall(st.getExpression())) return [this.exprStmt(st.getExpression())];
    if (Node.isIfStatement(st)) {
      const els = st.getElseStatement();
      return [{ line, s: "if", c: this.cond(st.getExpression()), then: this.branch(st.getThenStatement()), else: els ? this.branch(els) : null }];
    }
    if (Node.isWhileStatement(st)) return [{ line, s: "while", c: this.cond(st.getExpression()), body: this.body(st.getStatement()) }];
    if (Node.isDoStatement(st)) return [{ line, s: "dowhile", c: this.cond(st.getExpression()), body: this.body(st.getStatement()) }];
    if (Node.isForStatement(st)) {
      const init = st.getInitializer();
      const initStmts: Stmt[] = !init ? [] : Node.isVariableDeclarationList(init) ? init.getDeclarations().map((d) => this.localDecl(d)) : [this.exprStmt(init)];
      const c = st.getCondition();
      const inc = st.getIncrementor();
      return [{ line, s: "for", init: initStmts, c: c ? this.cond(c) : null, step: inc ? [this.exprStmt(inc)] : [], body: this.body(st.getStatement()) }];
    }
    if (Node.isForOfStatement(st)) return [this.forOf(st)];
    if (Node.isSwitchStatement(st)) return this.switchStmt(st);
    if (Node.isExpressionStatement(st)) {
      const call = st.getExpression();
      if (Node.isCallExpression(call) && call.getExpression().getKind() === SyntaxKind.SuperKeyword) return this.superCall(call);
    }
    if (Node.isLabeledStatement(st)) return this.labelled(st);
    if (Node.isBreakStatement(st)) {
      if (this.switchBreaks.has(st)) return this.disposals(this.scopes.length - 1, line);
      const label = st.getLabel();
      if (label) {
        const scope = this.labelScope(st, label.getText());
        return [...this.disposals(scope, line), { line, s: "break", label: this.scopes[scope]!.label!.ir }];
      }
      return [...this.disposals(this.loopScope(), line), { line, s: "break" }];
    }
    if (Node.isContinueStatement(st)) {
      const label = st.getLabel();
      if (label) {
        const scope = this.labelScope(st, label.getText());
        if (!this.scopes[scope]!.loop) fail(st, Codes.Unsupported, `'${label.getText()}' labels a block, not a loop: continue needs a loop`);
        return [...this.disposals(scope, line), { line, s: "continue", label: this.scopes[scope]!.label!.ir }];
      }
      return [...this.disposals(this.loopScope(), line), { line, s: "continue" }];
    }
    if (Node.isReturnStatement(st)) {
      const x = st.getExpression();
      const exits = this.disposals(0, line);
      if (!x) return [...exits, { line, s: "return", x: null }];
      const sink = this.sinkStmt(x);
      // A panic never returns; `return print(…)` prints, disposes and returns.
      if (sink) return sink.s === "panic" || (sink.s === "block" && sink.body.at(-1)?.s === "panic") ? [sink] : [sink, ...exits, { line, s: "return", x: null }];
      if (this.ctx.fmtMode) return [{ line, s: "fmt", pieces: this.fmtPieces(x) }, ...exits, { line, s: "return", x: null }];
      const value = this.coerce(this.expr(x, this.currentReturn), this.currentReturn, x);
      // A local or a constant cannot change while the `using` locals are disposed.
      if (exits.length === 0) return [{ line, s: "return", x: value }];
      if (value.e === "local" || value.e === "int" || value.e === "bool" || value.e === "null") return [...exits, { line, s: "return", x: value }];
      // The value is computed before the `using` locals are disposed, as in JavaScript.
      const name = `keel_result${++this.tempCounter}`;
      const ty = exprTy(value);
      if (ty.k === "void" || ty.k === "never") return [{ line, s: "expr", x: value }, ...exits, { line, s: "return", x: null }];
      return [{ line, s: "let", name, ty, init: value }, ...exits, { line, s: "return", x: { e: "local", name, ty } }];
    }
    fail(st, Codes.Unsupported, `${st.getKindName()} is not supported in kernel code`);
  }

  private localDecl(d: VariableDeclaration): Stmt {
    const list = d.getVariableStatement()?.getDeclarationList() ?? d.getParent();
    const kind = Node.isVariableDeclarationList(list) ? String(list.getDeclarationKind()) : "const";
    if (kind !== "let" && kind !== "const" && kind !== "using")
      fail(d, Codes.Unsupported, `'${kind}' declarations are not supported in kernel code`);
    if (!Node.isIdentifier(d.getNameNode())) fail(d, Codes.Unsupported, "destructuring is not supported in kernel code");
    const initNode = d.getInitializer();
    const annotated = d.getTypeNode();
    let ty: Ty;
    let init: Expr | null = null;
    if (annotated) {
      ty = mapTypeNode(annotated, this.ctx.env);
      if (initNode) init = this.coerce(this.expr(initNode, ty), ty, initNode);
    } else {
      if (!initNode) fail(d, Codes.MissingAnnotation, `'${d.getName()}' needs a type annotation or an initializer`);
      init = this.expr(initNode);
      ty = exprTy(init);
    }
    if (ty.k === "never" || ty.k === "void") fail(d, Codes.Unsupported, "this expression has no value");
    this.ctx.locals.set(d, ty);
    if (kind === "using") this.registerUsing(d, ty);
    return { line: lineOf(d), s: "let", name: localCName(d.getName()), ty, init };
  }

  /** print/println/panic calls: they become formatting statements, not expressions. */
  private sinkStmt(x: Expression): Stmt | null {
    if (!Node.isCallExpression(x)) return null;
    const callee = x.getExpression();
    if (!Node.isIdentifier(callee)) return null;
    const decl = resolveDecl(callee);
    const b = decl ? builtinOf(decl, declName(decl) ?? callee.getText()) : null;
    if (!b || (b.b !== "print" && b.b !== "panic")) return null;
    const arg = x.getArguments()[0];
    if (!arg || x.getArguments().length !== 1) fail(x, Codes.Unsupported, `${callee.getText()} takes exactly one string argument`);
    const line = lineOf(x);
    const { pieces, pre } = this.hoisted(this.fmtPieces(arg as Expression), line);
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
  private hoisted(pieces: FmtPiece[], line: number): { pieces: FmtPiece[]; pre: Stmt[] } {
    const pre: Stmt[] = [];
    // Locals and constants cannot change while other substitutions run; anything else is hoisted.
    const simple = (x: Expr) => x.e === "local" || x.e === "int" || x.e === "str" || x.e === "bool" || x.e === "self";
    const out = pieces.map((piece): FmtPiece => {
      if (piece.p === "str" || simple(piece.x)) return piece;
      const name = `keel_arg${++this.tempCounter}`;
      const ty = exprTy(piece.x);
      pre.push({ line, s: "let", name, ty, init: piece.x });
      return { ...piece, x: { e: "local", name, ty } };
    });
    return { pieces: out, pre };
  }

  private fmtPieces(arg: Expression): FmtPiece[] {
    if (Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg)) return [{ p: "str", value: arg.getLiteralValue() }];
    if (Node.isTemplateExpression(arg)) {
      const pieces: FmtPiece[] = [];
      const head = arg.getHead().getLiteralText();
      if (head) pieces.push({ p: "str", value: head });
      for (const span of arg.getTemplateSpans()) {
        pieces.push(this.fmtValue(span.getExpression()));
        const lit = span.getLiteral().getLiteralText();
        if (lit) pieces.push({ p: "str", value: lit });
      }
      return pieces;
    }
    const x = this.expr(arg, T.string);
    if (exprTy(x).k !== "string") fail(arg, Codes.WidthMismatch, "expected a string");
    return [{ p: "strval", x }];
  }

  private fmtValue(e: Expression): FmtPiece {
    if (Node.isCallExpression(e) && Node.isIdentifier(e.getExpression())) {
      const decl = resolveDecl(e.getExpression());
      const b = decl ? builtinOf(decl, declName(decl) ?? e.getExpression().getText()) : null;
      if (b?.b === "hex") {
        const x = this.expr(e.getArguments()[0] as Expression);
        const hx = exprTy(x);
        if (hx.k !== "int") fail(e, Codes.WidthMismatch, "hex() formats integers");
        return { p: "hex", x };
      }
    }
    const x = this.expr(e);
    const ty = exprTy(x);
    if (ty.k === "int") return { p: "dec", x };
    if (ty.k === "bool") return { p: "bool", x };
    if (ty.k === "string") return { p: "strval", x };
    if (ty.k === "struct") {
      const info = this.classInfoByCName(ty.cname);
      const m = info ? findMember(info, "toString") : null;
      if (!info || !m || m.m !== "method") fail(e, Codes.Unsupported, `${showTy(ty)} has no toString() to format it with`);
      return { p: "obj", x: this.receiver(info, x, e), fn: this.methodFunc(info, m, "fmt") };
    }
    fail(e, Codes.Unsupported, `a value of type ${showTy(ty)} cannot be formatted${ty.k === "opt" ? " (check it for null first)" : ""}`);
  }

  private exprStmt(x: Expression): Stmt {
    const line = lineOf(x);
    const sink = this.sinkStmt(x);
    if (sink) return sink;
    if (Node.isBinaryExpression(x)) {
      const op = x.getOperatorToken().getKind();
      if (op === SyntaxKind.EqualsToken) {
        const target = this.lvalue(x.getLeft());
        const rhs = x.getRight();
        const value = this.coerce(this.expr(rhs, exprTy(target)), exprTy(target), rhs);
        return this.assignOnce(line, target, value, false, () => value);
      }
      const bop = COMPOUND[op];
      if (bop) {
        const target = this.lvalue(x.getLeft());
        const rhs = this.expr(x.getRight(), exprTy(target));
        return this.assignOnce(line, target, rhs, true, (t) => this.arith(bop, t, rhs, x));
      }
    }
    if ((Node.isPostfixUnaryExpression(x) || Node.isPrefixUnaryExpression(x)) && [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken].includes(x.getOperatorToken())) {
      const target = this.lvalue(x.getOperand());
      const ty = exprTy(target);
      if (ty.k !== "int") fail(x, Codes.WidthMismatch, "++ and -- need an integer");
      const one: Expr = { e: "int", ty, value: 1n };
      return this.assignOnce(line, target, one, true, (t) => this.arith(x.getOperatorToken() === SyntaxKind.PlusPlusToken ? "+" : "-", t, one, x));
    }
    if (Node.isCallExpression(x)) return { line, s: "expr", x: this.call(x) };
    fail(x, Codes.Unsupported, "this expression does nothing as a statement");
  }

  /**
   * An assignment evaluated as TypeScript does: the target's object and index once and
   * first, then the right-hand side, then the store (a compound assignment reads the old
   * value before the right-hand side runs). Parts of the target that a later evaluation
   * could repeat or change go into temporaries first.
   */
  private assignOnce(line: number, target: Expr, rhs: Expr, compound: boolean, value: (target: Expr) => Expr): Stmt {
    const pre: Stmt[] = [];
    const effectfulRhs = !isPureExpr(rhs);
    const hoist = (part: Expr): Expr => {
      if (isStableExpr(part) || (!effectfulRhs && (!compound || isPureExpr(part)))) return part;
      const name = `keel_target${++this.tempCounter}`;
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
      const name = `keel_value${++this.tempCounter}`;
      pre.push({ line, s: "let", name, ty: exprTy(v), init: v });
      v = { e: "local", name, ty: exprTy(v) };
    }
    const store: Stmt = { line, s: "assign", target: t, value: v };
    return pre.length ? { line, s: "block", body: [...pre, store] } : store;
  }

  private lvalue(e: Expression): Expr {
    if (Node.isElementAccessExpression(e)) return this.index(e);
    if (Node.isPropertyAccessExpression(e)) {
      const target = this.expr(e);
      if (target.e !== "field" || !target.ptr) fail(e, Codes.ReferenceSemantics, "only fields of `this` in a constructor or of a mutable object can be assigned (value objects are immutable)");
      return target;
    }
    if (!Node.isIdentifier(e)) fail(e, Codes.Unsupported, "only variables and fields can be assigned");
    const decl = resolveDecl(e);
    if (!decl || !(Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl))) fail(e, Codes.Unsupported, "only variables can be assigned");
    return this.identifier(e);
  }

  private cond(e: Expression): Expr {
    const x = this.expr(e, T.bool);
    if (exprTy(x).k !== "bool") fail(e, Codes.WidthMismatch, `a condition must be bool, not ${showTy(exprTy(x))} (compare explicitly, e.g. x != 0)`);
    return x;
  }

  // ---- expressions ------------------------------------------------------------------

  /** Lowers an expression; `expected` types literals and null. */
  expr(e: Expression, expected?: Ty): Expr {
    try {
      return this.exprAt(e, expected);
    } catch (err) {
      // An error found in a declaration outside the program (TypeScript's own library:
      // Math, Number, NaN…) is reported at the use, where the user can act on it.
      if (err instanceof CompileError && isLibraryFile(err.diagnostic.file)) throw new CompileError(diagnosticAt(e, err.diagnostic.code, libraryMessage(e, err.diagnostic.message)));
      throw err;
    }
  }

  private exprAt(e: Expression, expected?: Ty): Expr {
    if (Node.isParenthesizedExpression(e)) return this.expr(e.getExpression(), expected);
    if (Node.isNumericLiteral(e) || Node.isBigIntLiteral(e)) return this.literal(e, parseIntLiteral(e.getText()), expected);
    if (e.getKind() === SyntaxKind.TrueKeyword) return { e: "bool", value: true };
    if (e.getKind() === SyntaxKind.FalseKeyword) return { e: "bool", value: false };
    if (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e)) return { e: "str", value: e.getLiteralValue() };
    if (Node.isTemplateExpression(e)) fail(e, Codes.TemplateOutsideSink, "template literals can only be passed directly to print, println or panic (there is no heap to build strings)");
    if (isNullLiteral(e)) {
      if (!expected) fail(e, Codes.UntypedLiteral, "null needs a known type here");
      return { e: "null", ty: expected };
    }
    if (Node.isIdentifier(e)) return this.identifier(e);
    if (e.getKind() === SyntaxKind.ThisKeyword) return this.self(e);
    if (Node.isNewExpression(e)) return this.isNewArray(e) ? this.newArray(e, null) : this.newExpr(e, expected);
    if (Node.isElementAccessExpression(e)) return this.narrowed(e, this.index(e)); // `if (a[0] !== null) a[0].m()`
    if (Node.isPropertyAccessExpression(e)) return this.property(e);
    if (Node.isPrefixUnaryExpression(e)) return this.prefix(e, expected);
    if (Node.isBinaryExpression(e)) return this.binary(e, expected);
    if (Node.isCallExpression(e)) return this.call(e, expected);
    if (Node.isConditionalExpression(e)) {
      const c = this.cond(e.getCondition());
      const [a, b] = this.unify(e.getWhenTrue(), e.getWhenFalse(), expected, e);
      return { e: "cond", c, a, b, ty: exprTy(a) };
    }
    if (Node.isAsExpression(e) || Node.isTypeAssertion(e)) fail(e, Codes.Unsupported, "type assertions are not allowed in kernel code: convert with u64(x), u32(x), …");
    if (Node.isNonNullExpression(e)) fail(e, Codes.Unsupported, "non-null assertions are not allowed in kernel code: narrow with `if (x !== null)`");
    if (Node.isPropertyAccessExpression(e)) fail(e, Codes.UnknownMember, `property '${e.getName()}' is not supported in this compiler slice`);
    fail(e, Codes.Unsupported, `${e.getKindName()} is not supported in kernel code`);
  }

  private literal(e: Node, value: bigint, expected?: Ty): Expr {
    if (!expected || expected.k !== "int") {
      fail(e, Codes.UntypedLiteral, `integer literal ${e.getText()} needs a type: annotate the variable (e.g. \`const x: u32 = ${e.getText()}\`)`);
    }
    const info = intInfo(expected.kind);
    if (value < info.min || value > info.max) fail(e, Codes.LiteralOutOfRange, `${e.getText()} does not fit in ${expected.kind} (${info.min}..${info.max})`);
    return { e: "int", ty: expected, value };
  }

  private identifier(id: Node): Expr {
    if (id.getText() === "undefined") fail(id, Codes.Unsupported, "undefined is not a kernel value: use null");
    const decl = resolveDecl(id);
    if (!decl) fail(id, Codes.UnknownCallee, `cannot resolve '${id.getText()}'`);
    const ty = this.typeOfDecl(decl);
    const name = declName(decl) ?? id.getText();
    if (Node.isFunctionDeclaration(decl)) {
      if (builtinOf(decl, name)) fail(id, Codes.Unsupported, `'${name}' is built in and can only be called directly`);
      return { e: "fnref", cname: globalCName(decl.getSourceFile(), name), ty };
    }
    if (Node.isParameterDeclaration(decl)) return this.narrowed(id, { e: "local", name: localCName(name), ty });
    if (Node.isVariableDeclaration(decl)) {
      if (isModuleLevel(decl)) {
        const g: Expr = { e: "global", cname: globalCName(decl.getSourceFile(), decl.getName()), ty };
        return this.narrowed(id, g);
      }
      return this.narrowed(id, { e: "local", name: localCName(name), ty });
    }
    if (Node.isClassDeclaration(decl)) fail(id, Codes.Unsupported, `class '${name}' is not a value: call a static method or use new`);
    fail(id, Codes.Unsupported, `'${name}' is a ${decl.getKindName()}, which kernel code cannot use as a value`);
  }

  private prefix(e: Node & { getOperatorToken(): SyntaxKind; getOperand(): Expression }, expected?: Ty): Expr {
    const op = e.getOperatorToken();
    const operand = e.getOperand();
    if (op === SyntaxKind.ExclamationToken) return { e: "not", x: this.cond(operand) };
    if (op === SyntaxKind.MinusToken && (Node.isNumericLiteral(operand) || Node.isBigIntLiteral(operand))) return this.literal(e, -parseIntLiteral(operand.getText()), expected);
    if (op === SyntaxKind.MinusToken || op === SyntaxKind.TildeToken) {
      const x = this.expr(operand, expected);
      const ty = exprTy(x);
      if (ty.k !== "int") fail(e, Codes.WidthMismatch, "this operator needs an integer");
      if (op === SyntaxKind.TildeToken) return { e: "bitnot", x, ty };
      if (!intInfo(ty.kind).signed) fail(e, Codes.WidthMismatch, `cannot negate an unsigned ${ty.kind}`);
      return { e: "neg", x, ty, loc: locationOf(e) };
    }
    fail(e, Codes.AssignmentInExpression, "++ and -- can only stand as statements in kernel code");
  }

  /** Lowers two operands that must share one type; a literal takes the other's type. */
  private pair(a: Expression, b: Expression, expected: Ty | undefined, at: Node): [Expr, Expr] {
    const untyped = (n: Expression) => Node.isNumericLiteral(n) || Node.isBigIntLiteral(n) || isNullLiteral(n) || (Node.isPrefixUnaryExpression(n) && (Node.isNumericLiteral(n.getOperand()) || Node.isBigIntLiteral(n.getOperand())));
    let l: Expr;
    let r: Expr;
    if (untyped(a) && !untyped(b)) {
      r = this.expr(b, expected);
      l = this.expr(a, exprTy(r));
    } else {
      l = this.expr(a, expected);
      r = this.expr(b, exprTy(l));
    }
    if (!sameTy(exprTy(l), exprTy(r)))
      fail(at, Codes.WidthMismatch, `operands have different types (${showTy(exprTy(l))} and ${showTy(exprTy(r))}): convert one explicitly, e.g. u64(x)`);
    return [l, r];
  }

  private binary(e: Expression & Node, expected?: Ty): Expr {
    if (!Node.isBinaryExpression(e)) throw new Error("unreachable");
    const op = e.getOperatorToken().getKind();
    const arith = ARITH[op];
    if (arith) {
      const [l, r] = this.pair(e.getLeft(), e.getRight(), expected, e);
      return this.arith(arith, l, r, e);
    }
    const cmp = COMPARE[op];
    if (cmp) {
      // Comparisons give their operands no expected type: each literal takes the other side's.
      const [l, r] = this.pair(e.getLeft(), e.getRight(), undefined, e);
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
      return { e: "logic", op: op === SyntaxKind.AmpersandAmpersandToken ? "&&" : "||", l: this.cond(e.getLeft()), r: this.cond(e.getRight()) };
    if (op === SyntaxKind.EqualsToken || COMPOUND[op]) fail(e, Codes.AssignmentInExpression, "assignments can only stand as statements in kernel code");
    fail(e.getOperatorToken(), Codes.Unsupported, `operator '${e.getOperatorToken().getText()}' is not supported in kernel code`);
  }

  private arith(op: BinOp, l: Expr, r: Expr, at: Node): Expr {
    const ty = exprTy(l);
    if (ty.k !== "int") fail(at, Codes.WidthMismatch, `'${op}' needs integers, not ${showTy(ty)}`);
    return { e: "bin", op, l, r, ty, wrapping: false, loc: locationOf(at) };
  }

  private call(e: CallExpression, expected?: Ty): Expr {
    const callee = e.getExpression();
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === "fill" && this.isNewArray(callee.getExpression())) {
      const args = e.getArguments() as Expression[];
      if (args.length !== 1) fail(e, Codes.Unsupported, "fill takes one value (the whole array is filled)");
      return this.newArray(callee.getExpression(), args[0]!);
    }
    if (Node.isPropertyAccessExpression(callee)) return this.methodCall(e, callee);
    if (!Node.isIdentifier(callee)) fail(callee, Codes.UnknownCallee, "only calls of named functions and methods are supported");
    const decl = resolveDecl(callee);
    if (!decl) fail(callee, Codes.UnknownCallee, `cannot resolve '${callee.getText()}'`);
    // The declaration's own name: an import may rename it (`import { scaled as times1000 }`).
    const name = declName(decl) ?? callee.getText();
    const args = e.getArguments() as Expression[];
    const b = builtinOf(decl, name);
    if (b) return this.builtinCall(b, name, e, args, expected);
    if (Node.isFunctionDeclaration(decl) && decl.getTypeParameters().length > 0) return this.genericCall(e, decl, args, expected);
    if (e.getTypeArguments().length > 0) fail(e, Codes.Unsupported, `'${name}' is not generic`);
    const fty = this.typeOfDecl(decl);
    if (fty.k !== "fn") fail(callee, Codes.UnknownCallee, `'${name}' is not a function`);
    const callSites = Node.isFunctionDeclaration(decl) ? this.signature(decl).callSites : [];
    if (args.length > fty.params.length || (args.length < fty.params.length && !callSites[args.length]))
      fail(e, Codes.Unsupported, `'${name}' takes ${fty.params.length} arguments`);
    const lowered = args.map((a, i) => this.argument(a, fty.params[i]!));
    // Omitted CallSite parameters receive the caller's location (#[track_caller]).
    for (let i = args.length; i < fty.params.length; i++) lowered.push({ e: "str", value: locationOf(e) });
    const target = this.identifier(callee);
    if (target.e === "fnref") return { e: "call", cname: target.cname, args: lowered, ty: fty.ret };
    return { e: "callptr", callee: target, args: lowered, ty: fty.ret };
  }

  /** A call of a generic function: infer or read the type arguments, instantiate, call. */
  private genericCall(e: CallExpression, decl: FunctionDeclaration, args: Expression[], expected?: Ty): Expr {
    const params = decl.getTypeParameters().map((p) => p.getName());
    const env: Env = new Map();
    const explicit = e.getTypeArguments();
    explicit.forEach((t, i) => env.set(params[i]!, mapTypeNode(t, this.ctx.env)));
    const paramNodes = decl.getParameters().map((p) => p.getTypeNodeOrThrow());
    if (args.length !== paramNodes.length) fail(e, Codes.Unsupported, `'${decl.getName()}' takes ${paramNodes.length} arguments`);
    // Infer from arguments whose parameter type is a bare type parameter or an instance of a generic class.
    const lowered: (Expr | null)[] = args.map(() => null);
    const rn = decl.getReturnTypeNode();
    const unify = (node: TypeNode, ty: Ty): void => {
      // `T[]` and `T | null` (e.g. take's `(T | null)[]`) infer T from the element and the value.
      if (Node.isParenthesizedTypeNode(node)) return unify(node.getTypeNode(), ty);
      if (Node.isArrayTypeNode(node) && ty.k === "array") return unify(node.getElementTypeNode(), ty.elem);
      if (Node.isUnionTypeNode(node) && ty.k === "opt") {
        const parts = node.getTypeNodes().filter((t) => t.getText() !== "null");
        if (parts.length === 1) unify(parts[0]!, ty.inner);
        return;
      }
      if (!Node.isTypeReference(node)) return;
      const name = node.getTypeName().getText();
      if (params.includes(name)) {
        if (!env.has(name)) env.set(name, ty.k === "opt" && Node.isUnionTypeNode(node) ? ty.inner : ty);
        return;
      }
      const inst = ty.k === "struct" ? instances.get(ty.cname) : undefined;
      if (inst) node.getTypeArguments().forEach((a, i) => inst.args[i] && unify(a, inst.args[i]!));
    };
    if (rn && expected) unify(rn, expected);
    args.forEach((a, i) => {
      if (params.every((p) => env.has(p))) return;
      const x = this.expr(a);
      lowered[i] = x;
      unify(paramNodes[i]!, exprTy(x));
    });
    const missing = params.filter((p) => !env.has(p));
    if (missing.length) fail(e, Codes.Unsupported, `cannot infer ${missing.join(", ")}: give the type arguments explicitly`);
    const { params: ptys, ret } = this.signature(decl, env);
    const cname = `${globalCName(decl.getSourceFile(), decl.getName()!)}_${params.map((p) => mangle(env.get(p)!)).join("_")}`;
    if (!this.instantiated.has(cname)) {
      this.instantiated.add(cname);
      const sf = decl.getSourceFile();
      this.queue.push(() => {
        const body = decl.getBody();
        if (!body || !Node.isBlock(body)) fail(decl, Codes.Unsupported, "functions need a body");
        const ctx: Context = { env, self: null, selfPtr: false, fmtMode: false, ret, locals: new Map() };
        const func = this.withContext(ctx, (): Func => ({
          cname,
          tsName: decl.getName()!,
          params: decl.getParameters().map((p, i) => ({ name: localCName(p.getName()), ty: ptys[i]! })),
          ret,
          body: this.block(body),
          exported: decl.isExported(),
          file: displayPath(sf),
          line: lineOf(decl),
        }));
        const list = this.classFuncs.get(sf) ?? [];
        list.push(func);
        this.classFuncs.set(sf, list);
      });
    }
    const final = args.map((a, i) => (lowered[i] ? this.coerce(lowered[i]!, ptys[i]!, a) : this.argument(a, ptys[i]!)));
    return { e: "call", cname, args: final, ty: ret };
  }

  private builtinCall(b: NonNullable<ReturnType<typeof builtinOf>>, name: string, e: CallExpression, args: Expression[], expected?: Ty): Expr {
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
        const x = this.expr(a);
        const from = exprTy(x);
        if (from.k !== "int") fail(a, Codes.WidthMismatch, `${name}() converts integers, not ${showTy(from)}`);
        const fi = intInfo(from.kind);
        const ti = intInfo(b.to);
        const fits = fi.min >= ti.min && fi.max <= ti.max;
        return { e: "conv", x, ty: to, checked: b.checked && !fits, loc: locationOf(e) };
      }
      case "wrapping": {
        if (args.length !== 2) fail(e, Codes.Unsupported, `${name} takes two arguments`);
        const [l, r] = this.pair(args[0]!, args[1]!, expected, e);
        const ty = exprTy(l);
        if (ty.k !== "int") fail(e, Codes.WidthMismatch, `${name} needs integers`);
        return { e: "bin", op: b.op, l, r, ty, wrapping: true, loc: locationOf(e) };
      }
      case "intrinsic": {
        const decl = resolveDecl(e.getExpression()) as FunctionDeclaration;
        const { params, ret } = this.signature(decl);
        if (args.length !== params.length) fail(e, Codes.Unsupported, `${name} takes ${params.length} arguments`);
        return { e: "intrinsic", name, args: args.map((a, i) => this.argument(a, params[i]!)), ty: ret };
      }
      case "hex":
        fail(e, Codes.TemplateOutsideSink, "hex() can only be used inside a template literal passed to print, println or panic");
      case "print":
      case "panic":
        fail(e, Codes.Unsupported, `${name}() can only be called as a statement`);
    }
  }

  // ---- classes ----------------------------------------------------------------------

  /**
   * `switch` over integers: an if/else chain on a temporary. Cases with no statements share
   * the next body; each body must end in break, return or a panic (TypeScript's
   * noFallthroughCasesInSwitch), and the trailing break is dropped.
   */
  private switchStmt(st: Node): Stmt[] {
    if (!Node.isSwitchStatement(st)) fail(st, Codes.Unsupported, "expected switch");
    const line = lineOf(st);
    const disc = this.expr(st.getExpression());
    const ty = exprTy(disc);
    if (ty.k !== "int") fail(st.getExpression(), Codes.Unsupported, "switch works on integers");
    const name = `keel_switch${++this.tempCounter}`;
    const value: Expr = { e: "local", name, ty };
    let labels: Expr[] = [];
    let defaultBody: Stmt[] | null = null;
    const arms: { c: Expr; body: Stmt[] }[] = [];
    for (const clause of st.getClauses()) {
      const stmts = clause.getStatements();
      const isDefault = Node.isDefaultClause(clause);
      if (Node.isCaseClause(clause)) labels.push({ e: "cmp", op: "==", l: value, r: this.expr(clause.getExpression(), ty) });
      if (stmts.length === 0 && !isDefault) continue;
      // The break that ends a case (directly or as the last statement of its block) leaves the switch.
      const last = stmts[stmts.length - 1];
      const finalBreak = last && Node.isBreakStatement(last) ? last : last && Node.isBlock(last) ? last.getStatements().at(-1) : undefined;
      if (finalBreak && Node.isBreakStatement(finalBreak)) this.switchBreaks.add(finalBreak);
      const kept = stmts;
      for (const k of kept) {
        const check = (d: Node): void => {
          // `break label` leaves a labelled statement, not the switch: it may stand anywhere.
          if (Node.isBreakStatement(d) && !d.getLabel() && !this.switchBreaks.has(d)) fail(d, Codes.Unsupported, "break inside a case is only supported as its last statement");
        };
        check(k);
        k.forEachDescendant((d, t) => {
          if (Node.isIterationStatement(d) || Node.isSwitchStatement(d)) t.skip();
          else check(d);
        });
      }
      this.scopes.push({ usings: [], loop: false });
      let body: Stmt[];
      try {
        body = kept.flatMap((k) => this.guard(() => this.stmt(k), [] as Stmt[]));
      } finally {
        this.scopes.pop();
      }
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

  /** The breaks that end switch cases: they lower to nothing (the if chain ends there). */
  private readonly switchBreaks = new Set<Node>();

  private isNewArray(e: Node): boolean {
    return Node.isNewExpression(e) && e.getExpression().getText() === "Array";
  }

  /** `new Array<T>(n).fill(v)`: a fixed-length array (growing it is rejected by the check phase). */
  private newArray(e: Node, fill: Expression | null): Expr {
    if (!Node.isNewExpression(e)) fail(e, Codes.Unsupported, "expected new Array");
    const targs = e.getTypeArguments();
    const args = e.getArguments() as Expression[];
    if (targs.length !== 1 || args.length !== 1) fail(e, Codes.GrowingArray, "arrays are created as `new Array<T>(length).fill(value)` with an explicit element type");
    // JavaScript leaves the slots of `new Array(n)` as holes that read as undefined; C would read zeros.
    if (fill === null) fail(e, Codes.ReferenceSemantics, "fill the new array: `new Array<T>(n).fill(value)` (JavaScript leaves holes that read as undefined, C would read zeros)");
    const elem = mapTypeNode(targs[0]!, this.ctx.env);
    return { e: "newArray", length: this.argument(args[0]!, T.int("u32")), fill: this.argument(fill, elem), ty: { k: "array", elem }, loc: locationOf(e) };
  }

  /** `a[i]`: bounds-checked, with a u32 index. */
  private index(e: Node): Expr {
    if (!Node.isElementAccessExpression(e)) fail(e, Codes.Unsupported, "expected an element access");
    const arr = this.expr(e.getExpression());
    const ty = exprTy(arr);
    if (ty.k !== "array") fail(e, Codes.DynamicAccess, `element access on a ${showTy(ty)}: only arrays can be indexed in kernel code`);
    const i = this.argument(e.getArgumentExpressionOrThrow() as Expression, T.int("u32"));
    return { e: "index", x: arr, i, ty: ty.elem, loc: locationOf(e) };
  }

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

/** The name a function or variable was declared with (imports may use another). */
function declName(decl: Node): string | undefined {
  if (Node.isFunctionDeclaration(decl) || Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl)) return decl.getName();
  return undefined;
}
