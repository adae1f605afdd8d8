// Phases 3 and 4, types and lower: from the checked TypeScript AST to the typed IR.
// Widths come from annotations and are inferred through expressions; every rule that needs
// types (no width mixing, literal ranges, where templates may stand) is enforced here.
import {
  Node,
  SyntaxKind,
  type Block,
  type CallExpression,
  type Expression,
  type FunctionDeclaration,
  type SourceFile,
  type Statement,
  type VariableDeclaration,
} from "ts-morph";
import { builtinOf, isHostOnlyFile, kernelRelative } from "./builtins";
import { CompileError, Codes, diagnosticAt, fail, locationOf, displayPath, type Diagnostic } from "./diagnostics";
import { exprTy, type BinOp, type CmpOp, type Expr, type FmtPiece, type Func, type Global, type Module, type Program, type Stmt, type Ty } from "./ir";
import { globalCName, localCName, moduleId } from "./names";
import { intInfo, mapTypeNode, sameTy, showTy, T } from "./types";

type IntTy = Ty & { k: "int" };

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

/** The declaration an identifier refers to, through imports. */
function resolveDecl(id: Node): Node | undefined {
  let sym = id.getSymbol();
  if (!sym) return undefined;
  if (sym.isAlias()) sym = sym.getAliasedSymbol() ?? sym;
  return sym.getValueDeclaration() ?? sym.getDeclarations()[0];
}

function isModuleLevel(decl: Node): boolean {
  return Node.isSourceFile(decl.getParentOrThrow().getParentOrThrow().getParent() ?? decl);
}

/** `at: CallSite = callSite()`: the one kind of default parameter kernel code may have. */
function isCallSiteParam(p: Node): boolean {
  if (!Node.isParameterDeclaration(p)) return false;
  const init = p.getInitializer();
  return p.getTypeNode()?.getText() === "CallSite" && init !== undefined && init.getText() === "callSite()";
}

function lineOf(node: Node): number {
  return node.getStartLineNumber();
}

function isNullLiteral(node: Node): boolean {
  return node.getKind() === SyntaxKind.NullKeyword;
}

function parseIntLiteral(text: string): bigint {
  return BigInt(text.replace(/_/g, "").replace(/n$/, ""));
}

/** Lowers a loaded program to IR, collecting diagnostics. */
export class Lowering {
  readonly diagnostics: Diagnostic[] = [];
  private readonly declTypes = new Map<Node, Ty>();
  private currentReturn: Ty = T.void;

  /** Lowers every compiled module reachable from the entry; null when there were errors. */
  lowerProgram(entry: SourceFile, files: SourceFile[]): Program | null {
    const modules = this.initOrder(entry, files).filter((sf) => !isHostOnlyFile(sf)).map((sf) => this.lowerModule(sf));
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
      entry: { cname: globalCName(entry, "kernelMain"), takesBootInfo: main.getParameters().length === 1 },
      support: { panicStop: globalCName(lib, "panicStop"), writeByte: globalCName(con, "writeByte") },
    };
  }

  /** Source files in initialisation order: each after the modules it imports. */
  private initOrder(entry: SourceFile, files: SourceFile[]): SourceFile[] {
    const seen = new Set<SourceFile>();
    const order: SourceFile[] = [];
    const visit = (sf: SourceFile): void => {
      if (seen.has(sf)) return;
      seen.add(sf);
      for (const imp of sf.getImportDeclarations()) {
        const target = imp.getModuleSpecifierSourceFile();
        if (target) visit(target);
      }
      order.push(sf);
    };
    visit(entry);
    // Library modules the lowering calls into (panic, console) even when not imported.
    for (const f of files) if (kernelRelative(f)?.startsWith("lib/")) visit(f);
    return order;
  }

  /** Runs `f`, turning a CompileError into a recorded diagnostic. */
  private guard<R>(f: () => R, fallback: R): R {
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

  private lowerModule(sf: SourceFile): Module {
    const mod: Module = { id: moduleId(sf), file: displayPath(sf), funcs: [], globals: [], init: [] };
    for (const st of sf.getStatements()) {
      this.guard(() => this.lowerTopLevel(st, mod), undefined);
    }
    return mod;
  }

  private lowerTopLevel(st: Statement, mod: Module): void {
    if (Node.isImportDeclaration(st) || Node.isTypeAliasDeclaration(st) || Node.isInterfaceDeclaration(st)) return;
    if (Node.isFunctionDeclaration(st)) {
      const name = st.getName();
      if (!name) fail(st, Codes.Unsupported, "functions need a name");
      if (builtinOf(st, name)) return;
      if (st.hasDeclareKeyword()) fail(st, Codes.Unsupported, "declared functions exist only in kernel/lib/intrinsics.ts");
      mod.funcs.push(this.lowerFunction(st, name));
      return;
    }
    if (Node.isVariableStatement(st)) {
      for (const d of st.getDeclarations()) this.guard(() => mod.globals.push(this.lowerGlobal(d)), undefined);
      return;
    }
    fail(st, Codes.Unsupported, `${st.getKindName()} is not supported at module level in this compiler slice`);
  }

  private lowerGlobal(d: VariableDeclaration): Global {
    const ty = this.typeOfDecl(d);
    const initNode = d.getInitializer();
    const init = initNode ? (isNullLiteral(initNode) ? { e: "null" as const, ty } : this.expr(initNode, ty)) : null;
    const constInit = init === null || init.e === "int" || init.e === "bool" || init.e === "str" || init.e === "null" || init.e === "fnref";
    const isConst = d.getVariableStatement()?.getDeclarationKind() === "const";
    return { cname: globalCName(d.getSourceFile(), d.getName()), tsName: d.getName(), ty, init, constInit, isConst, file: displayPath(d.getSourceFile()), line: lineOf(d) };
  }

  private lowerFunction(fn: FunctionDeclaration, name: string): Func {
    const { params, ret } = this.signature(fn);
    const body = fn.getBody();
    if (!body || !Node.isBlock(body)) fail(fn, Codes.Unsupported, "functions need a body");
    this.currentReturn = ret;
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

  private signature(fn: FunctionDeclaration): { params: Ty[]; ret: Ty; callSites: boolean[] } {
    const callSites = fn.getParameters().map(isCallSiteParam);
    const params = fn.getParameters().map((p, i) => {
      const tn = p.getTypeNode();
      if (!tn) fail(p, Codes.MissingAnnotation, `parameter '${p.getName()}' needs a type annotation`);
      if (p.hasQuestionToken() || (p.hasInitializer() && !callSites[i]) || p.isRestParameter())
        fail(p, Codes.Unsupported, "optional, default and rest parameters are not supported in kernel code (except `at: CallSite = callSite()`)");
      return mapTypeNode(tn);
    });
    const rn = fn.getReturnTypeNode();
    const ret = rn ? mapTypeNode(rn) : fn.getReturnType().isVoid() ? T.void : fail(fn, Codes.MissingAnnotation, `function '${fn.getName()}' needs a return type annotation`);
    return { params, ret, callSites };
  }

  /** Keel type of a variable, parameter or function declaration. */
  private typeOfDecl(decl: Node): Ty {
    const cached = this.declTypes.get(decl);
    if (cached) return cached;
    let ty: Ty;
    if (Node.isParameterDeclaration(decl) || Node.isVariableDeclaration(decl)) {
      const tn = decl.getTypeNode();
      if (tn) ty = mapTypeNode(tn);
      else if (Node.isVariableDeclaration(decl) && decl.getInitializer()) ty = this.exprTypeOnly(decl.getInitializerOrThrow());
      else fail(decl, Codes.MissingAnnotation, `'${decl.getText()}' needs a type annotation`);
    } else if (Node.isFunctionDeclaration(decl)) {
      const { params, ret } = this.signature(decl);
      ty = { k: "fn", params, ret, nullable: false };
    } else {
      fail(decl, Codes.Unsupported, `${decl.getKindName()} cannot be used as a value in kernel code`);
    }
    this.declTypes.set(decl, ty);
    return ty;
  }

  /** Type of an expression, for inference of unannotated locals. */
  private exprTypeOnly(e: Expression): Ty {
    const x = this.expr(e);
    return exprTy(x);
  }

  // ---- statements -------------------------------------------------------------------

  private block(b: Block): Stmt[] {
    const out: Stmt[] = [];
    for (const st of b.getStatements()) this.guard(() => out.push(...this.stmt(st)), undefined);
    return out;
  }

  private body(st: Statement): Stmt[] {
    return Node.isBlock(st) ? this.block(st) : this.guard(() => this.stmt(st), []);
  }

  private stmt(st: Statement): Stmt[] {
    const line = lineOf(st);
    if (Node.isBlock(st)) return [{ line, s: "block", body: this.block(st) }];
    if (Node.isEmptyStatement(st)) return [];
    if (Node.isVariableStatement(st)) {
      return st.getDeclarations().map((d) => this.localDecl(d));
    }
    if (Node.isExpressionStatement(st)) return [this.exprStmt(st.getExpression())];
    if (Node.isIfStatement(st)) {
      const els = st.getElseStatement();
      return [{ line, s: "if", c: this.cond(st.getExpression()), then: this.body(st.getThenStatement()), else: els ? this.body(els) : null }];
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
    if (Node.isBreakStatement(st)) {
      if (st.getLabel()) fail(st, Codes.Unsupported, "labelled break is not supported");
      return [{ line, s: "break" }];
    }
    if (Node.isContinueStatement(st)) {
      if (st.getLabel()) fail(st, Codes.Unsupported, "labelled continue is not supported");
      return [{ line, s: "continue" }];
    }
    if (Node.isReturnStatement(st)) {
      const x = st.getExpression();
      if (!x) return [{ line, s: "return", x: null }];
      const sink = this.sinkStmt(x);
      if (sink) return [sink];
      return [{ line, s: "return", x: this.expr(x, this.currentReturn) }];
    }
    fail(st, Codes.Unsupported, `${st.getKindName()} is not supported in kernel code`);
  }

  private localDecl(d: VariableDeclaration): Stmt {
    const list = d.getVariableStatement()?.getDeclarationList() ?? d.getParent();
    if (Node.isVariableDeclarationList(list) && list.getDeclarationKind() !== "let" && list.getDeclarationKind() !== "const")
      fail(d, Codes.Unsupported, `'${list.getDeclarationKind()}' declarations are not supported in kernel code`);
    if (!Node.isIdentifier(d.getNameNode())) fail(d, Codes.Unsupported, "destructuring is not supported in kernel code");
    const initNode = d.getInitializer();
    const annotated = d.getTypeNode();
    let ty: Ty;
    let init: Expr | null = null;
    if (annotated) {
      ty = mapTypeNode(annotated);
      if (initNode) init = isNullLiteral(initNode) ? { e: "null", ty } : this.expr(initNode, ty);
    } else {
      if (!initNode) fail(d, Codes.MissingAnnotation, `'${d.getName()}' needs a type annotation or an initializer`);
      init = this.expr(initNode);
      ty = exprTy(init);
    }
    this.declTypes.set(d, ty);
    return { line: lineOf(d), s: "let", name: localCName(d.getName()), ty, init };
  }

  /** print/println/panic calls: they become formatting statements, not expressions. */
  private sinkStmt(x: Expression): Stmt | null {
    if (!Node.isCallExpression(x)) return null;
    const callee = x.getExpression();
    if (!Node.isIdentifier(callee)) return null;
    const decl = resolveDecl(callee);
    const b = decl ? builtinOf(decl, callee.getText()) : null;
    if (!b || (b.b !== "print" && b.b !== "panic")) return null;
    const arg = x.getArguments()[0];
    if (!arg || x.getArguments().length !== 1) fail(x, Codes.Unsupported, `${callee.getText()} takes exactly one string argument`);
    const pieces = this.fmtPieces(arg as Expression);
    if (b.b === "print") {
      if (b.newline) pieces.push({ p: "str", value: "\n" });
      return { line: lineOf(x), s: "fmt", pieces };
    }
    return { line: lineOf(x), s: "panic", loc: locationOf(x), pieces };
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
      const b = decl ? builtinOf(decl, e.getExpression().getText()) : null;
      if (b?.b === "hex") {
        const x = this.expr(e.getArguments()[0] as Expression);
        if (exprTy(x).k !== "int") fail(e, Codes.WidthMismatch, "hex() formats integers");
        return { p: "hex", x };
      }
    }
    const x = this.expr(e);
    const ty = exprTy(x);
    if (ty.k === "int") return { p: "dec", x };
    if (ty.k === "bool") return { p: "bool", x };
    if (ty.k === "string") return { p: "strval", x };
    fail(e, Codes.Unsupported, `a value of type ${showTy(ty)} cannot be formatted`);
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
        return { line, s: "assign", target, value: isNullLiteral(rhs) ? { e: "null", ty: exprTy(target) } : this.expr(rhs, exprTy(target)) };
      }
      const bop = COMPOUND[op];
      if (bop) {
        const target = this.lvalue(x.getLeft());
        const value = this.arith(bop, target, this.expr(x.getRight(), exprTy(target)), x);
        return { line, s: "assign", target, value };
      }
    }
    if ((Node.isPostfixUnaryExpression(x) || Node.isPrefixUnaryExpression(x)) && [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken].includes(x.getOperatorToken())) {
      const target = this.lvalue(x.getOperand());
      const ty = exprTy(target);
      if (ty.k !== "int") fail(x, Codes.WidthMismatch, "++ and -- need an integer");
      const one: Expr = { e: "int", ty, value: 1n };
      return { line, s: "assign", target, value: this.arith(x.getOperatorToken() === SyntaxKind.PlusPlusToken ? "+" : "-", target, one, x) };
    }
    if (Node.isCallExpression(x)) return { line, s: "expr", x: this.call(x) };
    fail(x, Codes.Unsupported, "this expression does nothing as a statement");
  }

  private lvalue(e: Expression): Expr {
    if (!Node.isIdentifier(e)) fail(e, Codes.Unsupported, "only variables can be assigned in this compiler slice");
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
    if (Node.isPrefixUnaryExpression(e)) return this.prefix(e, expected);
    if (Node.isBinaryExpression(e)) return this.binary(e, expected);
    if (Node.isCallExpression(e)) return this.call(e, expected);
    if (Node.isConditionalExpression(e)) {
      const c = this.cond(e.getCondition());
      const [a, b] = this.pair(e.getWhenTrue(), e.getWhenFalse(), expected, e);
      return { e: "cond", c, a, b, ty: exprTy(a) };
    }
    if (Node.isAsExpression(e) || Node.isTypeAssertion(e)) fail(e, Codes.Unsupported, "type assertions are not allowed in kernel code: convert with u64(x), u32(x), …");
    if (Node.isNonNullExpression(e)) fail(e, Codes.Unsupported, "non-null assertions are not allowed in kernel code: narrow with `if (x !== null)`");
    if (Node.isElementAccessExpression(e)) fail(e, Codes.DynamicAccess, "element access is not supported in this compiler slice");
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
    const name = id.getText();
    if (Node.isFunctionDeclaration(decl)) {
      if (builtinOf(decl, name)) fail(id, Codes.Unsupported, `'${name}' is built in and can only be called directly`);
      return { e: "fnref", cname: globalCName(decl.getSourceFile(), name), ty };
    }
    if (Node.isParameterDeclaration(decl)) return { e: "local", name: localCName(name), ty };
    if (Node.isVariableDeclaration(decl)) {
      if (isModuleLevel(decl)) return { e: "global", cname: globalCName(decl.getSourceFile(), decl.getName()), ty };
      return { e: "local", name: localCName(name), ty };
    }
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
      const hint = isNullLiteral(e.getLeft()) || isNullLiteral(e.getRight()) ? undefined : undefined;
      const [l, r] = this.pair(e.getLeft(), e.getRight(), hint, e);
      const ty = exprTy(l);
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
    if (e.getTypeArguments().length > 0) fail(e, Codes.Unsupported, "explicit type arguments are not supported in this compiler slice");
    if (!Node.isIdentifier(callee)) fail(callee, Codes.UnknownCallee, "only calls of named functions are supported in this compiler slice");
    const decl = resolveDecl(callee);
    if (!decl) fail(callee, Codes.UnknownCallee, `cannot resolve '${callee.getText()}'`);
    const name = callee.getText();
    const args = e.getArguments() as Expression[];
    const b = builtinOf(decl, name);
    if (b) return this.builtinCall(b, name, e, args, expected);
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

  private argument(a: Expression, want: Ty): Expr {
    const x = isNullLiteral(a) ? ({ e: "null", ty: want } as Expr) : this.expr(a, want);
    const got = exprTy(x);
    if (!sameTy(got, want) && !(got.k === "never")) fail(a, Codes.WidthMismatch, `expected ${showTy(want)}, got ${showTy(got)}: convert explicitly`);
    return x;
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
}

