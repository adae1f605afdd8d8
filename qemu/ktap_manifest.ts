// The KTAP manifest of a test kernel: the names of its tests, read from the entry file at
// build time, so the host knows which results to expect before the kernel runs (a kernel
// that plans 1..0, or loses a test, and still exits with 33 must not pass), can list the
// tests without booting (`vitest list`), and can select tests by number on the boot
// command line (`tests=1,4-6`, kernel/tests/ktap_options.ts).
//
// Tests register in one table, a KtapSuite (kernel/lib/ktap.ts): `suite.test("name", fn)`
// written as a statement directly in the body of the function of the entry file that made
// the suite (`const suite = new KtapSuite()`); they run in source order. A `test` call on a
// suite anywhere else (inside an if, a loop, an expression, with a name that is not a string
// literal) cannot be counted statically and is an error, so the manifest is never a guess.
import ts from 'typescript';

export interface KtapManifest {
  entry: string;
  tests: string[];
}

/** The manifest of the entry file `entry` with source text `text`; throws on a suite test it cannot count. */
export function ktapManifest(entry: string, text: string): KtapManifest {
  const file = ts.createSourceFile(entry, text, ts.ScriptTarget.ES2022, true);
  const tests: string[] = [];
  const counted = new Set<ts.Node>();
  const suites = new Set<string>();
  for (const statement of file.statements) {
    if (!ts.isFunctionDeclaration(statement) || !statement.body) continue;
    const here = new Set<string>();
    for (const s of statement.body.statements) {
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.initializer && isNewSuite(d.initializer)) here.add(d.name.text);
        }
        continue;
      }
      if (!ts.isExpressionStatement(s) || !isSuiteTest(s.expression, here)) continue;
      const name = s.expression.arguments[0];
      if (name === undefined || !ts.isStringLiteral(name)) throw new Error(`${where(file, s)}: a suite test's name must be a string literal for the KTAP manifest`);
      tests.push(name.text);
      counted.add(s.expression);
    }
    for (const n of here) suites.add(n);
  }
  const visit = (node: ts.Node): void => {
    if (isSuiteTest(node, suites) && !counted.has(node)) {
      throw new Error(`${where(file, node)}: suite.test must be a statement directly in the body of the function that made the suite in ${entry} (the KTAP manifest counts tests statically)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { entry, tests };
}

function isNewSuite(node: ts.Expression): boolean {
  return ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'KtapSuite';
}

/** A call `s.test(...)` on one of the suites named in `suites`. */
function isSuiteTest(node: ts.Node, suites: Set<string>): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'test'
    && ts.isIdentifier(node.expression.expression) && suites.has(node.expression.expression.text);
}

function where(file: ts.SourceFile, node: ts.Node): string {
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart());
  return `${file.fileName}:${line + 1}:${character + 1}`;
}
