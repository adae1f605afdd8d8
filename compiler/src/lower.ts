// Phases 3 and 4, types and lower: from the checked TypeScript AST to the typed IR.
// Widths come from annotations and are inferred through expressions; every rule that needs
// types (no width mixing, literal ranges, where templates may stand) is enforced here.
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
import { exprTy, type BinOp, type CmpOp, type Expr, type FmtPiece, type Func, type Global, type Module, type Program, type Stmt, type Ty } from "./ir";
import { globalCName, localCName, moduleId } from "./names";
import { intInfo, mapTypeNode, sameTy, showTy, T } from "./types";
import { baseOf, fieldsOf, findMember, hasMutableField, instances, mangle, structTyOf, type ClassInfo, type Env, type Level, type Member } from "./classes";
import type { StructDef } from "./ir";

/** What the code being lowered sits in: bindings of type parameters, the class of `this`. */
interface Context {
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

function isSuperCall(e: Node): boolean {
  return Node.isCallExpression(e) && e.getExpression().getKind() === SyntaxKind.SuperKeyword;
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
  private ctx: Context = { env: new Map(), self: null, selfPtr: false, fmtMode: false, ret: T.void, locals: new Map() };
  private readonly classes = new Map<string, ClassInfo>();
  private readonly structs = new Map<string, StructDef>();
  private readonly instantiated = new Set<string>();
  private readonly queue: (() => void)[] = [];
  private readonly classFuncs = new Map<SourceFile, Func[]>();
  private tempCounter = 0;

  private get currentReturn(): Ty {
    return this.ctx.ret;
  }

  /** Lowers every compiled module reachable from the entry; null when there were errors. */
  lowerProgram(entry: SourceFile, files: SourceFile[]): Program | null {
    const order = this.initOrder(entry, files).filter((sf) => !isHostOnlyFile(sf));
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
    const init = initNode ? this.coerce(this.expr(initNode, ty), ty, initNode) : null;
    const constInit = init === null || init.e === "int" || init.e === "bool" || init.e === "str" || init.e === "null" || init.e === "fnref";
    const isConst = d.getVariableStatement()?.getDeclarationKind() === "const";
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

  private signature(fn: FunctionDeclaration | Node, env: Env = new Map()): { params: Ty[]; ret: Ty; callSites: boolean[] } {
    if (!Node.isFunctionDeclaration(fn) && !Node.isMethodDeclaration(fn) && !Node.isGetAccessorDeclaration(fn) && !Node.isConstructorDeclaration(fn))
      fail(fn, Codes.Unsupported, "not a function");
    const callSites = fn.getParameters().map(isCallSiteParam);
    const params = fn.getParameters().map((p, i) => {
      const tn = p.getTypeNode();
      if (!tn) fail(p, Codes.MissingAnnotation, `parameter '${p.getName()}' needs a type annotation`);
      if (p.hasQuestionToken() || (p.hasInitializer() && !callSites[i]) || p.isRestParameter())
        fail(p, Codes.Unsupported, "optional, default and rest parameters are not supported in kernel code (except `at: CallSite = callSite()`)");
      return mapTypeNode(tn, env);
    });
    if (Node.isConstructorDeclaration(fn)) return { params, ret: T.void, callSites };
    const rn = fn.getReturnTypeNode();
    const ret = rn ? mapTypeNode(rn, env) : fn.getReturnType().isVoid() ? T.void : fail(fn, Codes.MissingAnnotation, `function '${fn.getName()}' needs a return type annotation`);
    return { params, ret, callSites };
  }

  /** Keel type of a variable, parameter or function declaration. */
  private typeOfDecl(decl: Node): Ty {
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
    cache.set(decl, ty);
    return ty;
  }

  /** Type of an expression, for inference of unannotated locals. */
  private exprTypeOnly(e: Expression): Ty {
    const x = this.expr(e);
    return exprTy(x);
  }

  // ---- statements -------------------------------------------------------------------

  /** Open scopes of the function being lowered, innermost last, with their `using` locals. */
  private scopes: { usings: { x: Expr; dispose: string }[]; loop: boolean }[] = [];

  private block(b: Block, loop = false): Stmt[] {
    const out: Stmt[] = [];
    this.scopes.push({ usings: [], loop });
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
  private body(st: Statement, loop = true): Stmt[] {
    if (Node.isBlock(st)) return this.block(st, loop);
    this.scopes.push({ usings: [], loop });
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
    if (Node.isBreakStatement(st)) {
      if (this.switchBreaks.has(st)) return this.disposals(this.scopes.length - 1, line);
      if (st.getLabel()) fail(st, Codes.Unsupported, "labelled break is not supported");
      return [...this.disposals(this.loopScope(), line), { line, s: "break" }];
    }
    if (Node.isContinueStatement(st)) {
      if (st.getLabel()) fail(st, Codes.Unsupported, "labelled continue is not supported");
      return [...this.disposals(this.loopScope(), line), { line, s: "continue" }];
    }
    if (Node.isReturnStatement(st)) {
      const x = st.getExpression();
      const exits = this.disposals(0, line);
      if (!x) return [...exits, { line, s: "return", x: null }];
      const sink = this.sinkStmt(x);
      if (sink) return [sink];
      if (this.ctx.fmtMode) return [{ line, s: "fmt", pieces: this.fmtPieces(x) }, ...exits, { line, s: "return", x: null }];
      const value = this.coerce(this.expr(x, this.currentReturn), this.currentReturn, x);
      if (exits.length === 0 || value.e === "local") return [{ line, s: "return", x: value }];
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
    const b = decl ? builtinOf(decl, callee.getText()) : null;
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
      const b = decl ? builtinOf(decl, e.getExpression().getText()) : null;
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
      return { p: "obj", x, fn: this.methodFunc(info, m, "fmt") };
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
        return { line, s: "assign", target, value: this.coerce(this.expr(rhs, exprTy(target)), exprTy(target), rhs) };
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
    if (Node.isElementAccessExpression(e)) return this.index(e);
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
    const name = id.getText();
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
      const hint = isNullLiteral(e.getLeft()) || isNullLiteral(e.getRight()) ? undefined : undefined;
      const [l, r] = this.pair(e.getLeft(), e.getRight(), hint, e);
      const ty = exprTy(l);
      if (ty.k === "opt" && (cmp === "==" || cmp === "!=")) {
        const value = l.e === "null" ? r : r.e === "null" ? l : fail(e, Codes.IdentityComparison, "an optional value can only be compared with null");
        const some: Expr = { e: "isSome", x: value };
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
    const name = callee.getText();
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

  private argument(a: Expression, want: Ty): Expr {
    return this.coerce(this.expr(a, want), want, a);
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

  /** The chain and bindings of a concrete class, instantiated with `args` when generic (cached). */
  private classInfo(decl: ClassDeclaration, args: Ty[] = []): ClassInfo {
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
    const info: ClassInfo = { decl, args, cname: ty.cname, chain, mutable: hasMutableField(decl) };
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

  private classInfoByCName(cname: string): ClassInfo | null {
    const inst = instances.get(cname);
    return inst ? this.classInfo(inst.decl, inst.args) : null;
  }

  /** Compiles every member of a concrete class, so that all of it is checked. */
  private instantiateAll(info: ClassInfo): void {
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
  private methodFunc(info: ClassInfo, member: Member, kind: "method" | "static" | "getter" | "fmt"): string {
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
  private selfTy(info: ClassInfo, ptr: boolean): Ty {
    return { k: "struct", cname: info.cname, mutable: ptr };
  }

  private withContext<R>(ctx: Context, f: () => R): R {
    const saved = this.ctx;
    this.ctx = ctx;
    try {
      return f();
    } finally {
      this.ctx = saved;
    }
  }

  private lowerMethod(info: ClassInfo, member: Member, kind: "method" | "static" | "getter" | "fmt", cname: string): void {
    if (member.m === "field") return;
    const decl = member.decl;
    if (!Node.isMethodDeclaration(decl) && !Node.isGetAccessorDeclaration(decl)) return;
    const { params, ret } = this.signature(decl, member.level.env);
    const body = decl.getBody();
    if (!body || !Node.isBlock(body)) fail(decl, Codes.Unsupported, "methods need a body");
    const isStatic = kind === "static";
    const ctx: Context = { env: member.level.env, self: isStatic ? null : info, selfPtr: info.mutable, fmtMode: kind === "fmt", ret: kind === "fmt" ? T.void : ret, locals: new Map() };
    if (kind === "fmt" && ret.k !== "string") fail(decl, Codes.Unsupported, "toString() must return string");
    const func = this.withContext(ctx, (): Func => ({
      cname,
      tsName: `${info.decl.getName()}.${member.name}`,
      params: [
        ...(isStatic ? [] : [{ name: "self", ty: this.selfTy(info, info.mutable) }]),
        ...decl.getParameters().map((p, i) => ({ name: localCName(p.getName()), ty: params[i]! })),
      ],
      ret: ctx.ret,
      body: this.block(body),
      exported: true,
      file: displayPath(decl.getSourceFile()),
      line: lineOf(decl),
    }));
    this.addClassFunc(info, func);
  }

  private addClassFunc(info: ClassInfo, f: Func): void {
    const sf = info.decl.getSourceFile();
    const list = this.classFuncs.get(sf) ?? [];
    list.push(f);
    this.classFuncs.set(sf, list);
  }

  /** The constructor a level runs: its own, or (implicitly) the nearest base's. */
  private effectiveCtor(info: ClassInfo, from: number): { index: number; decl: Node } | null {
    for (let i = from; i < info.chain.length; i++) {
      const c = info.chain[i]!.decl.getConstructors().find((k) => k.hasBody());
      if (c) return { index: i, decl: c };
    }
    return null;
  }

  /** `X__new(args)`: zero the struct, run the constructor chain on it, return it. */
  private ctorFunc(info: ClassInfo): string {
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
  private initFunc(info: ClassInfo, index: number): string {
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
  private fieldInits(info: ClassInfo, index: number): Stmt[] {
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
  private superCall(call: CallExpression): Stmt[] {
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

  private newExpr(e: Node, expected?: Ty): Expr {
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

  private self(e: Node): Expr {
    const info = this.ctx.self;
    if (!info) fail(e, Codes.Unsupported, "`this` outside a method");
    return { e: "self", ty: this.selfTy(info, this.ctx.selfPtr), ptr: this.ctx.selfPtr };
  }

  /** `x.f`: a field, or a getter call. */
  private property(e: Node): Expr {
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
      return { e: "call", cname: this.methodFunc(info, m, "getter"), args: [obj], ty: ret };
    }
    fail(e, Codes.Unsupported, `method '${name}' must be called (there are no bound methods in kernel code)`);
  }

  /** `x.m(args)` or `Class.m(args)`. */
  private methodCall(e: CallExpression, callee: Node): Expr {
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
      selfArg = obj;
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

  /** An optional that TypeScript narrowed to non-null at this use is unwrapped. */
  private narrowed(node: Node, x: Expr): Expr {
    const ty = exprTy(x);
    if (ty.k !== "opt") return x;
    if (node.getType().isNullable()) return x;
    return { e: "unwrap", x, ty: ty.inner };
  }

  /** Makes a value fit a slot of type `want`: wraps into optionals, types null. */
  private coerce(x: Expr, want: Ty, at: Node): Expr {
    const got = exprTy(x);
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
  private unify(a: Expression, b: Expression, expected: Ty | undefined, at: Node): [Expr, Expr] {
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
          if (Node.isBreakStatement(d) && !this.switchBreaks.has(d)) fail(d, Codes.Unsupported, "break inside a case is only supported as its last statement");
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

  /** `using x = …`: x is disposed at every exit of the enclosing scope. */
  private registerUsing(d: VariableDeclaration, ty: Ty): void {
    const inner = ty.k === "opt" ? ty.inner : ty;
    const info = inner.k === "struct" ? this.classInfoByCName(inner.cname) : null;
    const m = info ? findMember(info, "[Symbol.dispose]") : null;
    if (!info || !m || m.m !== "method") fail(d, Codes.Unsupported, "`using` needs an object with [Symbol.dispose]()");
    if (ty.k === "opt") fail(d, Codes.Unsupported, "`using` of an optional object is not supported: check for null first");
    const scope = this.scopes[this.scopes.length - 1];
    if (!scope) fail(d, Codes.Unsupported, "`using` only inside a function");
    scope.usings.push({ x: { e: "local", name: localCName(d.getName()), ty }, dispose: this.methodFunc(info, m, "method") });
  }

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

  /** `for (const x of r)`: a counted loop over `r.iterLength()` / `r.iterAt(i)`. */
  private forOf(st: Node): Stmt {
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

/** C name of a field (`#x` private names become `x_`). */
function fieldCName(name: string): string {
  return name.startsWith("#") ? `${name.slice(1)}_` : localCName(name);
}
