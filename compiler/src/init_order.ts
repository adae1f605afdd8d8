// Module initialisation: the order (as ES modules evaluate: each module after the modules
// it imports values from, depth first, in import order), and the check that no
// initialiser reads a module-level binding before it is initialised. TypeScript throws a
// ReferenceError for such a read (the binding is in its temporal dead zone); C would read
// zero or the constant. With import cycles this happens across modules; through a function
// it can happen inside one module too. keelc rejects it, naming the read, the path to it
// and the cycle.
import { Node, SyntaxKind, ts, type SourceFile } from "ts-morph";
import { builtinOf, kernelRelative } from "./builtins";
import { Codes, diagnosticAt, displayPath, type Diagnostic } from "./diagnostics";
import { isModuleLevel, resolveDecl } from "./lower_common";
import { symbolOfTsNode } from "./memo";
import { checkerOf, forEachTsDescendant, wrap } from "./tree";

/** Source files in initialisation order: each after the modules it imports values from. */
export function initializationOrder(entry: SourceFile, files: SourceFile[]): SourceFile[] {
  const seen = new Set<SourceFile>();
  const order: SourceFile[] = [];
  const visit = (sf: SourceFile): void => {
    if (seen.has(sf)) return;
    seen.add(sf);
    for (const target of valueImports(sf)) visit(target);
    order.push(sf);
  };
  visit(entry);
  // Library modules the lowering calls into (panic, console) even when not imported.
  for (const f of files) if (kernelRelative(f)?.startsWith("lib/")) visit(f);
  return order;
}

/**
 * The modules `sf` evaluates before itself: TypeScript erases imports that bring only
 * types (`import type`, `{ type X }`, or names used only in type positions), so those
 * create no evaluation dependency; `export … from` does.
 */
export function valueImports(sf: SourceFile): SourceFile[] {
  // On TypeScript's nodes: an import clause is wrapped by nothing else, and ts-morph's
  // wrappers of every import of the kernel took a fifteenth of the lowering.
  const used = valueNames(sf);
  const file = sf.compilerNode;
  const checker = checkerOf(sf);
  const out: SourceFile[] = [];
  const imports = file.statements.filter(ts.isImportDeclaration);
  const exports = file.statements.filter(ts.isExportDeclaration);
  for (const d of [...imports, ...exports]) {
    const target = moduleSpecifierFile(sf, checker, d);
    if (!target || isTypeOnly(d)) continue;
    if (ts.isImportDeclaration(d)) {
      const clause = d.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : [];
      // An import specifier binds its `name` (`b` in `a as b`).
      const bindings = named.filter((n) => !n.isTypeOnly).map((n) => n.name.getText(file));
      const def = clause?.name;
      if (def) bindings.push(def.getText(file));
      const ns = clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings) ? clause.namedBindings.name : undefined;
      if (ns) bindings.push(ns.getText(file));
      const sideEffectOnly = named.length === 0 && !def && !ns;
      if (!sideEffectOnly && !bindings.some((b) => used.has(b))) continue;
    }
    out.push(target);
  }
  return out;
}

/** True for `import type …` and `export type … from`, which TypeScript erases. */
function isTypeOnly(d: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  return ts.isImportDeclaration(d) ? d.importClause?.phaseModifier === SyntaxKind.TypeKeyword : d.isTypeOnly;
}

/** The program's file a module specifier names, as ts-morph's getModuleSpecifierSourceFile() finds it. */
function moduleSpecifierFile(sf: SourceFile, checker: ts.TypeChecker, d: ts.ImportDeclaration | ts.ExportDeclaration): SourceFile | undefined {
  const spec = d.moduleSpecifier;
  if (!spec || !ts.isStringLiteral(spec)) return undefined;
  const target = symbolOfTsNode(checker, spec)?.declarations?.[0];
  return target && ts.isSourceFile(target) ? (wrap(sf, target) as SourceFile) : undefined;
}

/** Names used as values in a file (outside type positions and import/export clauses). */
function valueNames(sf: SourceFile): Set<string> {
  const names = new Set<string>();
  const file = sf.compilerNode;
  forEachTsDescendant(sf, (n) => {
    if (ts.isTypeNode(n) || ts.isImportDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isInterfaceDeclaration(n)) return false;
    if (ts.isIdentifier(n)) names.add(n.getText(file));
    return true;
  });
  return names;
}

/** A module-level binding: where it is and when it is initialised. */
interface Binding {
  decl: Node;
  module: number;
  statement: number;
}

/** Checks every module initialiser of the program against the initialisation order. */
export function checkInitOrder(order: SourceFile[]): Diagnostic[] {
  const position = new Map<SourceFile, number>(order.map((sf, i) => [sf, i]));
  const diagnostics: Diagnostic[] = [];
  const reads = new Map<Node, Map<Node, Node[]>>();

  /** The binding a declaration is, or null for what is always initialised (functions, types). */
  const bindingOf = (decl: Node): Binding | null => {
    const sf = decl.getSourceFile();
    const module = position.get(sf);
    if (module === undefined) return null;
    let top: Node | undefined;
    if (Node.isVariableDeclaration(decl) && isModuleLevel(decl)) top = decl.getVariableStatement();
    else if (Node.isClassDeclaration(decl) && Node.isSourceFile(decl.getParent())) top = decl;
    else if (Node.isEnumDeclaration(decl) && !decl.isConstEnum() && Node.isSourceFile(decl.getParent())) top = decl;
    if (!top) return null;
    return { decl, module, statement: sf.getStatements().indexOf(top as never) };
  };

  /** Code that runs when `owner` runs: a function, method, getter or constructor body, or a class's field initialisers. */
  const bodiesOf = (decl: Node): Node[] => {
    if (Node.isFunctionDeclaration(decl) || Node.isMethodDeclaration(decl) || Node.isGetAccessorDeclaration(decl) || Node.isConstructorDeclaration(decl)) {
      if (builtinOf(decl, Node.isFunctionDeclaration(decl) ? (decl.getName() ?? "") : "")) return [];
      const b = decl.getBody();
      return b ? [b] : [];
    }
    return [];
  };

  /** Module-level bindings `code` may read when it runs, each with the path of calls to the read. */
  const readsOf = (owner: Node, code: Node[]): Map<Node, Node[]> => {
    const cached = reads.get(owner);
    if (cached) return cached;
    const found = new Map<Node, Node[]>();
    reads.set(owner, found); // recursion meets the (partial) entry and stops
    for (const c of code) {
      c.forEachDescendant((n, t) => {
        if (Node.isTypeNode(n)) {
          t.skip();
          return;
        }
        if (Node.isNewExpression(n)) {
          const cls = resolveDecl(n.getExpression());
          if (cls && Node.isClassDeclaration(cls)) {
            // Constructing runs the constructors and field initialisers of the whole chain.
            for (let k: Node | undefined = cls; k && Node.isClassDeclaration(k); k = k.getBaseClass()) {
              const parts: Node[] = [...k.getConstructors(), ...k.getProperties().filter((p) => !p.isStatic()).flatMap((p) => p.getInitializer() ?? [])];
              const inner = readsOf(k, parts.flatMap((p) => (Node.isConstructorDeclaration(p) ? bodiesOf(p) : [p])));
              for (const [b, path] of inner) if (!found.has(b)) found.set(b, [n, ...path]);
            }
          }
        }
        if (!Node.isIdentifier(n)) return;
        const decl = resolveDecl(n);
        if (!decl) return;
        if (bindingOf(decl)) {
          if (!found.has(decl)) found.set(decl, [n]);
          return;
        }
        const parent = n.getParent();
        // A method or getter reached through `x.m(…)` / `x.g`: its body runs.
        const callee = Node.isPropertyAccessExpression(parent) && parent.getNameNode() === n ? decl : Node.isFunctionDeclaration(decl) ? decl : null;
        if (!callee) return;
        const inner = readsOf(callee, bodiesOf(callee));
        for (const [b, path] of inner) if (!found.has(b)) found.set(b, [n, ...path]);
      });
    }
    return found;
  };

  order.forEach((sf, module) => {
    sf.getStatements().forEach((st, statement) => {
      // What runs when this statement is evaluated: variable initialisers, a class's heritage and static parts.
      const code: Node[] = [];
      if (Node.isVariableStatement(st)) for (const d of st.getDeclarations()) code.push(...(d.getInitializer() ? [d.getInitializerOrThrow()] : []));
      if (Node.isClassDeclaration(st)) {
        for (const h of st.getHeritageClauses()) if (h.getToken() === SyntaxKind.ExtendsKeyword) code.push(...h.getTypeNodes().map((t) => t.getExpression()));
        for (const p of st.getStaticProperties()) code.push(p);
      }
      if (code.length === 0) return;
      for (const [decl, path] of readsOf(st, code)) {
        const b = bindingOf(decl)!;
        if (b.module < module || (b.module === module && b.statement < statement)) continue;
        const use = path[0]!;
        const read = path[path.length - 1]!;
        const via = path.length > 1 ? ` (through ${path.slice(0, -1).map((p) => (Node.isNewExpression(p) ? `new ${p.getExpression().getText()}` : `${p.getText()}()`)).join(" → ")})` : "";
        const target = decl.getSourceFile();
        const where = b.module === module ? "later in this module" : `in ${displayPath(target)}, which is initialised after this module${cycleText(sf, target)}`;
        diagnostics.push(
          diagnosticAt(
            use,
            Codes.InitOrder,
            `this initialiser reads '${read.getText()}'${via} before it is initialised: it is declared ${where}. TypeScript would throw a ReferenceError, C would read zero. Move the value to a module both import, or read it in a function called after initialisation`,
          ),
        );
        break; // one report per statement
      }
    });
  });
  return diagnostics;
}

/** ` (import cycle: a.ts → b.ts → a.ts)`, or nothing when there is no cycle. */
function cycleText(from: SourceFile, to: SourceFile): string {
  const path = importPath(from, to);
  const back = importPath(to, from);
  if (!path || !back) return "";
  return ` (import cycle: ${[...path, ...back.slice(1)].map((sf) => displayPath(sf)).join(" → ")})`;
}

/** The import path from one module to another (breadth first), or null. */
function importPath(from: SourceFile, to: SourceFile): SourceFile[] | null {
  const prev = new Map<SourceFile, SourceFile | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const sf = queue.shift()!;
    if (sf === to) {
      const out: SourceFile[] = [];
      for (let at: SourceFile | null = sf; at; at = prev.get(at) ?? null) out.unshift(at);
      return out;
    }
    for (const d of [...sf.getImportDeclarations(), ...sf.getExportDeclarations()]) {
      const t = d.getModuleSpecifierSourceFile();
      if (t && !prev.has(t)) {
        prev.set(t, sf);
        queue.push(t);
      }
    }
  }
  return null;
}
