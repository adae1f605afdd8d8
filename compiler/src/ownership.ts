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
import { Node, SyntaxKind, ts, type SourceFile, type Symbol as TsSymbol, type Type } from "ts-morph";
import { builtinOf } from "./builtins";
import { hasMutableField } from "./classes";
import { Codes, diagnosticAt, type Diagnostic } from "./diagnostics";
import { isConsumedParam } from "./lower_common";
import { memoByObject, symbolOfNode, typeOfNode } from "./memo";
import { forEachTsDescendant, wrap } from "./tree";

/** Where each owned place ("id" for a local, "id.f" for a field of it) may have been moved; null: unreachable. */
type State = Map<string, Node> | null;

/** True for a class type extending Owned (not for `T | null`). */
export function isOwnedClassType(t: Type): boolean {
  for (let c: Type | undefined = t; c; c = c.getBaseTypes()[0]) {
    const sym = c.getSymbol();
    const decl = sym?.getDeclarations()[0];
    if (sym?.getName() === "Owned" && decl && decl.getSourceFile().getFilePath().endsWith("/kernel/lib/owned.ts")) return true;
  }
  return false;
}

const affineCache = new WeakMap<object, boolean>();
/** The answers of isAffine by the type asked (before null is taken off), settled ones only. */
const affineByAskedType = new WeakMap<object, boolean>();
/** Number of isAffine computations under way (their types answer false meanwhile). */
let affineInProgress = 0;

/** True for an owned value, a container of owned values, or either `| null`. */
function isAffine(t: Type, at: Node): boolean {
  const asked = t.compilerType as object;
  const settled = affineByAskedType.get(asked);
  if (settled !== undefined) return settled;
  const n = t.getNonNullableType();
  const key = n.compilerType as object;
  let result = affineCache.get(key);
  if (result === undefined) {
    affineCache.set(key, false); // a class holding itself is a mutable class: not affine
    affineInProgress++;
    try {
      result = isOwnedClassType(n);
      const decl = n.getSymbol()?.getDeclarations()[0];
      if (!result && decl && Node.isClassDeclaration(decl) && !hasMutableField(decl)) {
        result = n.getProperties().some((p) => {
          const d = p.getDeclarations()[0];
          return d !== undefined && (Node.isPropertyDeclaration(d) || Node.isParameterDeclaration(d)) && isAffine(p.getTypeAtLocation(at), at);
        });
      }
    } finally {
      affineInProgress--;
    }
    affineCache.set(key, result);
  }
  // While a computation is under way its type answers false for now: remember only final answers.
  if (affineInProgress === 0) affineByAskedType.set(asked, result);
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
function surelyNotAffine(e: Node): boolean {
  const n = e.compilerNode;
  if (PRIMITIVE_EXPRESSIONS.has(n.kind)) return true;
  if (ts.isBinaryExpression(n)) return PRIMITIVE_OPERATORS.has(n.operatorToken.kind);
  if (ts.isCallExpression(n)) {
    const sig = e.getProject().getTypeChecker().compilerObject.getResolvedSignature(n);
    return sig !== undefined && isPrimitive(sig.getReturnType());
  }
  if (ts.isIdentifier(n) || ts.isPropertyAccessExpression(n)) {
    const decl = symbolOfNode(e)?.getDeclarations()[0];
    return decl !== undefined && (Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl) || Node.isPropertyDeclaration(decl)) && isPrimitive(typeOfNode(decl).compilerType);
  }
  return false;
}

/** True when the value of an expression is affine (as `isAffine` of its type). */
function isAffineValue(e: Node): boolean {
  return !surelyNotAffine(e) && isAffine(typeOfNode(e), e);
}

/** True when a parameter declaration's type says it takes ownership: `Consumed<T>` (or `Consumed<T> | null`). */
function saysConsumed(p: Node): boolean {
  return Node.isParameterDeclaration(p) && isConsumedParam(p);
}

/** The method or function declaration a call resolves to. */
const calleeDecl = memoByObject((call: Node): Node | undefined => {
  if (!Node.isCallExpression(call) && !Node.isNewExpression(call)) return undefined;
  return call.getProject().getTypeChecker().getResolvedSignature(call)?.getDeclaration() as Node | undefined;
});

/** Parameters of a declaration, TypeScript's `this` parameter apart. */
function paramsOf(decl: Node | undefined): { self: Node | undefined; params: Node[] } {
  return decl ? paramsOfDecl(decl) : { self: undefined, params: [] };
}

const paramsOfDecl = memoByObject((decl: Node): { self: Node | undefined; params: Node[] } => {
  if (!("getParameters" in decl)) return { self: undefined, params: [] };
  const all = (decl as unknown as { getParameters(): Node[] }).getParameters();
  const self = all.find((p) => Node.isParameterDeclaration(p) && p.getName() === "this");
  return { self, params: all.filter((p) => p !== self) };
});

/** True for a method that declares `this: Consumed<…>`: calling it moves the receiver. */
export function consumesThis(decl: Node | undefined): boolean {
  const self = paramsOf(decl).self;
  return self !== undefined && saysConsumed(self);
}

/** The expression inside any parentheses. */
function bare(e: Node): Node {
  return Node.isParenthesizedExpression(e) ? bare(e.getExpression()) : e;
}

/** True for an expression that names a place without effects (`a`, `this.f`, `a[i]` with a plain index). */
function isPlainPath(e: Node): boolean {
  if (Node.isIdentifier(e) || e.getKind() === SyntaxKind.ThisKeyword || Node.isLiteralExpression(e)) return true;
  if (Node.isPropertyAccessExpression(e)) return isPlainPath(e.getExpression());
  if (Node.isElementAccessExpression(e)) return isPlainPath(e.getExpression()) && isPlainPath(e.getArgumentExpressionOrThrow());
  return false;
}

/** True for `const v = P; P = …;` (two statements, nothing in between): a take out of place P. */
function isTake(e: Node): boolean {
  if (!isPlainPath(e)) return false;
  const decl = e.getParent();
  if (!decl || !Node.isVariableDeclaration(decl) || decl.getInitializer() !== e) return false;
  const stmt = decl.getVariableStatement();
  if (!stmt || stmt.getDeclarations().length !== 1) return false;
  const next = stmt.getNextSibling();
  if (!next || !Node.isExpressionStatement(next)) return false;
  const x = next.getExpression();
  return Node.isBinaryExpression(x) && x.getOperatorToken().getKind() === SyntaxKind.EqualsToken && x.getLeft().getText().replace(/\s/g, "") === e.getText().replace(/\s/g, "");
}

/** Checks every function and method body of a source file. */
export function checkMoves(sf: SourceFile): Diagnostic[] {
  const checker = new MoveChecker();
  forEachTsDescendant(sf, (n) => {
    if (!(ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n)) || !n.body) return true;
    const node = wrap(sf, n);
    const name = Node.isFunctionDeclaration(node) ? node.getName() : undefined;
    if (name && builtinOf(node, name)) return true;
    if (Node.isMethodDeclaration(node) && node.getNameNode().getText() === "[Symbol.iterator]") return true;
    checker.thisConsumed = Node.isMethodDeclaration(node) && consumesThis(node);
    checker.block(wrap(sf, n.body), new Map());
    return false;
  });
  return checker.diagnostics;
}

class MoveChecker {
  readonly diagnostics: Diagnostic[] = [];
  /** The function being checked owns `this` (a method declaring `this: Consumed<…>`). */
  thisConsumed = false;
  private readonly reported = new Set<Node>();
  private readonly ids = new Map<TsSymbol, number>();
  /** States at the `break`s of each enclosing loop: they flow to the loop's end. */
  private readonly breaks: State[] = [];

  private error(at: Node, code: number, message: string, related?: { at: Node; message: string }): void {
    if (this.reported.has(at)) return;
    this.reported.add(at);
    const d = diagnosticAt(at, code, message);
    if (related) d.related = [diagnosticAt(related.at, code, related.message)];
    this.diagnostics.push(d);
  }

  /** The key of a tracked root: an owned local or parameter ("#n"), or a consumed `this`. */
  private rootKey(e: Node): string | undefined {
    if (e.getKind() === SyntaxKind.ThisKeyword) return this.thisConsumed ? "this" : undefined;
    if (!Node.isIdentifier(e)) return undefined;
    const sym = symbolOfNode(e);
    const decl = sym?.getDeclarations()[0];
    if (!sym || !decl || !(Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl))) return undefined;
    if (Node.isVariableDeclaration(decl) && Node.isSourceFile(decl.getParent()?.getParent()?.getParent() ?? decl)) return undefined;
    if (!isAffine(typeOfNode(decl), e)) return undefined;
    let id = this.ids.get(sym);
    if (id === undefined) this.ids.set(sym, (id = this.ids.size + 1));
    return `#${id}`;
  }

  /** The declaration of an identifier, when it is a variable or parameter. */
  private declOf(e: Node): Node | undefined {
    const decl = Node.isIdentifier(e) ? symbolOfNode(e)?.getDeclarations()[0] : undefined;
    return decl && (Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl)) ? decl : undefined;
  }

  /** Reports a use of a moved place. `whole`: the use reads the whole value, not one field. */
  private useRoot(e: Node, state: State, whole: boolean): void {
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
  private pathKey(e: Node): string | undefined {
    if (!Node.isPropertyAccessExpression(e)) return undefined;
    const key = this.rootKey(bare(e.getExpression()));
    return key ? `${key}.${e.getName()}` : undefined;
  }

  /** Records that the value of `expr` moves to a new owner (or reports why it cannot). */
  private moveOut(expr: Node, state: State, why: string): void {
    if (state === null) return;
    const e = bare(expr);
    if (Node.isConditionalExpression(e)) {
      this.moveOut(e.getWhenTrue(), state, why);
      this.moveOut(e.getWhenFalse(), state, why);
      return;
    }
    if (e.getKind() === SyntaxKind.NullKeyword || !isAffineValue(e)) return;
    if (e.getKind() === SyntaxKind.ThisKeyword) {
      if (this.thisConsumed) state.set("this", e);
      else this.error(e, Codes.SecondReference, `'this' is borrowed here, it cannot be ${why}: a method that gives its object away declares \`this: Consumed<…>\``);
      return;
    }
    if (Node.isIdentifier(e)) {
      const key = this.rootKey(e);
      const decl = this.declOf(e);
      if (!key || !decl) {
        if (!isTake(e)) this.error(e, Codes.SecondReference, `moving the module-level '${e.getText()}' would leave a second reference to its value: take it with \`const v = ${e.getText()}; ${e.getText()} = null;\``);
        return;
      }
      if (Node.isParameterDeclaration(decl) && !saysConsumed(decl) && isOwnedClassType(typeOfNode(decl))) {
        this.error(e, Codes.SecondReference, `'${e.getText()}' is borrowed (its parameter is not Consumed<T>), it cannot be ${why}: declare the parameter \`Consumed<…>\` to take ownership`);
        return;
      }
      if (Node.isVariableDeclaration(decl) && /^using\b/.test(decl.getParentOrThrow().getText())) {
        this.error(e, Codes.SecondReference, `'${e.getText()}' is a \`using\` variable, it cannot be ${why}: its disposal at the end of the scope would release the new owner's value (declare it with const)`);
        return;
      }
      state.set(key, e);
      return;
    }
    if (Node.isPropertyAccessExpression(e)) {
      const holder = bare(e.getExpression());
      const key = this.pathKey(e);
      const holderTy = typeOfNode(holder);
      if (key && !isOwnedClassType(holderTy.getNonNullableType())) {
        state.set(key, e); // a partial move out of a container local
        return;
      }
      if (key && holder.getKind() === SyntaxKind.ThisKeyword) {
        state.set(key, e); // a field of a consumed `this`
        return;
      }
      if ((Node.isCallExpression(holder) || Node.isNewExpression(holder)) && this.affineFields(holderTy, e) === 1) return; // out of a temporary
      if (isTake(e)) return;
      this.error(e, Codes.SecondReference, `'${e.getText()}' cannot be ${why}: the field would still hold it (a second reference); take it with \`const v = ${e.getText()}; ${e.getText()} = null;\``);
      return;
    }
    if (Node.isElementAccessExpression(e)) {
      if (isTake(e)) return;
      this.error(e, Codes.SecondReference, `'${e.getText()}' cannot be ${why}: the array slot would still hold it (a second reference); take it with \`const v = ${e.getText()}; ${e.getText()} = null;\` or take(slots, i)`);
    }
  }

  /** Number of fields of a container type that hold owned values. */
  private affineFields(t: Type, at: Node): number {
    return t.getNonNullableType().getProperties().filter((p) => {
      const d = p.getDeclarations()[0];
      return d !== undefined && (Node.isPropertyDeclaration(d) || Node.isParameterDeclaration(d)) && isAffine(p.getTypeAtLocation(at), at);
    }).length;
  }

  /**
   * True when argument `i` of a call moves: a `Consumed<T>` parameter, or one whose type (as
   * instantiated at this call) is a container or an optional owned value. A parameter of an
   * owned class type without Consumed borrows.
   */
  private movesArgument(call: Node, i: number): boolean {
    const p = paramsOf(calleeDecl(call)).params[i];
    if (p === undefined) return false;
    if (saysConsumed(p)) return true;
    const sig = call.getProject().getTypeChecker().getResolvedSignature(call as never);
    const t = sig?.getParameters()[i]?.getTypeAtLocation(call);
    return t !== undefined && isAffine(t, call) && !isOwnedClassType(t);
  }

  /** Analyses an expression: uses in evaluation order, each argument's move right after it. */
  private expr(node: Node, state: State): void {
    if (Node.isIdentifier(node) || node.getKind() === SyntaxKind.ThisKeyword) {
      this.useRoot(node, state, true);
      return;
    }
    if (Node.isCallExpression(node) || Node.isNewExpression(node)) {
      const callee = node.getExpression();
      this.expr(callee, state);
      const args = node.getArguments();
      // Places borrowed for the whole call (the receiver, borrowed arguments): an argument
      // after them must not move them (`x.merge(x)`, `f(x, x)` with a borrow and a move).
      const borrowed: Node[] = [];
      const receiver = Node.isPropertyAccessExpression(callee) ? bare(callee.getExpression()) : undefined;
      const consuming = Node.isCallExpression(node) && receiver !== undefined && consumesThis(calleeDecl(node));
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
    if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
      const right = node.getRight();
      this.expr(right, state);
      this.moveOut(right, state, "assigned");
      const left = bare(node.getLeft());
      const key = this.rootKey(left) ?? this.pathKey(left);
      if (key && state) {
        // A new value: the place is usable again (and every field of it).
        for (const k of [...state.keys()]) if (k === key || k.startsWith(`${key}.`)) state.delete(k);
        if (Node.isPropertyAccessExpression(left)) this.expr(left.getExpression(), state);
      } else this.expr(left, state);
      return;
    }
    if (Node.isConditionalExpression(node)) {
      this.expr(node.getCondition(), state);
      const a = state === null ? null : new Map(state);
      const b = state === null ? null : new Map(state);
      this.expr(node.getWhenTrue(), a);
      this.expr(node.getWhenFalse(), b);
      this.replace(state, merge(a, b));
      return;
    }
    if (Node.isPropertyAccessExpression(node)) {
      const key = this.pathKey(node);
      const movedAt = key && state ? state.get(key) : undefined;
      if (movedAt) {
        this.error(node, Codes.UseAfterMove, `'${node.getText()}' is used after it was moved: its value now has another owner`, { at: movedAt, message: `'${node.getText()}' was moved here` });
        return;
      }
      const holder = bare(node.getExpression());
      if (this.rootKey(holder)) this.useRoot(holder, state, false);
      else this.expr(node.getExpression(), state);
      return;
    }
    node.forEachChild((c) => this.expr(c, state));
  }

  private replace(target: State, source: State): void {
    if (target === null) return;
    target.clear();
    if (source) for (const [k, v] of source) target.set(k, v);
  }

  /** Analyses a statement list; returns the state after it (null when it cannot complete). */
  block(node: Node, state: State): State {
    let s: State = state;
    const stmts = Node.isBlock(node) ? node.getStatements() : [node];
    for (const st of stmts) s = this.stmt(st, s);
    return s;
  }

  private stmt(st: Node, state: State): State {
    if (state === null) return null;
    if (Node.isBlock(st)) return this.block(st, state);
    if (Node.isVariableStatement(st)) {
      for (const d of st.getDeclarations()) {
        const init = d.getInitializer();
        if (init) {
          this.expr(init, state);
          this.moveOut(init, state, "moved to another variable");
          const key = this.rootKey(d.getNameNode());
          if (key) for (const k of [...state.keys()]) if (k === key || k.startsWith(`${key}.`)) state.delete(k);
        }
      }
      return state;
    }
    if (Node.isExpressionStatement(st)) {
      this.expr(st.getExpression(), state);
      return state;
    }
    if (Node.isReturnStatement(st)) {
      const x = st.getExpression();
      if (x) {
        this.expr(x, state);
        this.moveOut(x, state, "returned");
      }
      return null;
    }
    if (Node.isIfStatement(st)) {
      this.expr(st.getExpression(), state);
      const a = this.stmt(st.getThenStatement(), new Map(state));
      const els = st.getElseStatement();
      const b = els ? this.stmt(els, new Map(state)) : new Map(state);
      return merge(a, b);
    }
    if (Node.isWhileStatement(st) || Node.isForStatement(st) || Node.isForOfStatement(st) || Node.isDoStatement(st)) {
      if (Node.isForStatement(st) && st.getInitializer()) this.expr(st.getInitializer()!, state);
      if (Node.isForOfStatement(st)) this.expr(st.getExpression(), state);
      this.breaks.push(null);
      let s: State = new Map(state);
      // Twice: what one iteration moves, the next iteration may use.
      for (let pass = 0; pass < 2; pass++) {
        const cond = Node.isForStatement(st) ? st.getCondition() : Node.isWhileStatement(st) || Node.isDoStatement(st) ? st.getExpression() : undefined;
        if (cond) this.expr(cond, s);
        const after = this.stmt(st.getStatement(), s === null ? null : new Map(s));
        if (Node.isForStatement(st) && st.getIncrementor()) this.expr(st.getIncrementor()!, after);
        s = merge(s, after);
      }
      return merge(merge(state, s), this.breaks.pop() ?? null);
    }
    if (Node.isBreakStatement(st)) {
      if (this.breaks.length > 0) this.breaks[this.breaks.length - 1] = merge(this.breaks[this.breaks.length - 1] ?? null, state);
      return null;
    }
    if (Node.isContinueStatement(st)) return null;
    st.forEachChild((c) => this.expr(c, state));
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
