// The oracle's source-to-source transform: a kernel program's TypeScript, as written, with
// only its integer operations made checked. Every integer operator and conversion becomes a
// call of a helper of runtime.ts (`__k.bin("+", "u32", a, b, "file:line:col")`, …) whose
// arguments are the operands in their original order, so evaluation order, control flow,
// `using`, classes and modules stay exactly as TypeScript runs them. Besides that:
//   - array reads and writes become bounds-checked (`__k.at`, `__k.set`), compound
//     assignments evaluate their target once (as JavaScript does) through an arrow;
//   - `panic(msg)` prints `panic at <call>: msg` (the line all executions print), and an
//     omitted `at: CallSite = callSite()` argument receives the call's location;
//   - relative imports get `.mjs`, and each module imports the program's runtime module.
// This works on the TypeScript AST (ts-morph's compiler nodes) and never uses keelc.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { ARITH_OPS, COMPOUND_OPS, Widths } from "./widths";

/** The runtime module every transformed module imports (per program, at its root). */
export const RUNTIME_MODULE = "__keel_rt.mjs";

/** A location as the backends print it: path relative to `root`, 1-based line and column. */
export function locationOf(node: ts.Node, root: string): string {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${path.relative(root, sf.fileName).split(path.sep).join("/")}:${line + 1}:${character + 1}`;
}

const str = (s: string) => JSON.stringify(s);

/** Transforms one source file; returns TypeScript text (transpile it to run it). With
 *  `checked` false only the imports are adapted (library modules whose bodies are the
 *  as-written meaning of builtins the transform replaces at their call sites). */
export function transformSource(sf: ts.SourceFile, checker: ts.TypeChecker, root: string, runtimeFromHere: string, checked = true): string {
  const w = new Widths(checker);
  const text = sf.getFullText();
  const loc = (n: ts.Node) => str(locationOf(n, root));

  /** Source text of a node with its children rendered. */
  function splice(node: ts.Node, from = node.getStart(sf)): string {
    let out = "";
    let pos = from;
    node.forEachChild((child) => {
      const s = child.getStart(sf);
      if (s < pos) return; // JSDoc and the like, inside the leading trivia
      out += text.slice(pos, s) + render(child);
      pos = child.getEnd();
    });
    return out + text.slice(pos, node.getEnd());
  }

  const r = (e: ts.Node) => render(e);

  function isArray(e: ts.Expression): boolean {
    return checker.isArrayType(checker.getTypeAtLocation(e));
  }

  /** `target op= value` (also ++/--): the target evaluated once, the value after the read. */
  function compound(target: ts.Expression, op: string, value: string, at: ts.Node): string {
    const kind = w.kindAt(target);
    const apply = (read: string) => `__k.bin(${str(op)}, ${str(kind)}, ${read}, ${value}, ${loc(at)})`;
    while (ts.isParenthesizedExpression(target)) target = target.expression;
    if (ts.isIdentifier(target)) return `${target.text} = ${apply(target.text)}`;
    if (ts.isPropertyAccessExpression(target)) {
      const obj = target.expression;
      const name = target.name.getText(sf);
      if (obj.kind === ts.SyntaxKind.ThisKeyword || ts.isIdentifier(obj)) return `${r(obj)}.${name} = ${apply(`${r(obj)}.${name}`)}`;
      return `((__keel_o) => __keel_o.${name} = ${apply(`__keel_o.${name}`)})(${r(obj)})`;
    }
    if (ts.isElementAccessExpression(target) && isArray(target.expression)) {
      const l = loc(target);
      return `((__keel_a, __keel_i) => __k.set(__keel_a, __keel_i, ${apply(`__k.at(__keel_a, __keel_i, ${l})`)}, ${l}))(${r(target.expression)}, ${r(target.argumentExpression)})`;
    }
    throw new Error(`oracle: unsupported assignment target ${target.getText(sf)} at ${locationOf(target, root)}`);
  }

  /** The replacement of a node, or undefined to keep it (with its children rendered). */
  function rewrite(node: ts.Node): string | undefined {
    if (!checked && !ts.isImportDeclaration(node) && !ts.isExportDeclaration(node)) return undefined;
    // Enum members are constants (TypeScript folds them); they stay as written.
    if (ts.isEnumDeclaration(node)) return node.getText(sf);
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      const arith = ARITH_OPS.get(op);
      if (arith && w.isInteger(node)) {
        // `& | ^ >>` cannot fail and are exact whatever the width: on literals alone (no width
        // anywhere) only the representation matters, which TypeScript's type gives.
        const exact = ["&", "|", "^", ">>"].includes(arith) && !w.kindOf(node) && !w.contextKind(node);
        const kind = exact ? (w.isBigInt(node) ? "u64" : "u32") : w.kindAt(node);
        return `__k.bin(${str(arith)}, ${str(kind)}, ${r(node.left)}, ${r(node.right)}, ${loc(node)})`;
      }
      const comp = COMPOUND_OPS.get(op);
      if (comp && w.isInteger(node.left)) return compound(node.left, comp, r(node.right), node);
      if (op === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(node.left) && isArray(node.left.expression)) {
        const t = node.left;
        return `__k.set(${r(t.expression)}, ${r(t.argumentExpression)}, ${r(node.right)}, ${loc(t)})`;
      }
      return undefined;
    }
    if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
      if (!w.isInteger(node.operand)) return undefined;
      const one = w.kindAt(node.operand).endsWith("64") ? "1n" : "1";
      return `(${compound(node.operand, node.operator === ts.SyntaxKind.PlusPlusToken ? "+" : "-", one, node)})`;
    }
    if (ts.isPrefixUnaryExpression(node) && w.isInteger(node)) {
      const operand = node.operand;
      if (node.operator === ts.SyntaxKind.MinusToken && !ts.isNumericLiteral(operand) && !ts.isBigIntLiteral(operand)) return `__k.neg(${str(w.kindAt(node))}, ${r(operand)}, ${loc(node)})`;
      if (node.operator === ts.SyntaxKind.TildeToken) return `__k.not(${str(w.kindAt(node))}, ${r(operand)})`;
      return undefined;
    }
    if (ts.isCallExpression(node)) return call(node);
    if (ts.isElementAccessExpression(node) && isArray(node.expression)) {
      return `__k.at(${r(node.expression)}, ${r(node.argumentExpression)}, ${loc(node)})`;
    }
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      if (!spec.startsWith(".")) return undefined;
      const start = node.getStart(sf);
      const at = node.moduleSpecifier.getStart(sf);
      return text.slice(start, at) + str(mjsSpecifier(sf.fileName, spec)) + text.slice(node.moduleSpecifier.getEnd(), node.getEnd());
    }
    return undefined;
  }

  function call(e: ts.CallExpression): string | undefined {
    const args = e.arguments.map(r);
    const builtin = w.builtinName(e);
    if (builtin) {
      const kind = w.kindOf(e) ?? w.kindAt(e);
      if (/^(u|i)(8|16|32|64)$|^usize$/.test(builtin)) return `__k.conv(${str(kind)}, ${args[0]}, ${loc(e)})`;
      if (builtin.startsWith("trunc")) return `__k.trunc(${str(kind)}, ${args[0]})`;
      const op = { wrappingAdd: "+", wrappingSub: "-", wrappingMul: "*" }[builtin];
      if (op) return `__k.wrap(${str(op)}, ${str(kind)}, ${args[0]}, ${args[1]})`;
    }
    if (w.libFunction(e, "kernel/lib/panic.ts") === "panic") return `__k.panic(${loc(e)}, ${args[0]})`;
    // Omitted `at: CallSite = callSite()` parameters: the caller's location, as keelc passes it.
    const decl = checker.getResolvedSignature(e)?.declaration;
    if (decl && !ts.isJSDocSignature(decl)) {
      const extra: string[] = [];
      for (let i = e.arguments.length; i < decl.parameters.length; i++) {
        const p = decl.parameters[i]!;
        if (p.type?.getText() === "CallSite" && p.initializer?.getText() === "callSite()") extra.push(loc(e));
      }
      if (extra.length) {
        const typeArgs = e.typeArguments ? `<${e.typeArguments.map((t) => t.getText(sf)).join(", ")}>` : "";
        return `${r(e.expression)}${typeArgs}(${[...args, ...extra].join(", ")})`;
      }
    }
    return undefined;
  }

  function render(node: ts.Node): string {
    return rewrite(node) ?? splice(node);
  }

  const body = splice(sf, 0);
  return `import { __keel as __k } from ${str(runtimeFromHere)};\n${body}`;
}

/** The .ts file a relative import names: `./x` is x.ts, or x/index.ts for a folder (as TypeScript resolves it). */
export function resolveRelativeImport(fromFile: string, spec: string): string {
  const base = path.resolve(path.dirname(fromFile), spec.replace(/\.ts$/, ""));
  if (fs.existsSync(`${base}.ts`)) return `${base}.ts`;
  if (fs.existsSync(path.join(base, "index.ts"))) return path.join(base, "index.ts");
  return `${base}.ts`;
}

/** The specifier of a relative import in the emitted JavaScript (`./x.mjs`, `./x/index.mjs`). */
function mjsSpecifier(fromFile: string, spec: string): string {
  const target = resolveRelativeImport(fromFile, spec);
  const rel = path.relative(path.dirname(fromFile), target).split(path.sep).join("/").replace(/\.ts$/, ".mjs");
  return rel.startsWith(".") ? rel : `./${rel}`;
}
