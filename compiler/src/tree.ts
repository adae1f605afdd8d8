// Walking a file's syntax tree at TypeScript's level. ts-morph makes a wrapper object for
// every node a walk visits (and keeps it); a walk that looks for a few kinds of nodes visits
// TypeScript's nodes instead and wraps only what it hands on, which is most of the cost of a
// walk over a whole kernel module.
import { ts, type Node, type SourceFile, type Type } from "ts-morph";

/** The ts-morph wrapper of a TypeScript node of `file` (the one ts-morph itself hands out). */
export function wrap(file: SourceFile, node: ts.Node): Node {
  // ts-morph's own (internal) factory call: wrappers stay unique per node, so a walk that
  // wraps a node and a later ts-morph query on it see one object.
  return (file as unknown as { _getNodeFromCompilerNode(n: ts.Node): Node })._getNodeFromCompilerNode(node);
}

/**
 * A declaration's (or property access's) name, as ts-morph's getName() gives it: the name's
 * source text, or undefined when it has none; without making a wrapper of the name.
 */
export function nameOf<N extends Node & { getName(): string | undefined }>(decl: N): ReturnType<N["getName"]> {
  const name = (decl.compilerNode as { name?: ts.Node }).name;
  return (name ? name.getText(decl.getSourceFile().compilerNode) : undefined) as ReturnType<N["getName"]>;
}

/** TypeScript's own checker of the program `anyNode` belongs to. */
export function checkerOf(anyNode: Node): ts.TypeChecker {
  return anyNode.getProject().getTypeChecker().compilerObject;
}

/** ts-morph's factory of wrappers, reached through a node of the project. */
interface CompilerFactory {
  getType(t: ts.Type): Type;
  getNodeFromCompilerNode(n: ts.Node, file: SourceFile | undefined): Node;
  getSourceFileForNode(n: ts.Node): SourceFile | undefined;
}

/** The factory of `anyNode`'s project. */
function factoryOf(anyNode: Node): CompilerFactory {
  return (anyNode as unknown as { _context: { compilerFactory: CompilerFactory } })._context.compilerFactory;
}

/** The ts-morph wrapper of a TypeScript type (ts-morph keeps one per type, as `node.getType()` returns). */
export function wrapType(anyNode: Node, t: ts.Type): Type {
  return factoryOf(anyNode).getType(t);
}

/** The ts-morph wrapper of a TypeScript node of any file of `anyNode`'s project (a declaration a symbol names), as ts-morph's Symbol.getDeclarations() wraps it. */
export function wrapNode(anyNode: Node, node: ts.Node): Node {
  const factory = factoryOf(anyNode);
  return factory.getNodeFromCompilerNode(node, factory.getSourceFileForNode(node));
}

/**
 * Visits every node below `file`, parents before children, as ts-morph's forEachDescendant
 * does: `visit` returns false to skip a node's children.
 */
export function forEachTsDescendant(file: SourceFile, visit: (node: ts.Node) => boolean): void {
  const step = (node: ts.Node): void => {
    if (visit(node)) ts.forEachChild(node, step);
  };
  ts.forEachChild(file.compilerNode, step);
}
