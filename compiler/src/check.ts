// Phase 2, check: the subset rules that are visible in the syntax alone, each with its
// own diagnostic code. All violations of the program are collected, not just the first.
// Rules that need types (width mixing, moves) are enforced while lowering.
import { Node, SyntaxKind, type SourceFile } from "ts-morph";
import { builtinOf, isHostOnlyFile } from "./builtins";
import { Codes, diagnosticAt, type Diagnostic } from "./diagnostics";
import { typeOfNode } from "./memo";

type Rule = (node: Node) => Diagnostic | null;

function at(node: Node, code: number, message: string): Diagnostic {
  return diagnosticAt(node, code, message);
}

const RULES: Partial<Record<SyntaxKind, Rule>> = {
  [SyntaxKind.AnyKeyword]: (n) => at(n, Codes.AnyType, "'any' is not allowed in kernel code: every value needs a precise type"),
  [SyntaxKind.UnknownKeyword]: (n) => at(n, Codes.AnyType, "'unknown' is not allowed in kernel code: every value needs a precise type"),
  [SyntaxKind.ArrowFunction]: (n) => at(n, Codes.Closure, "closures are not supported in kernel code: pass a top-level function instead"),
  [SyntaxKind.FunctionExpression]: (n) => at(n, Codes.Closure, "function expressions are not supported in kernel code: declare a top-level function"),
  [SyntaxKind.ThrowStatement]: (n) => at(n, Codes.Exception, "exceptions are not supported in kernel code: call panic() or return null"),
  [SyntaxKind.TryStatement]: (n) => at(n, Codes.Exception, "try/catch is not supported in kernel code: there are no exceptions"),
  [SyntaxKind.AwaitExpression]: (n) => at(n, Codes.Async, "await is not supported in kernel code"),
  [SyntaxKind.AsyncKeyword]: (n) => at(n, Codes.Async, "async functions are not supported in kernel code"),
  [SyntaxKind.YieldExpression]: (n) => at(n, Codes.Generator, "generators are not supported in kernel code: iterate with for…of over a range class"),
  [SyntaxKind.RegularExpressionLiteral]: (n) => at(n, Codes.RegExp, "regular expressions are not supported in kernel code"),
  [SyntaxKind.ArrayLiteralExpression]: (n) => at(n, Codes.GrowingArray, `array literals are not supported in kernel code: create a fixed-size array with \`new Array<T>(length).fill(value)\` and set its elements`),
  [SyntaxKind.DeleteExpression]: (n) => at(n, Codes.DynamicAccess, "delete changes an object's shape, which a C struct cannot do"),
  [SyntaxKind.TypeOfExpression]: (n) => at(n, Codes.Unsupported, "typeof tests run-time types, which kernel code does not have"),
  [SyntaxKind.NumericLiteral]: (n) =>
    /[.eE]/.test(n.getText()) && !/^0[xX]/.test(n.getText()) ? at(n, Codes.FloatingPoint, "floating point is not supported in kernel code") : null,
  [SyntaxKind.CallExpression]: (n) => {
    if (!Node.isCallExpression(n)) return null;
    const callee = n.getExpression();
    if (Node.isIdentifier(callee) && callee.getText() === "eval") return at(n, Codes.Eval, "eval is not supported in kernel code");
    if (Node.isPropertyAccessExpression(callee) && ["push", "pop", "shift", "unshift", "splice"].includes(callee.getName()))
      return at(callee.getNameNode(), Codes.GrowingArray, `'${callee.getName()}' grows or shrinks an array: kernel arrays have a fixed size (\`new Array<T>(capacity).fill(value)\`); keep a count beside it and write \`a[count] = x\``);
    return null;
  },
  [SyntaxKind.NewExpression]: (n) => {
    if (!Node.isNewExpression(n)) return null;
    const name = n.getExpression().getText();
    if (["Map", "Set", "WeakMap", "WeakSet"].includes(name))
      return at(n, Codes.GrowingArray, `${name} is not supported in kernel code (its storage grows behind the program's back): use a fixed-size array (\`new Array<T>(n).fill(v)\`) or a kernel structure with explicit capacity`);
    return null;
  },
  [SyntaxKind.PropertyAccessExpression]: optionalChain,
  [SyntaxKind.ElementAccessExpression]: optionalChain,
  [SyntaxKind.BinaryExpression]: (n) => {
    if (!Node.isBinaryExpression(n)) return null;
    const op = n.getOperatorToken().getKind();
    if ((op === SyntaxKind.PlusToken || op === SyntaxKind.PlusEqualsToken) && (isStringTyped(n.getLeft()) || isStringTyped(n.getRight())))
      return at(n, Codes.TemplateOutsideSink, "strings cannot be concatenated in kernel code (there is no heap to build them): print a template literal instead, e.g. println(`count is ${count}`)");
    if (op === SyntaxKind.QuestionQuestionToken)
      return at(n.getOperatorToken(), Codes.Unsupported, "'??' is not supported in kernel code: write `x !== null ? x : fallback`");
    if (op === SyntaxKind.InstanceOfKeyword || op === SyntaxKind.InKeyword)
      return at(n.getOperatorToken(), Codes.Unsupported, `'${n.getOperatorToken().getText()}' inspects prototypes at run time, which kernel code does not have`);
    return null;
  },
};

/** True for an expression TypeScript types as a string (a type query, not a lowering). */
function isStringTyped(e: Node): boolean {
  const t = typeOfNode(e);
  return t.isString() || t.isStringLiteral() || t.isTemplateLiteral();
}

/** `a?.b`, `a?.[i]`, `a?.m()`: optional chaining. */
function optionalChain(n: Node): Diagnostic | null {
  if (!(Node.isPropertyAccessExpression(n) || Node.isElementAccessExpression(n)) || !n.hasQuestionDotToken()) return null;
  return at(n, Codes.Unsupported, `optional chaining '?.' is not supported in kernel code: test for null first, \`if (${n.getExpression().getText()} !== null) …\``);
}

/** True for declarations whose bodies keelc never compiles (Node-only builtins, iterators). */
function isSkippedBody(node: Node): boolean {
  if (Node.isFunctionDeclaration(node)) {
    const name = node.getName();
    return name !== undefined && builtinOf(node, name) !== null;
  }
  if (Node.isMethodDeclaration(node)) return node.getNameNode().getText() === "[Symbol.iterator]";
  return false;
}

/** Checks one source file against the syntactic subset rules. */
export function checkSourceFile(sf: SourceFile): Diagnostic[] {
  if (isHostOnlyFile(sf)) return [];
  const out: Diagnostic[] = [];
  const visit = (node: Node): void => {
    if (isSkippedBody(node)) return;
    const rule = RULES[node.getKind()];
    const d = rule ? rule(node) : null;
    if (d) out.push(d);
    node.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return out;
}
