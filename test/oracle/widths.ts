// The oracle's own width inference: which integer kind (u8 … i64) an expression has.
// TypeScript erases `type u32 = number`, so this reads annotation text, as docs/subset.md
// says keelc does, but is written separately from keelc (compiler/src is not used): an
// identifier has its declaration's annotation (or its initializer's kind), a property its
// field's, a call its declared return type, an element its array's element type; a literal
// takes the kind its context expects (the other operand, the assignment target, the
// parameter, the return type).
import ts from "typescript";
import type { Kind } from "./runtime";

const KINDS: Record<string, Kind> = { u8: "u8", u16: "u16", u32: "u32", u64: "u64", usize: "u64", i8: "i8", i16: "i16", i32: "i32", i64: "i64" };

/** Arithmetic operators whose operands share the result's kind. */
export const ARITH_OPS: ReadonlyMap<ts.SyntaxKind, string> = new Map([
  [ts.SyntaxKind.PlusToken, "+"],
  [ts.SyntaxKind.MinusToken, "-"],
  [ts.SyntaxKind.AsteriskToken, "*"],
  [ts.SyntaxKind.SlashToken, "/"],
  [ts.SyntaxKind.PercentToken, "%"],
  [ts.SyntaxKind.LessThanLessThanToken, "<<"],
  [ts.SyntaxKind.GreaterThanGreaterThanToken, ">>"],
  [ts.SyntaxKind.AmpersandToken, "&"],
  [ts.SyntaxKind.BarToken, "|"],
  [ts.SyntaxKind.CaretToken, "^"],
]);

/** Compound assignments and the operator each applies. */
export const COMPOUND_OPS: ReadonlyMap<ts.SyntaxKind, string> = new Map([
  [ts.SyntaxKind.PlusEqualsToken, "+"],
  [ts.SyntaxKind.MinusEqualsToken, "-"],
  [ts.SyntaxKind.AsteriskEqualsToken, "*"],
  [ts.SyntaxKind.SlashEqualsToken, "/"],
  [ts.SyntaxKind.PercentEqualsToken, "%"],
  [ts.SyntaxKind.LessThanLessThanEqualsToken, "<<"],
  [ts.SyntaxKind.GreaterThanGreaterThanEqualsToken, ">>"],
  [ts.SyntaxKind.AmpersandEqualsToken, "&"],
  [ts.SyntaxKind.BarEqualsToken, "|"],
  [ts.SyntaxKind.CaretEqualsToken, "^"],
]);

const COMPARE_OPS = new Set([
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
]);

/** Thrown when the oracle cannot tell an expression's width (a gap to fix here, not a verdict). */
export class WidthUnknown extends Error {}

/** Type parameter name → the type node it stands for at one use. */
type Subst = Map<string, ts.TypeNode>;

export class Widths {
  constructor(private readonly checker: ts.TypeChecker) {}

  /** True when TypeScript types the expression as number or bigint. */
  isInteger(e: ts.Node): boolean {
    const t = this.checker.getTypeAtLocation(e);
    return (t.flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) !== 0;
  }

  /** True when TypeScript types the expression as bigint. */
  isBigInt(e: ts.Node): boolean {
    return (this.checker.getTypeAtLocation(e).flags & ts.TypeFlags.BigIntLike) !== 0;
  }

  /** The kind of an integer expression; throws WidthUnknown when nothing tells it. */
  kindAt(e: ts.Expression): Kind {
    const k = this.kindOf(e) ?? this.contextKind(e);
    if (k) return k;
    const sf = e.getSourceFile();
    const { line, character } = sf.getLineAndCharacterOfPosition(e.getStart());
    throw new WidthUnknown(`oracle: cannot tell the width of '${e.getText()}' at ${sf.fileName}:${line + 1}:${character + 1}`);
  }

  /** The kind an expression has by itself; null for a literal or when unknown. */
  kindOf(e: ts.Expression): Kind | null {
    if (ts.isParenthesizedExpression(e)) return this.kindOf(e.expression);
    if (ts.isNumericLiteral(e) || ts.isBigIntLiteral(e)) return null;
    if (ts.isPrefixUnaryExpression(e)) {
      if (e.operator === ts.SyntaxKind.ExclamationToken) return null;
      return this.kindOf(e.operand);
    }
    if (ts.isPostfixUnaryExpression(e)) return this.kindOf(e.operand);
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (ARITH_OPS.has(op) || COMPOUND_OPS.has(op) || op === ts.SyntaxKind.EqualsToken) return this.kindOf(e.left) ?? this.kindOf(e.right);
      return null;
    }
    if (ts.isConditionalExpression(e)) return this.kindOf(e.whenTrue) ?? this.kindOf(e.whenFalse);
    if (ts.isCallExpression(e)) return this.callKind(e);
    if (ts.isElementAccessExpression(e)) return this.kindOfType(this.elementType(e.expression));
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      if (ts.isPropertyAccessExpression(e) && e.name.text === "length" && this.checker.isArrayType(this.checker.getTypeAtLocation(e.expression))) return "u32";
      const decl = this.declOf(e);
      if (!decl) return null;
      if (ts.isEnumMember(decl)) return "i32";
      if (ts.isVariableDeclaration(decl) && !decl.type && !decl.initializer && ts.isForOfStatement(decl.parent.parent)) return this.iterKind(decl.parent.parent.expression);
      const t = this.declaredType(decl, e);
      if (t) return this.kindOfType(t);
      const init = (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl)) && decl.initializer;
      return init ? this.kindOf(init) : null;
    }
    return null;
  }

  /** The kind the context of a literal-only expression expects. */
  contextKind(e: ts.Expression): Kind | null {
    const p = e.parent;
    // (Never kindOf(p): it would descend into e again.)
    if (ts.isParenthesizedExpression(p) || ts.isPrefixUnaryExpression(p)) return this.contextKind(p);
    if (ts.isConditionalExpression(p)) {
      if (p.condition === e) return null;
      return this.kindOf(p.whenTrue === e ? p.whenFalse : p.whenTrue) ?? this.contextKind(p);
    }
    if (ts.isBinaryExpression(p)) {
      const op = p.operatorToken.kind;
      const other = p.left === e ? p.right : p.left;
      if (ARITH_OPS.has(op)) return this.kindOf(other) ?? this.contextKind(p);
      if (COMPARE_OPS.has(op) || COMPOUND_OPS.has(op) || op === ts.SyntaxKind.EqualsToken) return this.kindOf(other);
      return null;
    }
    if ((ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isParameter(p)) && p.initializer === e) return p.type ? this.kindOfType(p.type) : null;
    if (ts.isReturnStatement(p)) {
      let f: ts.Node = p;
      while (!ts.isFunctionLike(f)) f = f.parent;
      return f.type ? this.kindOfType(f.type) : null;
    }
    if (ts.isElementAccessExpression(p) && p.argumentExpression === e) return "u32";
    if (ts.isCaseClause(p)) return this.kindOf(p.parent.parent.expression);
    if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.includes(e)) {
      const sig = this.checker.getResolvedSignature(p);
      const decl = sig?.declaration;
      const i = p.arguments.indexOf(e);
      if (ts.isCallExpression(p) && ts.isPropertyAccessExpression(p.expression) && p.expression.name.text === "fill") {
        return this.kindOfType(this.elementType(p.expression.expression));
      }
      if (decl && !ts.isJSDocSignature(decl) && decl.parameters[i]?.type) return this.kindOfType(decl.parameters[i]!.type!, this.substAt(p, decl));
    }
    return null;
  }

  /** A call's kind: conversions and wrapping builtins by name, else the declared return type. */
  private callKind(e: ts.CallExpression): Kind | null {
    const builtin = this.builtinName(e);
    if (builtin) {
      if (builtin in KINDS) return KINDS[builtin]!;
      if (builtin.startsWith("trunc")) return KINDS[builtin.slice(5).toLowerCase()]!;
      if (builtin.startsWith("wrapping")) return this.kindOf(e.arguments[0]!) ?? this.kindOf(e.arguments[1]!) ?? this.contextKind(e);
    }
    const decl = this.checker.getResolvedSignature(e)?.declaration;
    if (!decl || ts.isJSDocSignature(decl) || !decl.type) return null;
    return this.kindOfType(decl.type, this.substAt(e, decl));
  }

  /** Name of a kernel/lib/int.ts function called here (u8, truncU8, wrappingAdd, …), if any. */
  builtinName(e: ts.CallExpression): string | null {
    const name = this.libFunction(e, "kernel/lib/int.ts");
    return name && (name in KINDS || /^(trunc|wrapping)/.test(name)) ? name : null;
  }

  /** The name of the function of `libFile` that `e` calls, or null. */
  libFunction(e: ts.CallExpression, libFile: string): string | null {
    if (!ts.isIdentifier(e.expression)) return null;
    const decl = this.declOf(e.expression);
    if (!decl || !ts.isFunctionDeclaration(decl) || !decl.getSourceFile().fileName.endsWith(libFile)) return null;
    return decl.name?.text ?? null;
  }

  /** Type parameters of a generic callee, bound at one call (explicitly, or from the arguments). */
  private substAt(call: ts.CallExpression | ts.NewExpression, decl: ts.SignatureDeclaration): Subst {
    const s: Subst = new Map();
    const owner = ts.isConstructorDeclaration(decl) ? decl.parent : decl;
    const params = (owner as ts.DeclarationWithTypeParameterChildren).typeParameters ?? [];
    call.typeArguments?.forEach((t, i) => params[i] && s.set(params[i]!.name.text, t));
    // Methods of generic classes: the receiver's type arguments.
    if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && ts.isClassLike(decl.parent)) {
      this.classSubst(call.expression.expression, decl.parent, s);
    }
    return s;
  }

  /** Binds a class's type parameters from the declared type of an instance expression. */
  private classSubst(obj: ts.Expression, cls: ts.ClassLikeDeclaration, s: Subst): void {
    const t = this.typeOfExpr(obj);
    const ref = t && this.unwrap(t);
    if (!ref || !ts.isTypeReferenceNode(ref)) return;
    // Up the instance's class chain to `cls` (`U32Array extends FixedArray<u32>`), binding each
    // level's type parameters from the level below.
    let cur = this.classNamed(ref.typeName);
    let args: readonly ts.TypeNode[] = ref.typeArguments ?? [];
    let below: Subst = new Map();
    while (cur) {
      const here: Subst = new Map();
      cur.typeParameters?.forEach((p, i) => {
        const a = args[i];
        if (a) here.set(p.name.text, this.substitute(a, below));
      });
      if (cur === cls) {
        here.forEach((v, k) => s.set(k, v));
        return;
      }
      const ext = cur.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      if (!ext) return;
      args = ext.typeArguments ?? [];
      below = here;
      cur = this.classNamed(ext.expression);
    }
  }

  /** The class a type name or heritage expression names, or undefined. */
  private classNamed(name: ts.Node): ts.ClassLikeDeclaration | undefined {
    let sym = this.checker.getSymbolAtLocation(ts.isQualifiedName(name) ? name.right : name);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    const d = sym?.valueDeclaration ?? sym?.declarations?.[0];
    return d && ts.isClassLike(d) ? d : undefined;
  }

  /** The declaration an identifier or property access refers to (through imports). */
  private declOf(e: ts.Identifier | ts.PropertyAccessExpression): ts.Declaration | undefined {
    let sym = this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(e) ? e.name : e);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    return sym?.valueDeclaration ?? sym?.declarations?.[0];
  }

  /** The annotated type of a declaration, as seen through `use` (generic classes bound). */
  private declaredType(decl: ts.Declaration, use: ts.Expression): ts.TypeNode | null {
    let t: ts.TypeNode | undefined;
    if (ts.isVariableDeclaration(decl) || ts.isParameter(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertySignature(decl)) t = decl.type;
    else if (ts.isGetAccessorDeclaration(decl)) t = decl.type;
    if (!t) return null;
    if (ts.isPropertyAccessExpression(use) && ts.isClassLike(decl.parent) && decl.parent.typeParameters) {
      const s: Subst = new Map();
      this.classSubst(use.expression, decl.parent, s);
      return this.substitute(t, s);
    }
    return t;
  }

  /** The declared type node of an expression, when it has one. */
  private typeOfExpr(e: ts.Expression): ts.TypeNode | null {
    if (ts.isParenthesizedExpression(e)) return this.typeOfExpr(e.expression);
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      const decl = this.declOf(e);
      if (!decl) return null;
      const t = this.declaredType(decl, e);
      if (t) return t;
      const init = (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl)) && decl.initializer;
      return init ? this.typeOfExpr(init) : null;
    }
    if (ts.isCallExpression(e)) {
      // new Array<T>(n).fill(v): an array of T.
      if (ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "fill") return this.typeOfExpr(e.expression.expression);
      const decl = this.checker.getResolvedSignature(e)?.declaration;
      if (decl && !ts.isJSDocSignature(decl) && decl.type) return this.substitute(decl.type, this.substAt(e, decl));
      return null;
    }
    if (ts.isNewExpression(e) && ts.isIdentifier(e.expression)) {
      if (e.expression.text === "Array" && e.typeArguments?.[0]) return ts.factory.createArrayTypeNode(e.typeArguments[0]);
      return ts.factory.createTypeReferenceNode(e.expression, e.typeArguments);
    }
    if (ts.isElementAccessExpression(e)) return this.elementType(e.expression);
    return null;
  }

  /** The element type of an array expression. */
  private elementType(arr: ts.Expression): ts.TypeNode | null {
    const t = this.typeOfExpr(arr);
    const u = t && this.unwrap(t);
    if (!u) return null;
    if (ts.isArrayTypeNode(u)) return u.elementType;
    if (ts.isTypeReferenceNode(u) && ts.isIdentifier(u.typeName) && ["Array", "ReadonlyArray"].includes(u.typeName.text)) return u.typeArguments?.[0] ?? null;
    return null;
  }

  /** The element kind of a for…of over a range class (its iterAt's return type). */
  private iterKind(range: ts.Expression): Kind | null {
    const prop = this.checker.getTypeAtLocation(range).getProperty("iterAt");
    const decl = prop?.valueDeclaration;
    return decl && ts.isMethodDeclaration(decl) && decl.type ? this.kindOfType(decl.type) : null;
  }

  /** Strips parentheses, `readonly`, `| null`, and expands type aliases. */
  private unwrap(t: ts.TypeNode, depth = 0): ts.TypeNode {
    if (depth > 20) return t;
    if (ts.isParenthesizedTypeNode(t)) return this.unwrap(t.type, depth + 1);
    if (ts.isTypeOperatorNode(t) && t.operator === ts.SyntaxKind.ReadonlyKeyword) return this.unwrap(t.type, depth + 1);
    if (ts.isUnionTypeNode(t)) {
      const rest = t.types.filter((m) => !(ts.isLiteralTypeNode(m) && m.literal.kind === ts.SyntaxKind.NullKeyword));
      if (rest.length === 1) return this.unwrap(rest[0]!, depth + 1);
    }
    if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && !(t.typeName.text in KINDS) && t.pos >= 0) {
      let sym = this.checker.getSymbolAtLocation(t.typeName);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
      const d = sym?.declarations?.[0];
      if (d && ts.isTypeAliasDeclaration(d) && !d.typeParameters) return this.unwrap(d.type, depth + 1);
    }
    return t;
  }

  /** Replaces bound type parameters in a type node (only at the top, which is where kinds are read). */
  private substitute(t: ts.TypeNode, s: Subst): ts.TypeNode {
    if (s.size === 0) return t;
    if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && s.has(t.typeName.text)) return s.get(t.typeName.text)!;
    if (ts.isUnionTypeNode(t)) {
      const rest = t.types.filter((m) => !(ts.isLiteralTypeNode(m) && m.literal.kind === ts.SyntaxKind.NullKeyword));
      if (rest.length === 1) return this.substitute(rest[0]!, s);
    }
    if (ts.isArrayTypeNode(t)) return ts.factory.createArrayTypeNode(this.substitute(t.elementType, s));
    return t;
  }

  /** The kind a type annotation names (u32, a Keel alias of one, `u32 | null`, …). */
  kindOfType(t: ts.TypeNode | null, s: Subst = new Map()): Kind | null {
    if (!t) return null;
    const u = this.unwrap(this.substitute(t, s));
    if (ts.isTypeReferenceNode(u) && ts.isIdentifier(u.typeName)) return KINDS[u.typeName.text] ?? null;
    return null;
  }
}
