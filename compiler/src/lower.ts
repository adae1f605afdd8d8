// Phase 5, lower: from the checked TypeScript AST to the typed IR. The lowering is composed
// of parts that call each other and share no state but what they are passed:
//   ProgramContext (lower_context.ts)      diagnostics, types of globals, the InstanceRegistry
//   InstanceRegistry (instances.ts)        class and generic instances: names, made once, queued
//   Flow (flow.ts)                         one function's env, locals, scopes, labels, temporaries
//   StatementLowering (lower_statements.ts)  statements and function bodies, in a Flow
//   ExpressionLowering (lower_expressions.ts) expressions, in a Flow
//   ClassLowering (lower_classes.ts)       structs, methods, constructors, members, `new`, `this`
//   typeOf (type_of.ts)                    the type of an expression, lowering nothing
// This file wires them and lowers modules: their functions, globals and classes.
import { Node, ts, type FunctionDeclaration, type SourceFile, type Statement, type VariableDeclaration } from "ts-morph";
import { builtinOf, isHostOnlyFile, kernelRelative } from "./builtins";
import { Codes, diagnosticAt, fail, displayPath, type Diagnostic } from "./diagnostics";
import { Flow } from "./flow";
import { checkInitOrder, initializationOrder } from "./init_order";
import type { Func, Global, Module, Program } from "./ir";
import { lineOf, signature } from "./lower_common";
import { ClassLowering } from "./lower_classes";
import { ProgramContext } from "./lower_context";
import { ExpressionLowering } from "./lower_expressions";
import { StatementLowering } from "./lower_statements";
import { globalCName, moduleId } from "./names";
import { typeOfDecl } from "./type_of";
import { foldInt } from "./const_fold";
import { nameOf } from "./tree";

/** Lowers a loaded program to IR, collecting diagnostics. */
export class Lowering {
  private readonly prog = new ProgramContext();
  private readonly exprs: ExpressionLowering;
  private readonly stmts: StatementLowering;
  private readonly classes: ClassLowering;
  /** Values of the integer constants folded so far, by C name (modules lower in dependency order). */
  private readonly constValues = new Map<string, bigint>();

  constructor() {
    this.exprs = new ExpressionLowering(this.prog);
    this.stmts = new StatementLowering(this.prog);
    this.classes = new ClassLowering(this.prog);
    // The parts call each other (a method body holds expressions that reach other classes).
    this.exprs.classes = this.stmts.classes = this.classes;
    this.exprs.stmts = this.classes.stmts = this.stmts;
    this.stmts.exprs = this.classes.exprs = this.exprs;
  }

  /** The diagnostics found so far. */
  get diagnostics(): Diagnostic[] {
    return this.prog.diagnostics;
  }

  /** Lowers every compiled module reachable from the entry; null when there were errors. */
  lowerProgram(entry: SourceFile, files: SourceFile[]): Program | null {
    const order = initializationOrder(entry, files).filter((sf) => !isHostOnlyFile(sf));
    this.diagnostics.push(...checkInitOrder(order));
    const modules = order.map((sf) => this.lowerModule(sf));
    // Methods are instantiated per concrete class; each may reach more.
    this.prog.instances.drain((job) => this.prog.guard(job, undefined));
    const lowered = [...order];
    // A module imported only for its types is never evaluated (TypeScript elides the
    // import), yet a method of its class may be called on a value that is never there (a
    // nullable field that stays null): C still needs the method and what it calls. Such a
    // module's code is emitted without its initialisers, which never run in TypeScript either.
    for (;;) {
      const typeOnly = files.filter((sf) => !lowered.includes(sf) && !isHostOnlyFile(sf) && this.prog.instances.funcsOf(sf).length > 0);
      if (typeOnly.length === 0) break;
      for (const sf of typeOnly) {
        const mod = this.lowerModule(sf);
        mod.init = [];
        modules.push(mod);
        lowered.push(sf);
      }
      this.prog.instances.drain((job) => this.prog.guard(job, undefined));
    }
    lowered.forEach((sf, i) => modules[i]!.funcs.push(...this.prog.instances.funcsOf(sf)));
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
      structs: [...this.prog.instances.structs.values()],
      entry: { cname: globalCName(entry, "kernelMain"), takesBootInfo: main.getParameters().length === 1 },
      support: { panicStop: globalCName(lib, "panicStop"), writeByte: globalCName(con, "writeByte") },
    };
  }

  private lowerModule(sf: SourceFile): Module {
    const mod: Module = { id: moduleId(sf), file: displayPath(sf), funcs: [], globals: [], init: [] };
    for (const st of sf.getStatements()) {
      this.prog.guard(() => this.lowerTopLevel(st, mod), undefined);
    }
    return mod;
  }

  private lowerTopLevel(st: Statement, mod: Module): void {
    if (Node.isImportDeclaration(st) || Node.isTypeAliasDeclaration(st) || Node.isInterfaceDeclaration(st)) return;
    // A re-export only names declarations of another module, which that module compiles.
    if (Node.isExportDeclaration(st) && st.hasModuleSpecifier()) return;
    if (Node.isFunctionDeclaration(st)) {
      const name = nameOf(st);
      if (!name) fail(st, Codes.Unsupported, "functions need a name");
      if (builtinOf(st, name)) return;
      if (st.hasDeclareKeyword()) fail(st, Codes.Unsupported, "declared functions exist only in kernel/lib/intrinsics.ts");
      if (st.getTypeParameters().length > 0) return; // monomorphized per call
      if (hasOverloads(st, name)) fail(st, Codes.Unsupported, "overloads are not supported in kernel code");
      mod.funcs.push(this.lowerFunction(st, name));
      return;
    }
    if (Node.isVariableStatement(st)) {
      for (const d of st.getDeclarations()) this.prog.guard(() => mod.globals.push(this.lowerGlobal(d)), undefined);
      return;
    }
    if (Node.isClassDeclaration(st)) {
      // Abstract classes are compiled into each concrete subclass, generic ones per instance.
      if (!st.isAbstract() && st.getTypeParameters().length === 0) this.classes.classInfo(st);
      return;
    }
    if (Node.isEnumDeclaration(st)) {
      for (const m of st.getMembers()) if (typeof m.getValue() !== "number") fail(m, Codes.Unsupported, "enum members must be integers");
      return;
    }
    fail(st, Codes.Unsupported, `${st.getKindName()} is not supported at module level in this compiler slice`);
  }

  private lowerGlobal(d: VariableDeclaration): Global {
    const flow = this.prog.moduleFlow;
    const ty = typeOfDecl(d, flow, this.prog);
    const initNode = d.getInitializer();
    const isConst = d.getVariableStatement()?.getDeclarationKind() === "const";
    let init = initNode ? this.exprs.argument(initNode, flow, ty) : null;
    // An integer constant computed from literals and other constants (`1n << 52n`,
    // `A | B`) is folded to its value, so the C has a `static const` that gcc folds into
    // every use instead of a global read at each use and set by the module's init.
    if (isConst && init !== null && ty.k === "int") {
      const value = foldInt(init, this.constValues);
      if (value !== null) {
        init = { e: "int", ty, value };
        this.constValues.set(globalCName(d.getSourceFile(), nameOf(d)), value);
      }
    }
    const constInit = init === null || init.e === "int" || init.e === "bool" || init.e === "str" || init.e === "null" || init.e === "fnref";
    return { cname: globalCName(d.getSourceFile(), nameOf(d)), tsName: nameOf(d), ty, init, constInit, isConst, file: displayPath(d.getSourceFile()), line: lineOf(d) };
  }

  private lowerFunction(fn: FunctionDeclaration, name: string): Func {
    const { params, ret } = signature(fn);
    const flow = new Flow({ env: new Map(), self: null, selfPtr: false, fmtMode: false, ret });
    return this.stmts.func(fn, flow, { cname: globalCName(fn.getSourceFile(), name), tsName: name, params, exported: fn.isExported() });
  }
}

/**
 * True when `fn` has overload signatures or is one: a bodiless function of its name beside
 * it, as ts-morph's getOverloads() finds them, without wrapping every statement of the
 * file and asking each its name (once per function, so quadratic in a module's length).
 */
function hasOverloads(fn: FunctionDeclaration, name: string): boolean {
  const file = fn.getSourceFile().compilerNode;
  let found = false;
  ts.forEachChild(fn.compilerNode.parent, (n) => {
    if (ts.isFunctionDeclaration(n) && !n.body && n.name?.getText(file) === name) found = true;
  });
  return found;
}
