// Mapping TypeScript type annotations to Keel types. TypeScript erases aliases of
// primitives (`type u64 = bigint` reports as bigint), so widths are read from the
// annotation's syntax: the name `u64` in `let x: u64` is what carries the width.
import { Node, SyntaxKind, ts, type TypeNode } from "ts-morph";
import { Codes, fail } from "./diagnostics";
import type { IntKind, Ty } from "./ir";
import { structTyOf, type Env } from "./classes";
import { globalCName } from "./names";
import { importedSymbolOf } from "./memo";
import { nameOf, wrapNode } from "./tree";

export const INT_KINDS: readonly IntKind[] = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];

/** Bits, signedness and range of each integer kind. */
export function intInfo(kind: IntKind): { bits: number; signed: boolean; min: bigint; max: bigint; big: boolean } {
  const bits = Number(kind.slice(1));
  const signed = kind[0] === "i";
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  return { bits, signed, min, max, big: bits === 64 };
}

export const T = {
  int: (kind: IntKind): Ty & { k: "int" } => ({ k: "int", kind }),
  bool: { k: "bool" } as Ty,
  void: { k: "void" } as Ty,
  never: { k: "never" } as Ty,
  string: { k: "string" } as Ty,
};

/** Keel integer kind for a type name of kernel/lib/int.ts, or null. */
export function intKindOfName(name: string): IntKind | null {
  if (name === "usize") return "u64";
  return (INT_KINDS as readonly string[]).includes(name) ? (name as IntKind) : null;
}

/** Readable name of a type for messages. */
export function showTy(t: Ty): string {
  switch (t.k) {
    case "int":
      return t.kind;
    case "fn":
      return `(${t.params.map(showTy).join(", ")}) => ${showTy(t.ret)}${t.nullable ? " | null" : ""}`;
    case "struct":
      return t.cname.replace(/^.*__/, "");
    case "opt":
      return `${showTy(t.inner)} | null`;
    case "array":
      return `${showTy(t.elem)}[]`;
    default:
      return t.k === "bool" ? "bool" : t.k;
  }
}

/** Structural equality of Keel types (nullability of function pointers aside). */
export function sameTy(a: Ty, b: Ty): boolean {
  if (a.k !== b.k) return false;
  if (a.k === "int" && b.k === "int") return a.kind === b.kind;
  if (a.k === "struct" && b.k === "struct") return a.cname === b.cname;
  if (a.k === "opt" && b.k === "opt") return sameTy(a.inner, b.inner);
  if (a.k === "array" && b.k === "array") return sameTy(a.elem, b.elem);
  if (a.k === "fn" && b.k === "fn") {
    return a.params.length === b.params.length && a.params.every((p, i) => sameTy(p, b.params[i]!)) && sameTy(a.ret, b.ret);
  }
  return true;
}

/** Maps a type annotation to a Keel type, or reports why it cannot. `env` binds type parameters. */
export function mapTypeNode(node: TypeNode, env: Env = new Map()): Ty {
  // The common case without ts-morph's wrappers: a sized integer (`u64`).
  const cn = node.compilerNode;
  if (ts.isTypeReferenceNode(cn) && ts.isIdentifier(cn.typeName)) {
    const kind = intKindOfName(cn.typeName.getText());
    if (kind) return T.int(kind);
  }
  if (Node.isParenthesizedTypeNode(node)) return mapTypeNode(node.getTypeNode(), env);
  switch (node.getKind()) {
    case SyntaxKind.BooleanKeyword:
      return T.bool;
    case SyntaxKind.VoidKeyword:
      return T.void;
    case SyntaxKind.NeverKeyword:
      return T.never;
    case SyntaxKind.StringKeyword:
      return T.string;
    case SyntaxKind.NumberKeyword:
    case SyntaxKind.BigIntKeyword:
      fail(node, Codes.UnsizedInteger, `'${node.getText()}' has no width: use a sized integer type (u8, u16, u32, u64, i8, i16, i32, i64, usize)`);
    case SyntaxKind.AnyKeyword:
    case SyntaxKind.UnknownKeyword:
      fail(node, Codes.AnyType, `'${node.getText()}' is not allowed in kernel code: every value needs a precise type`);
  }
  if (Node.isTypeReference(node)) {
    // (A sized integer's name was answered above: a qualified name is never one.)
    const name = node.compilerNode.typeName.getText(node.getSourceFile().compilerNode);
    if (name === "bool") return T.bool;
    if (name === "CallSite") return T.string;
    const bound = env.get(name);
    if (bound) return bound;
    const declared = importedSymbolOf(node, node.compilerNode.typeName)?.declarations?.[0];
    const decl = declared && wrapNode(node, declared);
    if (decl && Node.isClassDeclaration(decl)) {
      if (decl.isAbstract()) fail(node, Codes.UnsupportedType, `abstract class '${name}' has no layout of its own: use one of its concrete classes`);
      const args = node.getTypeArguments().map((a) => mapTypeNode(a, env));
      if (args.length !== decl.getTypeParameters().length) fail(node, Codes.UnsupportedType, `give every type argument of '${name}'`);
      return structTyOf(decl, args);
    }
    if (decl && Node.isTypeAliasDeclaration(decl)) {
      // Aliases expand in place, generic ones with their arguments (Consumed<T> is T).
      const params = decl.getTypeParameters();
      const args = node.getTypeArguments();
      if (args.length !== params.length) fail(node, Codes.UnsupportedType, `give every type argument of '${name}'`);
      const aliasEnv: Env = new Map(params.map((p, i) => [nameOf(p), mapTypeNode(args[i]!, env)]));
      return mapTypeNode(decl.getTypeNodeOrThrow(), aliasEnv);
    }
    if (decl && Node.isEnumDeclaration(decl)) {
      // An i32 to the checks and both backends; C declares it as an enum so GDB prints names.
      const members = decl.getMembers().map((m): [string, number] => [nameOf(m), Number(m.getValue())]);
      return { ...T.int("i32"), enumOf: { cname: globalCName(decl.getSourceFile(), nameOf(decl)), members } };
    }
  }
  if (Node.isArrayTypeNode(node)) return { k: "array", elem: mapTypeNode(node.getElementTypeNode(), env) };
  if (Node.isFunctionTypeNode(node)) {
    const params = node.getParameters().map((p) => {
      const tn = p.getTypeNode();
      if (!tn) fail(p, Codes.MissingAnnotation, "function type parameters need a type");
      return mapTypeNode(tn, env);
    });
    return { k: "fn", params, ret: mapTypeNode(node.getReturnTypeNodeOrThrow(), env), nullable: false };
  }
  if (Node.isUnionTypeNode(node)) {
    const parts = node.getTypeNodes();
    const isNull = (t: TypeNode) => Node.isLiteralTypeNode(t) && t.getLiteral().getKind() === SyntaxKind.NullKeyword;
    const rest = parts.filter((t) => !isNull(t));
    if (rest.length === 1 && parts.length === 2) {
      const inner = mapTypeNode(rest[0]!, env);
      if (inner.k === "fn") return { ...inner, nullable: true };
      return { k: "opt", inner };
    }
  }
  fail(node, Codes.UnsupportedType, `type '${node.getText()}' is not supported in kernel code`);
}
