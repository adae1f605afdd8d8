// The move check: a local holding an owned object (a class extending kernel/lib/owned.ts's
// Owned) is moved when it is passed to a `Consumed<T>` parameter, returned, or assigned to
// another variable; any later use of it is an error that points at the use and at the move.
// The analysis is flow-sensitive over the AST: branches merge what they may have moved,
// loop bodies run twice (so a move in one iteration meets a use in the next), and
// reassigning a `let` gives it a new object.
import { Node, SyntaxKind, type Identifier, type SourceFile, type Symbol as TsSymbol, type Type } from "ts-morph";
import { builtinOf } from "./builtins";
import { Codes, diagnosticAt, type Diagnostic } from "./diagnostics";

/** Where each owned local may have been moved; null means unreachable code. */
type State = Map<TsSymbol, Node> | null;

function isOwnedType(t: Type): boolean {
  for (let c: Type | undefined = t; c; c = c.getBaseTypes()[0]) {
    const sym = c.getSymbol();
    const decl = sym?.getDeclarations()[0];
    if (sym?.getName() === "Owned" && decl && decl.getSourceFile().getFilePath().endsWith("/kernel/lib/owned.ts")) return true;
  }
  return false;
}

function merge(a: State, b: State): State {
  if (a === null) return b === null ? null : new Map(b);
  if (b === null) return new Map(a);
  const out = new Map(a);
  for (const [k, v] of b) if (!out.has(k)) out.set(k, v);
  return out;
}

/** Checks every function and method body of a source file. */
export function checkMoves(sf: SourceFile): Diagnostic[] {
  const checker = new MoveChecker();
  sf.forEachDescendant((node, traversal) => {
    if ((Node.isFunctionDeclaration(node) || Node.isMethodDeclaration(node) || Node.isConstructorDeclaration(node) || Node.isGetAccessorDeclaration(node)) && node.getBody()) {
      const name = Node.isFunctionDeclaration(node) ? node.getName() : undefined;
      if (name && builtinOf(node, name)) return;
      checker.block(node.getBody()!, new Map());
      traversal.skip();
    }
  });
  return checker.diagnostics;
}

class MoveChecker {
  readonly diagnostics: Diagnostic[] = [];
  private readonly reported = new Set<Node>();
  /** States at the `break`s of each enclosing loop: they flow to the loop's end. */
  private readonly breaks: State[] = [];

  /** Symbol of an identifier that names an owned local or parameter, else undefined. */
  private ownedLocal(id: Node): TsSymbol | undefined {
    if (!Node.isIdentifier(id)) return undefined;
    const sym = id.getSymbol();
    const decl = sym?.getDeclarations()[0];
    if (!sym || !decl || !(Node.isVariableDeclaration(decl) || Node.isParameterDeclaration(decl))) return undefined;
    if (Node.isVariableDeclaration(decl) && Node.isSourceFile(decl.getParent()?.getParent()?.getParent() ?? decl)) return undefined;
    return isOwnedType(decl.getType()) ? sym : undefined;
  }

  private use(id: Identifier, state: State): void {
    if (state === null) return;
    const sym = this.ownedLocal(id);
    if (!sym) return;
    const movedAt = state.get(sym);
    if (!movedAt || this.reported.has(id)) return;
    this.reported.add(id);
    const d = diagnosticAt(id, Codes.UseAfterMove, `'${id.getText()}' is used after it was moved: its object now has another owner`);
    d.related = [{ ...diagnosticAt(movedAt, Codes.UseAfterMove, `'${id.getText()}' was moved here`) }];
    this.diagnostics.push(d);
  }

  private move(expr: Node, state: State): void {
    if (state === null) return;
    const e = Node.isParenthesizedExpression(expr) ? expr.getExpression() : expr;
    const sym = this.ownedLocal(e);
    if (sym) state.set(sym, e);
  }

  /** True when argument i of a call goes to a `Consumed<T>` parameter. */
  private consumes(call: Node, i: number): boolean {
    if (!Node.isCallExpression(call) && !Node.isNewExpression(call)) return false;
    const sig = call.getProject().getTypeChecker().getResolvedSignature(call);
    const decl = sig?.getDeclaration();
    if (!decl || !("getParameters" in decl)) return false;
    const params = (decl as unknown as { getParameters(): Node[] }).getParameters();
    const p = params[i];
    return p !== undefined && Node.isParameterDeclaration(p) && /^Consumed\s*</.test(p.getTypeNode()?.getText() ?? "");
  }

  /** Analyses an expression: uses first (in evaluation order), then the moves it makes. */
  private expr(node: Node, state: State): void {
    if (Node.isIdentifier(node)) {
      this.use(node, state);
      return;
    }
    if (Node.isCallExpression(node) || Node.isNewExpression(node)) {
      const callee = node.getExpression();
      this.expr(callee, state);
      const args = node.getArguments();
      args.forEach((a) => this.expr(a, state));
      args.forEach((a, i) => {
        if (this.consumes(node, i)) this.move(a, state);
      });
      return;
    }
    if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
      this.expr(node.getRight(), state);
      this.move(node.getRight(), state);
      const left = node.getLeft();
      const sym = this.ownedLocal(left);
      if (sym && state) state.delete(sym); // a new object: the local is usable again
      else this.expr(left, state);
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
      this.expr(node.getExpression(), state);
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
          this.move(init, state);
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
      if (x) this.expr(x, state);
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
