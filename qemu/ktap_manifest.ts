// The KTAP manifest of a test kernel: the names of its top-level tests, read from the entry
// file at build time, so the host knows how many results to expect before the kernel runs
// (a kernel that plans 1..0, or loses a test, and still exits with 33 must not pass).
//
// A top-level test is a `ktapRun("name", fn)` call written as a statement directly in the
// body of a function of the entry file; they run in source order. A ktapRun anywhere else
// (inside an if, a loop, another expression, with a name that is not a string literal)
// cannot be counted statically and is an error, so the manifest is never a guess.
import ts from 'typescript';

export interface KtapManifest {
  entry: string;
  tests: string[];
}

/** The manifest of the entry file `entry` with source text `text`; throws on a ktapRun it cannot count. */
export function ktapManifest(entry: string, text: string): KtapManifest {
  const file = ts.createSourceFile(entry, text, ts.ScriptTarget.ES2022, true);
  const tests: string[] = [];
  const counted = new Set<ts.Node>();
  for (const statement of file.statements) {
    if (!ts.isFunctionDeclaration(statement) || !statement.body) continue;
    for (const s of statement.body.statements) {
      if (!ts.isExpressionStatement(s) || !isKtapRun(s.expression)) continue;
      const name = s.expression.arguments[0];
      if (name === undefined || !ts.isStringLiteral(name)) throw new Error(`${where(file, s)}: ktapRun's test name must be a string literal for the KTAP manifest`);
      tests.push(name.text);
      counted.add(s.expression);
    }
  }
  const visit = (node: ts.Node): void => {
    if (isKtapRun(node) && !counted.has(node)) {
      throw new Error(`${where(file, node)}: ktapRun must be a statement directly in a function body of ${entry} (the KTAP manifest counts tests statically)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { entry, tests };
}

function isKtapRun(node: ts.Node): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'ktapRun';
}

function where(file: ts.SourceFile, node: ts.Node): string {
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart());
  return `${file.fileName}:${line + 1}:${character + 1}`;
}
