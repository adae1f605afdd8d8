// The ownership check (phase 3, before lowering): owned values are affine, so the C backend
// may lay them out in place and move them by copy while JavaScript shares one object.
//
// Owned values are instances of classes extending kernel/lib/owned.ts's Owned, and value
// classes holding them ("containers": AllocResult, Halves, MapResult). The check proves
// that no place can reach an owned value after it was moved away from it:
// - a local is moved by `const y = x`, `y = x`, `return x`, passing it to a `Consumed<T>`
//   parameter (containers: to any parameter), or calling a method that declares
//   `this: Consumed<…>` on it (release, split, …); any later use is an error that points at
//   the use and at the move. The analysis is flow-sensitive: branches merge what they may
//   have moved, loop bodies run twice, reassignment revives.
// - a field of a container local (`r.allocated`) and of a consumed `this` moves on its own
//   (a partial move): the other fields stay usable, the whole does not.
// - a field of anything else (a mutable object, a borrowed `this`, a module-level variable)
//   or an array slot can be moved out only by a take, `const v = a.f; a.f = null;` with
//   nothing in between, so no place ever holds a value that lives elsewhere.
// - a parameter of an owned class type without Consumed is a borrow (a pointer in C): it
//   cannot be moved, nor can `this` outside a method that declares it consumed.
// - a `using` variable cannot be moved (its disposal would release the new owner's value).
import { Node, SyntaxKind, ts, type SourceFile } from "ts-morph";
import { builtinOf } from "./builtins";
import { hasMutableField } from "./classes";
import { Codes, diagnosticAt, type Diagnostic } from "./diagnostics";
import { memoByObject, symbolOfTsNode, typeOfTsNode } from "./memo";
import { forEachTsDescendant, wrap } from "./tree";

// The check walks TypeScript's own nodes and asks TypeScript's checker directly: it visits
// every expression of every function (loop bodies twice), and a ts-morph wrapper per node
// visited made it cost a third of keelc's own time. Wrappers are made only for what a
// diagnostic points at and for the few ts-morph helpers shared with the lowering.

/** Where each owned place ("id" for a local, "id.f" for a field of it) may have been moved; null: unreachable. */
type State = Map<string, ts.Node> | null;

/** The checker of the program being checked, and its answers (set by useChecker). */
let tc: ts.TypeChecker;
/** The ts-morph file of a TypeScript file of the program being checked. */
let fileOf: (sf: ts.SourceFile) => SourceFile;
/** The declaration of the signature a call resolves to, asked once per call. */
let calleeDecl: (call: ts.Node) => ts.Node | undefined;

/** Answers questions about the program of `sf` from now on (a new program starts with no remembered answers). */
function useChecker(sf: SourceFile): void {
  const project = sf.getProject();
  fileOf = (f) => (f === sf.compilerNode ? sf : project.getSourceFileOrThrow(f.fileName));
  const checker = project.getTypeChecker().compilerObject;
  if (checker === tc) return;
  tc = checker;
  calleeDecl = memoByObject((call: ts.Node): ts.Node | undefined => {
    if (!ts.isCallExpression(call) && !ts.isNewExpression(call)) return undefined;
    return resolvedSignature(call)?.declaration;
  });
}

/** The symbol a node names (shared with the lowering: memo.ts). */
function symbolAt(n: ts.Node): ts.Symbol | undefined {
  return symbolOfTsNode(tc, n);
}

/** The type TypeScript gives a node (shared with the lowering: memo.ts). */
function typeAt(n: ts.Node): ts.Type {
  return typeOfTsNode(tc, n);
}

/** The first declaration of the symbol a node names. */
function declOfSymbolAt(n: ts.Node): ts.Declaration | undefined {
  return symbolAt(n)?.declarations?.[0];
}

/** True for a class type extending Owned (not for `T | null`). */
function isOwnedClassType(t: ts.Type): boolean {
  for (let c: ts.Type | undefined = t; c; c = c.getBaseTypes()?.[0]) {
    const sym = c.getSymbol();
    const decl = sym?.declarations?.[0];
    if (sym?.getName() === "Owned" && decl && decl.getSourceFile().fileName.endsWith("/kernel/lib/owned.ts")) return true;
  }
  return false;
}

const affineCache = new WeakMap<object, boolean>();
/** The answers of isAffine by the type asked (before null is taken off), settled ones only. */
const affineByAskedType = new WeakMap<object, boolean>();
/** Number of isAffine computations under way (their types answer false meanwhile). */
let affineInProgress = 0;

/** True for a field of a class: a property or a parameter property. */
function isFieldDecl(d: ts.Declaration | undefined): boolean {
  return d !== undefined && (ts.isPropertyDeclaration(d) || ts.isParameter(d));
}

/** True for an owned value, a container of owned values, or either `| null`. */
function isAffine(t: ts.Type, at: ts.Node): boolean {
  const settled = affineByAskedType.get(t);
  if (settled !== undefined) return settled;
  const n = tc.getNonNullableType(t);
  let result = affineCache.get(n);
  if (result === undefined) {
    affineCache.set(n, false); // a class holding itself is a mutable class: not affine
    affineInProgress++;
    try {
      result = isOwnedClassType(n);
      const decl = n.getSymbol()?.declarations?.[0];
      if (!result && decl && ts.isClassDeclaration(decl) && !hasMutableField(wrap(fileOf(decl.getSourceFile()), decl) as never)) {
        result = n.getProperties().some((p) => isFieldDecl(p.declarations?.[0]) && isAffine(tc.getTypeOfSymbolAtLocation(p, at), at));
      }
    } finally {
      affineInProgress--;
    }
    affineCache.set(n, result);
  }
  // While a computation is under way its type answers false for now: remember only final answers.
  if (affineInProgress === 0) affineByAskedType.set(t, result);
  return result;
}

/** Type flags of values that are never affine (a union is primitive when all its members are). */
const PRIMITIVE_FLAGS =
  ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.StringLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Never;

function isPrimitive(t: ts.Type): boolean {
  if (t.flags & PRIMITIVE_FLAGS) return true;
  return t.isUnion() && t.types.every(isPrimitive);
}

/** Expressions whose value is a number, bigint, boolean or string whatever their operands. */
const PRIMITIVE_EXPRESSIONS = new Set<SyntaxKind>([
  SyntaxKind.NumericLiteral, SyntaxKind.BigIntLiteral, SyntaxKind.StringLiteral, SyntaxKind.NoSubstitutionTemplateLiteral, SyntaxKind.TemplateExpression,
  SyntaxKind.TrueKeyword, SyntaxKind.FalseKeyword, SyntaxKind.PrefixUnaryExpression, SyntaxKind.PostfixUnaryExpression,
]);

/** Binary operators whose result is a number, bigint, boolean or string (not `=`, `&&`, `||`, `??`, `,`, which give an operand). */
const PRIMITIVE_OPERATORS = new Set<SyntaxKind>([
  ...[SyntaxKind.PlusToken, SyntaxKind.MinusToken, SyntaxKind.AsteriskToken, SyntaxKind.AsteriskAsteriskToken, SyntaxKind.SlashToken, SyntaxKind.PercentToken],
  ...[SyntaxKind.LessThanLessThanToken, SyntaxKind.GreaterThanGreaterThanToken, SyntaxKind.GreaterThanGreaterThanGreaterThanToken],
  ...[SyntaxKind.AmpersandToken, SyntaxKind.BarToken, SyntaxKind.CaretToken],
  ...[SyntaxKind.LessThanToken, SyntaxKind.LessThanEqualsToken, SyntaxKind.GreaterThanToken, SyntaxKind.GreaterThanEqualsToken],
  ...[SyntaxKind.EqualsEqualsToken, SyntaxKind.EqualsEqualsEqualsToken, SyntaxKind.ExclamationEqualsToken, SyntaxKind.ExclamationEqualsEqualsToken],
  ...[SyntaxKind.InstanceOfKeyword, SyntaxKind.InKeyword],
]);

/**
 * True for an expression whose value is never affine, decided without asking TypeScript
 * for the expression's own type (its flow analysis is most of the ownership check's time):
 * literals and operators that give primitives, calls whose signature returns a primitive,
 * and variables, parameters and fields declared with a primitive type (narrowing only ever
 * gives a part of the declared type, or never, which is not affine either).
 */
function surelyNotAffine(n: ts.Node): boolean {
  if (PRIMITIVE_EXPRESSIONS.has(n.kind)) return true;
  if (ts.isBinaryExpression(n)) return PRIMITIVE_OPERATORS.has(n.operatorToken.kind);
  if (ts.isCallExpression(n)) {
    const sig = tc.getResolvedSignature(n);
    return sig !== undefined && isPrimitive(sig.getReturnType());
  }
  if (ts.isIdentifier(n) || ts.isPropertyAccessExpression(n)) {
    const decl = declOfSymbolAt(n);
    return decl !== undefined && (ts.isVariableDeclaration(decl) || ts.isParameter(decl) || ts.isPropertyDeclaration(decl)) && isPrimitive(typeAt(decl));
  }
  return false;
}

/** True when the value of an expression is affine (as `isAffine` of its type). */
function isAffineValue(e: ts.Node): boolean {
  return !surelyNotAffine(e) && isAffine(typeAt(e), e);
}

/** True when a parameter declaration's type says it takes ownership: `Consumed<T>` (or `Consumed<T> | null`). */
function saysConsumed(p: ts.Node): boolean {
  return ts.isParameter(p) && /\bConsumed\s*</.test(p.type?.getText() ?? "");
}

/** The signature a call resolves to, when it has a declaration (as ts-morph's getResolvedSignature). */
function resolvedSignature(call: ts.CallExpression | ts.NewExpression): ts.Signature | undefined {
  const sig = tc.getResolvedSignature(call);
  return sig?.declaration ? sig : undefined;
}

/** Parameters of a declaration, TypeScript's `this` parameter apart. */
function paramsOf(decl: ts.Node | undefined): { self: ts.ParameterDeclaration | undefined; params: readonly ts.ParameterDeclaration[] } {
  return decl ? paramsOfDecl(decl) : { self: undefined, params: [] };
}

const paramsOfDecl = memoByObject((decl: ts.Node): { self: ts.ParameterDeclaration | undefined; params: readonly ts.ParameterDeclaration[] } => {
  const all = (decl as { parameters?: ts.NodeArray<ts.ParameterDeclaration> }).parameters;
  if (!all) return { self: undefined, params: [] };
  const self = all.find((p) => p.name.getText() === "this");
  return { self, params: all.filter((p) => p !== self) };
});

/** True for a method that declares `this: Consumed<…>`: calling it moves the receiver. */
function consumesThis(decl: ts.Node | undefined): boolean {
  const self = paramsOf(decl).self;
  return self !== undefined && saysConsumed(self);
}

/** The expression inside any parentheses. */
function bare(e: ts.Node): ts.Node {
  return ts.isParenthesizedExpression(e) ? bare(e.expression) : e;
}

/** True for a literal (as ts-morph's Node.isLiteralExpression). */
function isLiteral(e: ts.Node): boolean {
  return ts.isNumericLiteral(e) || ts.isBigIntLiteral(e) || ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isRegularExpressionLiteral(e);
}

/** True for an expression that names a place without effects (`a`, `this.f`, `a[i]` with a plain index). */
function isPlainPath(e: ts.Node): boolean {
  if (ts.isIdentifier(e) || e.kind === SyntaxKind.ThisKeyword || isLiteral(e)) return true;
  if (ts.isPropertyAccessExpression(e)) return isPlainPath(e.expression);
  if (ts.isElementAccessExpression(e)) return isPlainPath(e.expression) && isPlainPath(e.argumentExpression);
  return false;
}

/** True for `const v = P; P = …;` (two statements, nothing in between): a take out of place P. */
function isTake(e: Node): boolean {
  if (!isPlainPath(e.compilerNode)) return false;
  const decl = e.getParent();
  if (!decl || !Node.isVariableDeclaration(decl) || decl.getInitializer() !== e) return false;
  const stmt = decl.getVariableStatement();
  if (!stmt || stmt.getDeclarations().length !== 1) return false;
  const next = stmt.getNextSibling();
  if (!next || !Node.isExpressionStatement(next)) return false;
  const x = next.getExpression();
  return Node.isBinaryExpression(x) && x.compilerNode.operatorToken.kind === SyntaxKind.EqualsToken && x.getLeft().getText().replace(/\s/g, "") === e.getText().replace(/\s/g, "");
}

/** Checks every function and method body of a source file. */
export function checkMoves(sf: SourceFile): Diagnostic[] {
  useChecker(sf);
  const checker = new MoveChecker(sf);
  forEachTsDescendant(sf, (n) => {
    if (!(ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n)) || !n.body) return true;
    const name = ts.isFunctionDeclaration(n) ? n.name?.text : undefined;
    if (name && builtinOf(wrap(sf, n), name)) return true;
    if (ts.isMethodDeclaration(n) && n.name.getText() === "[Symbol.iterator]") return true;
    checker.thisConsumed = ts.isMethodDeclaration(n) && consumesThis(n);
    checker.block(n.body, new Map());
    return false;
  });
  return checker.diagnostics;
}

class MoveChecker {
  readonly diagnostics: Diagnostic[] = [];
  /** The function being checked owns `this` (a method declaring `this: Consumed<…>`). */
  thisConsumed = false;
  private readonly reported = new Set<ts.Node>();
  private readonly ids = new Map<ts.Symbol, number>();
  /** States at the `break`s of each enclosing loop: they flow to the loop's end. */
  private readonly breaks: State[] = [];

  constructor(private readonly sf: SourceFile) {}

  private error(at: ts.Node, code: number, message: string, related?: { at: ts.Node; message: string }): void {
    if (this.reported.has(at)) return;
    this.reported.add(at);
    const d = diagnosticAt(wrap(this.sf, at), code, message);
    if (related) d.related = [diagnosticAt(wrap(this.sf, related.at), code, related.message)];
    this.diagnostics.push(d);
  }

  /** The key of a tracked root: an owned local or parameter ("#n"), or a consumed `this`. */
  private rootKey(e: ts.Node): string | undefined {
    if (e.kind === SyntaxKind.ThisKeyword) return this.thisConsumed ? "this" : undefined;
    if (!ts.isIdentifier(e)) return undefined;
    const sym = symbolAt(e);
    const decl = sym?.declarations?.[0];
    if (!sym || !decl || !(ts.isVariableDeclaration(decl) || ts.isParameter(decl))) return undefined;
    if (ts.isVariableDeclaration(decl) && ts.isSourceFile(decl.parent?.parent?.parent ?? decl)) return undefined;
    if (!isAffine(typeAt(decl), e)) return undefined;
    let id = this.ids.get(sym);
    if (id === undefined) this.ids.set(sym, (id = this.ids.size + 1));
    return `#${id}`;
  }

  /** The declaration of an identifier, when it is a variable or parameter. */
  private declOf(e: ts.Node): ts.VariableDeclaration | ts.ParameterDeclaration | undefined {
    const decl = ts.isIdentifier(e) ? declOfSymbolAt(e) : undefined;
    return decl && (ts.isVariableDeclaration(decl) || ts.isParameter(decl)) ? decl : undefined;
  }

  /** Reports a use of a moved place. `whole`: the use reads the whole value, not one field. */
  private useRoot(e: ts.Node, state: State, whole: boolean): void {
    if (state === null) return;
    const key = this.rootKey(e);
    if (!key) return;
    const movedAt = state.get(key);
    if (movedAt) {
      const name = e.getText();
      this.error(e, Codes.UseAfterMove, `'${name}' is used after it was moved: its value now has another owner`, { at: movedAt, message: `'${name}' was moved here` });
      return;
    }
    if (!whole) return;
    for (const [k, at] of state) {
      if (k.startsWith(`${key}.`)) {
        this.error(e, Codes.UseAfterMove, `'${e.getText()}' is used after its field '${k.slice(key.length + 1)}' was moved out`, { at, message: "moved here" });
        return;
      }
    }
  }

  /** `x.f` where x is a tracked root: the path's key, else undefined. */
  private pathKey(e: ts.Node): string | undefined {
    if (!ts.isPropertyAccessExpression(e)) return undefined;
    const key = this.rootKey(bare(e.expression));
    return key ? `${key}.${e.name.getText()}` : undefined;
  }

  /** Records that the value of `expr` moves to a new owner (or reports why it cannot). */
  private moveOut(expr: ts.Node, state: State, why: string): void {
    if (state === null) return;
    const e = bare(expr);
    if (ts.isConditionalExpression(e)) {
      this.moveOut(e.whenTrue, state, why);
      this.moveOut(e.whenFalse, state, why);
      return;
    }
    if (e.kind === SyntaxKind.NullKeyword || !isAffineValue(e)) return;
    if (e.kind === SyntaxKind.ThisKeyword) {
      if (this.thisConsumed) state.set("this", e);
      else this.error(e, Codes.SecondReference, `'this' is borrowed here, it cannot be ${why}: a method that gives its object away declares \`this: Consumed<…>\``);
      return;
    }
    if (ts.isIdentifier(e)) {
      const key = this.rootKey(e);
      const decl = this.declOf(e);
      if (!key || !decl) {
        if (!isTake(wrap(this.sf, e))) this.error(e, Codes.SecondReference, `moving the module-level '${e.getText()}' would leave a second reference to its value: take it with \`const v = ${e.getText()}; ${e.getText()} = null;\``);
        return;
      }
      if (ts.isParameter(decl) && !saysConsumed(decl) && isOwnedClassType(typeAt(decl))) {
        this.error(e, Codes.SecondReference, `'${e.getText()}' is borrowed (its parameter is not Consumed<T>), it cannot be ${why}: declare the parameter \`Consumed<…>\` to take ownership`);
        return;
      }
      if (ts.isVariableDeclaration(decl) && /^using\b/.test(decl.parent.getText())) {
        this.error(e, Codes.SecondReference, `'${e.getText()}' is a \`using\` variable, it cannot be ${why}: its disposal at the end of the scope would release the new owner's value (declare it with const)`);
        return;
      }
      state.set(key, e);
      return;
    }
    if (ts.isPropertyAccessExpression(e)) {
      const holder = bare(e.expression);
      const key = this.pathKey(e);
      const holderTy = typeAt(holder);
      if (key && !isOwnedClassType(tc.getNonNullableType(holderTy))) {
        state.set(key, e); // a partial move out of a container local
        return;
      }
      if (key && holder.kind === SyntaxKind.ThisKeyword) {
        state.set(key, e); // a field of a consumed `this`
        return;
      }
      if ((ts.isCallExpression(holder) || ts.isNewExpression(holder)) && this.affineFields(holderTy, e) === 1) return; // out of a temporary
      if (isTake(wrap(this.sf, e))) return;
      this.error(e, Codes.SecondReference, `'${e.getText()}' cannot be ${why}: the field would still hold it (a second reference); take it with \`const v = ${e.getText()}; ${e.getText()} = null;\``);
      return;
    }
    if (ts.isElementAccessExpression(e)) {
      if (isTake(wrap(this.sf, e))) return;
      this.error(e, Codes.SecondReference, `'${e.getText()}' cannot be ${why}: the array slot would still hold it (a second reference); take it with \`const v = ${e.getText()}; ${e.getText()} = null;\` or take(slots, i)`);
    }
  }

  /** Number of fields of a container type that hold owned values. */
  private affineFields(t: ts.Type, at: ts.Node): number {
    return tc.getNonNullableType(t).getProperties().filter((p) => isFieldDecl(p.declarations?.[0]) && isAffine(tc.getTypeOfSymbolAtLocation(p, at), at)).length;
  }

  /**
   * True when argument `i` of a call moves: a `Consumed<T>` parameter, or one whose type (as
   * instantiated at this call) is a container or an optional owned value. A parameter of an
   * owned class type without Consumed borrows.
   */
  private movesArgument(call: ts.CallExpression | ts.NewExpression, i: number): boolean {
    const p = paramsOf(calleeDecl(call)).params[i];
    if (p === undefined) return false;
    if (saysConsumed(p)) return true;
    const param = resolvedSignature(call)?.getParameters()[i];
    const t = param ? tc.getTypeOfSymbolAtLocation(param, call) : undefined;
    return t !== undefined && isAffine(t, call) && !isOwnedClassType(t);
  }

  /** Analyses an expression: uses in evaluation order, each argument's move right after it. */
  private expr(node: ts.Node, state: State): void {
    if (ts.isIdentifier(node) || node.kind === SyntaxKind.ThisKeyword) {
      this.useRoot(node, state, true);
      return;
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression;
      this.expr(callee, state);
      const args = node.arguments ?? [];
      // Places borrowed for the whole call (the receiver, borrowed arguments): an argument
      // after them must not move them (`x.merge(x)`, `f(x, x)` with a borrow and a move).
      const borrowed: ts.Node[] = [];
      const receiver = ts.isPropertyAccessExpression(callee) ? bare(callee.expression) : undefined;
      const consuming = ts.isCallExpression(node) && receiver !== undefined && consumesThis(calleeDecl(node));
      if (receiver && !consuming && isPlainPath(receiver)) borrowed.push(receiver);
      args.forEach((a, i) => {
        this.expr(a, state);
        if (this.movesArgument(node, i)) this.moveOut(a, state, "passed to a parameter that takes ownership");
        else if (isPlainPath(bare(a)) && isAffineValue(a)) borrowed.push(bare(a));
      });
      for (const b of borrowed) this.expr(b, state);
      if (consuming) this.moveOut(receiver, state, `given to ${callee.getText().replace(/^.*\./, "")}(), which consumes it`);
      return;
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === SyntaxKind.EqualsToken) {
      const right = node.right;
      this.expr(right, state);
      this.moveOut(right, state, "assigned");
      const left = bare(node.left);
      const key = this.rootKey(left) ?? this.pathKey(left);
      if (key && state) {
        // A new value: the place is usable again (and every field of it).
        for (const k of [...state.keys()]) if (k === key || k.startsWith(`${key}.`)) state.delete(k);
        if (ts.isPropertyAccessExpression(left)) this.expr(left.expression, state);
      } else this.expr(left, state);
      return;
    }
    if (ts.isConditionalExpression(node)) {
      this.expr(node.condition, state);
      const a = state === null ? null : new Map(state);
      const b = state === null ? null : new Map(state);
      this.expr(node.whenTrue, a);
      this.expr(node.whenFalse, b);
      this.replace(state, merge(a, b));
      return;
    }
    if (ts.isPropertyAccessExpression(node)) {
      const key = this.pathKey(node);
      const movedAt = key && state ? state.get(key) : undefined;
      if (movedAt) {
        this.error(node, Codes.UseAfterMove, `'${node.getText()}' is used after it was moved: its value now has another owner`, { at: movedAt, message: `'${node.getText()}' was moved here` });
        return;
      }
      const holder = bare(node.expression);
      if (this.rootKey(holder)) this.useRoot(holder, state, false);
      else this.expr(node.expression, state);
      return;
    }
    ts.forEachChild(node, (c) => {
      this.expr(c, state);
    });
  }

  private replace(target: State, source: State): void {
    if (target === null) return;
    target.clear();
    if (source) for (const [k, v] of source) target.set(k, v);
  }

  /** Analyses a statement list; returns the state after it (null when it cannot complete). */
  block(node: ts.Node, state: State): State {
    let s: State = state;
    const stmts = ts.isBlock(node) ? node.statements : [node];
    for (const st of stmts) s = this.stmt(st, s);
    return s;
  }

  private stmt(st: ts.Node, state: State): State {
    if (state === null) return null;
    if (ts.isBlock(st)) return this.block(st, state);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer;
        if (init) {
          this.expr(init, state);
          this.moveOut(init, state, "moved to another variable");
          const key = this.rootKey(d.name);
          if (key) for (const k of [...state.keys()]) if (k === key || k.startsWith(`${key}.`)) state.delete(k);
        }
      }
      return state;
    }
    if (ts.isExpressionStatement(st)) {
      this.expr(st.expression, state);
      return state;
    }
    if (ts.isReturnStatement(st)) {
      const x = st.expression;
      if (x) {
        this.expr(x, state);
        this.moveOut(x, state, "returned");
      }
      return null;
    }
    if (ts.isIfStatement(st)) {
      this.expr(st.expression, state);
      const a = this.stmt(st.thenStatement, new Map(state));
      const els = st.elseStatement;
      const b = els ? this.stmt(els, new Map(state)) : new Map(state);
      return merge(a, b);
    }
    if (ts.isWhileStatement(st) || ts.isForStatement(st) || ts.isForOfStatement(st) || ts.isDoStatement(st)) {
      if (ts.isForStatement(st) && st.initializer) this.expr(st.initializer, state);
      if (ts.isForOfStatement(st)) this.expr(st.expression, state);
      this.breaks.push(null);
      let s: State = new Map(state);
      // Twice: what one iteration moves, the next iteration may use.
      for (let pass = 0; pass < 2; pass++) {
        const cond = ts.isForStatement(st) ? st.condition : ts.isWhileStatement(st) || ts.isDoStatement(st) ? st.expression : undefined;
        if (cond) this.expr(cond, s);
        const after = this.stmt(st.statement, s === null ? null : new Map(s));
        if (ts.isForStatement(st) && st.incrementor) this.expr(st.incrementor, after);
        s = merge(s, after);
      }
      return merge(merge(state, s), this.breaks.pop() ?? null);
    }
    if (ts.isBreakStatement(st)) {
      if (this.breaks.length > 0) this.breaks[this.breaks.length - 1] = merge(this.breaks[this.breaks.length - 1] ?? null, state);
      return null;
    }
    if (ts.isContinueStatement(st)) return null;
    ts.forEachChild(st, (c) => {
      this.expr(c, state);
    });
    return state;
  }
}

function merge(a: State, b: State): State {
  if (a === null) return b === null ? null : new Map(b);
  if (b === null) return new Map(a);
  const out = new Map(a);
  for (const [k, v] of b) if (!out.has(k)) out.set(k, v);
  return out;
}
