// Phase 2, check: the subset rules that are visible in the syntax alone, each with its
// own diagnostic code. All violations of the program are collected, not just the first.
// Rules that need types (width mixing, moves) are enforced while lowering.
import { SyntaxKind, ts, type SourceFile } from "ts-morph";
import { builtinOf, isHostOnlyFile } from "./builtins";
import { Codes, diagnosticAt, type Diagnostic } from "./diagnostics";
import { typeOfTsNode } from "./memo";
import { checkerOf, forEachTsDescendant, wrap } from "./tree";

/** A rule gets TypeScript's node, not its wrapper: the walk wraps only what a rule reports or asks the type of (tree.ts). */
type Rule = (node: ts.Node, sf: SourceFile) => Diagnostic | null;

const RULES: Partial<Record<SyntaxKind, Rule>> = {
  [SyntaxKind.AnyKeyword]: (n, sf) => at(sf, n, Codes.AnyType, "'any' is not allowed in kernel code: every value needs a precise type"),
  [SyntaxKind.UnknownKeyword]: (n, sf) => at(sf, n, Codes.AnyType, "'unknown' is not allowed in kernel code: every value needs a precise type"),
  [SyntaxKind.ArrowFunction]: (n, sf) => at(sf, n, Codes.Closure, "closures are not supported in kernel code: pass a top-level function instead"),
  [SyntaxKind.FunctionExpression]: (n, sf) => at(sf, n, Codes.Closure, "function expressions are not supported in kernel code: declare a top-level function"),
  [SyntaxKind.ThrowStatement]: (n, sf) => at(sf, n, Codes.Exception, "exceptions are not supported in kernel code: call panic() or return null"),
  [SyntaxKind.TryStatement]: (n, sf) => at(sf, n, Codes.Exception, "try/catch is not supported in kernel code: there are no exceptions"),
  [SyntaxKind.AwaitExpression]: (n, sf) => at(sf, n, Codes.Async, "await is not supported in kernel code"),
  [SyntaxKind.AsyncKeyword]: (n, sf) => at(sf, n, Codes.Async, "async functions are not supported in kernel code"),
  [SyntaxKind.YieldExpression]: (n, sf) => at(sf, n, Codes.Generator, "generators are not supported in kernel code: iterate with for…of over a range class"),
  [SyntaxKind.RegularExpressionLiteral]: (n, sf) => at(sf, n, Codes.RegExp, "regular expressions are not supported in kernel code"),
  [SyntaxKind.ArrayLiteralExpression]: (n, sf) => at(sf, n, Codes.GrowingArray, `array literals are not supported in kernel code: create a fixed-size array with \`new Array<T>(length).fill(value)\` and set its elements`),
  [SyntaxKind.DeleteExpression]: (n, sf) => at(sf, n, Codes.DynamicAccess, "delete changes an object's shape, which a C struct cannot do"),
  [SyntaxKind.TypeOfExpression]: (n, sf) => at(sf, n, Codes.Unsupported, "typeof tests run-time types, which kernel code does not have"),
  [SyntaxKind.NumericLiteral]: (n, sf) =>
    /[.eE]/.test(textOf(sf, n)) && !/^0[xX]/.test(textOf(sf, n)) ? at(sf, n, Codes.FloatingPoint, "floating point is not supported in kernel code") : null,
  [SyntaxKind.CallExpression]: (n, sf) => {
    if (!ts.isCallExpression(n)) return null;
    const callee = n.expression;
    if (ts.isIdentifier(callee) && textOf(sf, callee) === "eval") return at(sf, n, Codes.Eval, "eval is not supported in kernel code");
    const name = ts.isPropertyAccessExpression(callee) ? textOf(sf, callee.name) : "";
    if (["push", "pop", "shift", "unshift", "splice"].includes(name))
      return at(sf, (callee as ts.PropertyAccessExpression).name, Codes.GrowingArray, `'${name}' grows or shrinks an array: kernel arrays have a fixed size (\`new Array<T>(capacity).fill(value)\`); keep a count beside it and write \`a[count] = x\``);
    return null;
  },
  [SyntaxKind.NewExpression]: (n, sf) => {
    if (!ts.isNewExpression(n)) return null;
    const name = textOf(sf, n.expression);
    if (["Map", "Set", "WeakMap", "WeakSet"].includes(name))
      return at(sf, n, Codes.GrowingArray, `${name} is not supported in kernel code (its storage grows behind the program's back): use a fixed-size array (\`new Array<T>(n).fill(v)\`) or a kernel structure with explicit capacity`);
    return null;
  },
  [SyntaxKind.PropertyAccessExpression]: optionalChain,
  [SyntaxKind.ElementAccessExpression]: optionalChain,
  [SyntaxKind.BinaryExpression]: (n, sf) => {
    if (!ts.isBinaryExpression(n)) return null;
    const op = n.operatorToken.kind;
    if ((op === SyntaxKind.PlusToken || op === SyntaxKind.PlusEqualsToken) && (isStringTyped(sf, n.left) || isStringTyped(sf, n.right)))
      return at(sf, n, Codes.TemplateOutsideSink, "strings cannot be concatenated in kernel code (there is no heap to build them): print a template literal instead, e.g. println(`count is ${count}`)");
    if (op === SyntaxKind.QuestionQuestionToken)
      return at(sf, n.operatorToken, Codes.Unsupported, "'??' is not supported in kernel code: write `x !== null ? x : fallback`");
    if (op === SyntaxKind.InstanceOfKeyword || op === SyntaxKind.InKeyword)
      return at(sf, n.operatorToken, Codes.Unsupported, `'${textOf(sf, n.operatorToken)}' inspects prototypes at run time, which kernel code does not have`);
    return null;
  },
};

/** A diagnostic at a node of `sf`. */
function at(sf: SourceFile, node: ts.Node, code: number, message: string): Diagnostic {
  return diagnosticAt(wrap(sf, node), code, message);
}

/** A node's source text, as ts-morph's getText() gives it. */
function textOf(sf: SourceFile, node: ts.Node): string {
  return node.getText(sf.compilerNode);
}

/** True for an expression TypeScript types as a string (a type query, not a lowering). */
function isStringTyped(sf: SourceFile, e: ts.Node): boolean {
  // TypeScript's type, with ts-morph's Type.isString(), isStringLiteral() and isTemplateLiteral() tests.
  const t = typeOfTsNode(checkerOf(sf), e);
  return (t.flags & ts.TypeFlags.String) === ts.TypeFlags.String || t.isStringLiteral() || (t.flags & ts.TypeFlags.TemplateLiteral) === ts.TypeFlags.TemplateLiteral;
}

/** `a?.b`, `a?.[i]`, `a?.m()`: optional chaining. */
function optionalChain(n: ts.Node, sf: SourceFile): Diagnostic | null {
  if (!(ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) || !n.questionDotToken) return null;
  return at(sf, n, Codes.Unsupported, `optional chaining '?.' is not supported in kernel code: test for null first, \`if (${textOf(sf, n.expression)} !== null) …\``);
}

/** True for declarations whose bodies keelc never compiles (Node-only builtins, iterators). */
function isSkippedBody(node: ts.Node, sf: SourceFile): boolean {
  if (ts.isFunctionDeclaration(node)) {
    const name = node.name ? textOf(sf, node.name) : undefined;
    return name !== undefined && builtinOf(wrap(sf, node), name) !== null;
  }
  if (ts.isMethodDeclaration(node)) return textOf(sf, node.name) === "[Symbol.iterator]";
  return false;
}

/** Checks one source file against the syntactic subset rules. */
export function checkSourceFile(sf: SourceFile): Diagnostic[] {
  if (isHostOnlyFile(sf)) return [];
  const out: Diagnostic[] = [];
  forEachTsDescendant(sf, (node) => {
    if (isSkippedBody(node, sf)) return false;
    const rule = RULES[node.kind];
    const d = rule ? rule(node, sf) : null;
    if (d) out.push(d);
    return true;
  });
  return out;
}
