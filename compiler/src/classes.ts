// Classes: each concrete class becomes one C struct holding the fields of its whole chain
// of base classes. Generic abstract bases (`Address<Self>`, `Chunk<A, Self>`) are
// monomorphized per concrete class: their type parameters are bound by the `extends`
// clauses, and every member lookup starts at the concrete class, so abstract and
// overridden methods resolve statically, with no virtual dispatch.
import { Node, ts, type ClassDeclaration, type TypeNode } from "ts-morph";
import { Codes, fail } from "./diagnostics";
import type { Ty } from "./ir";
import { importedSymbolOf, memoByObject, memoByObjectAndKey } from "./memo";
import { globalCName } from "./names";
import { nameOf, wrapNode } from "./tree";

/** Type-parameter bindings of one class in a chain. */
export type Env = Map<string, Ty>;

/** One level of a concrete class's chain: the declaring class and its bindings. */
export interface Level {
  decl: ClassDeclaration;
  env: Env;
}

/** What the compiler knows of a concrete class. */
export interface ClassInfo {
  decl: ClassDeclaration;
  /** Type arguments of a generic class's instance (empty otherwise). */
  args: Ty[];
  cname: string;
  /** The concrete class first, then its bases up to the root. */
  chain: Level[];
  /** True when any field is not readonly (and the class is not owned): instances are reached through pointers. */
  mutable: boolean;
  /** True for a class extending Owned: laid out in place, methods take a pointer to the place. */
  owned: boolean;
}

/** A member found by name, with the level it is declared at. */
export type Member =
  | { m: "field"; name: string; level: Level; typeNode: TypeNode }
  | { m: "method"; name: string; level: Level; decl: Node }
  | { m: "getter"; name: string; level: Level; decl: Node };

/** The class a `extends` clause names, with its type-argument nodes. */
export function baseOf(decl: ClassDeclaration): { base: ClassDeclaration; args: TypeNode[] } | null {
  const ext = decl.getExtends();
  if (!ext) return null;
  const expr = ext.getExpression();
  const declared = importedSymbolOf(expr)?.declarations?.find(ts.isClassDeclaration);
  const base = declared && wrapNode(expr, declared);
  if (!base || !Node.isClassDeclaration(base)) fail(ext, Codes.Unsupported, "a class can only extend another class of the kernel");
  return { base, args: ext.getTypeArguments() };
}

/** A class's own members, listed once per class (ts-morph builds its lists anew at every call). */
export const membersOf = memoByObject((d: ClassDeclaration) => ({
  methods: d.getMethods(),
  getters: d.getGetAccessors(),
  properties: d.getProperties(),
  ctor: d.getConstructors()[0],
}));

/** True when the class or one of its bases has a field that is not readonly. */
export const hasMutableField = memoByObject((decl: ClassDeclaration): boolean => {
  for (let d: ClassDeclaration | undefined = decl; d; d = baseOf(d)?.base) {
    if (membersOf(d).properties.some((p) => !p.isStatic() && !p.isReadonly())) return true;
    const ctor = membersOf(d).ctor;
    if (ctor?.getParameters().some((p) => p.isParameterProperty() && !p.isReadonly())) return true;
  }
  return false;
});

/** True for a class extending kernel/lib/owned.ts's Owned (an affine value laid out in place). */
export const isOwnedClass = memoByObject((decl: ClassDeclaration): boolean => {
  for (let d: ClassDeclaration | undefined = decl; d; d = baseOf(d)?.base) {
    if (nameOf(d) === "Owned" && d.getSourceFile().getFilePath().endsWith("/kernel/lib/owned.ts")) return true;
  }
  return false;
});

/** True for the by-value struct type of an owned class. */
export function isOwnedStruct(t: Ty): boolean {
  if (t.k !== "struct") return false;
  const inst = instances.get(t.cname);
  return inst !== undefined && isOwnedClass(inst.decl);
}

/** Instances of concrete classes by C name: what a struct type stands for. */
export const instances = new Map<string, { decl: ClassDeclaration; args: Ty[] }>();

/** Short name of a type inside a C identifier. */
export function mangle(t: Ty): string {
  switch (t.k) {
    case "int":
      return t.kind;
    case "struct":
      return t.cname.replace(/^.*__/, "");
    case "opt":
      return `opt${mangle(t.inner)}`;
    case "array":
      return `arr${mangle(t.elem)}`;
    default:
      return t.k;
  }
}

/** Struct type of a concrete class (instantiated with `args` when generic). */
export function structTyOf(decl: ClassDeclaration, args: Ty[] = []): Ty {
  const cname = classCName(decl) + (args.length ? `_${args.map(mangle).join("_")}` : "");
  instances.set(cname, { decl, args });
  // Owned objects live in place (by value) although they have mutable fields: no second
  // reference can exist (ownership.ts), so C's copies and JavaScript's references agree.
  return { k: "struct", cname, mutable: hasMutableField(decl) && !isOwnedClass(decl) };
}

/** C name of a class's struct. */
export function classCName(decl: ClassDeclaration): string {
  const name = nameOf(decl);
  if (!name) fail(decl, Codes.Unsupported, "classes need a name");
  return globalCName(decl.getSourceFile(), name);
}

/** Finds a member by name, starting at the concrete class. */
export function findMember(info: ClassInfo, name: string, isStatic = false): Member | null {
  for (const level of info.chain) {
    const found = declaredMember(level.decl, `${isStatic ? "static " : ""}${name}`);
    if (!found) continue;
    return found.m === "field" ? { m: "field", name, level, typeNode: found.typeNode } : { m: found.m, name, level, decl: found.decl };
  }
  return null;
}

/** What a class declares itself under a name (the generic classes' instances share it). */
type DeclaredMember = { m: "field"; typeNode: TypeNode } | { m: "method" | "getter"; decl: Node };

/** The member a class declares under a key (`name` or `static name`), looked up once per class. */
const declaredMember = memoByObjectAndKey((d: ClassDeclaration, key: string): DeclaredMember | null =>
  key.startsWith("static ") ? findDeclaredMember(d, key.slice("static ".length), true) : findDeclaredMember(d, key, false),
);

/** The member `d` itself declares under `name`: a method with a body, else (not static) a getter, a field or a parameter property. */
function findDeclaredMember(d: ClassDeclaration, name: string, isStatic: boolean): DeclaredMember | null {
  const members = membersOf(d);
  const method = members.methods.find((m) => nameOf(m) === name && m.isStatic() === isStatic && !m.isAbstract() && m.hasBody());
  if (method) return { m: "method", decl: method };
  if (isStatic) return null;
  const getter = members.getters.find((g) => nameOf(g) === name);
  if (getter && !getter.isStatic()) return { m: "getter", decl: getter };
  const prop = members.properties.find((p) => nameOf(p) === name);
  if (prop && !prop.isStatic()) {
    const tn = prop.getTypeNode();
    if (!tn) fail(prop, Codes.MissingAnnotation, `field '${name}' needs a type annotation`);
    return { m: "field", typeNode: tn };
  }
  const param = members.ctor?.getParameters().find((p) => p.isParameterProperty() && nameOf(p) === name);
  if (param) {
    const tn = param.getTypeNode();
    if (!tn) fail(param, Codes.MissingAnnotation, `field '${name}' needs a type annotation`);
    return { m: "field", typeNode: tn };
  }
  return null;
}

/** Fields of the whole chain, root class first (the C struct's member order). */
export function fieldsOf(info: ClassInfo): { name: string; level: Level; typeNode: TypeNode; node: Node }[] {
  const out: { name: string; level: Level; typeNode: TypeNode; node: Node }[] = [];
  for (const level of [...info.chain].reverse()) {
    for (const p of membersOf(level.decl).ctor?.getParameters() ?? []) {
      if (!p.isParameterProperty()) continue;
      const tn = p.getTypeNode();
      if (!tn) fail(p, Codes.MissingAnnotation, `field '${nameOf(p)}' needs a type annotation`);
      out.push({ name: nameOf(p), level, typeNode: tn, node: p });
    }
    for (const prop of membersOf(level.decl).properties) {
      if (prop.isStatic()) fail(prop, Codes.Unsupported, "static fields are not supported: use a module-level const or let");
      const tn = prop.getTypeNode();
      if (!tn) fail(prop, Codes.MissingAnnotation, `field '${nameOf(prop)}' needs a type annotation`);
      out.push({ name: nameOf(prop), level, typeNode: tn, node: prop });
    }
  }
  return out;
}
