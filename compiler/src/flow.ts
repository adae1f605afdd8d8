// The per-function context of the lowering (the shape of AssemblyScript's Flow): what the
// function being lowered is (its type-parameter bindings, the class of `this`, its return
// type), the types of its locals, its open scopes with their `using` locals (the disposal
// stack), the label waiting for the next scope, the breaks that end switch cases, and its
// temporaries. One Flow per function (or module-level initialiser), passed to every
// statement, expression and class lowering call; nothing of it outlives the function.
import type { Node } from "ts-morph";
import type { ClassInfo, Env } from "./classes";
import type { Expr, Ty } from "./ir";
import { T } from "./types";

/** A label of a labelled loop or block: its TypeScript name and its unique C name. */
export interface Label {
  ts: string;
  ir: string;
}

/** A scope of the function being lowered: its `using` locals, and what break/continue see. */
export interface Scope {
  usings: { x: Expr; dispose: string }[];
  /** The body of a loop (unlabelled break and continue leave it). */
  loop: boolean;
  /** The label of the labelled loop or block this scope is the body of. */
  label?: Label;
}

/** What the function being lowered is: bindings of type parameters, `this`, the return type. */
export interface FlowFunction {
  env: Env;
  self: ClassInfo | null;
  /** `this` is a pointer (constructors, mutable and owned classes) rather than a struct value. */
  selfPtr: boolean;
  /** Lowering a toString: its returns print their string instead of returning it. */
  fmtMode: boolean;
  ret: Ty;
}

/** The lowering state of one function. */
export class Flow {
  readonly env: Env;
  readonly self: ClassInfo | null;
  readonly selfPtr: boolean;
  readonly fmtMode: boolean;
  readonly ret: Ty;
  /** Types of this function's locals and parameters (per instantiation). */
  readonly locals = new Map<Node, Ty>();
  /** Open scopes, innermost last. */
  readonly scopes: Scope[] = [];
  /** The label of the labelled statement whose body is the next scope opened. */
  pendingLabel: Label | null = null;
  /** The breaks that end switch cases: they lower to nothing (the if chain ends there). */
  readonly switchBreaks = new Set<Node>();
  private temps = 0;

  constructor(fn: FlowFunction) {
    this.env = fn.env;
    this.self = fn.self;
    this.selfPtr = fn.selfPtr;
    this.fmtMode = fn.fmtMode;
    this.ret = fn.ret;
  }

  /** The flow of a module-level initialiser: no type parameters, no `this`, nothing to return. */
  static moduleLevel(): Flow {
    return new Flow({ env: new Map(), self: null, selfPtr: false, fmtMode: false, ret: T.void });
  }

  /** A fresh number for a temporary or a C label: names stay unique within the function. */
  nextTemp(): number {
    return ++this.temps;
  }

  /** Opens a scope; the body of a labelled statement takes the pending label. */
  private openScope(loop: boolean): Scope {
    const label = this.pendingLabel;
    this.pendingLabel = null;
    const scope: Scope = { usings: [], loop, ...(label ? { label } : {}) };
    this.scopes.push(scope);
    return scope;
  }

  /** Runs `f` inside a new scope, closing it however `f` ends. */
  inScope<R>(loop: boolean, f: () => R): R {
    this.openScope(loop);
    try {
      return f();
    } finally {
      this.scopes.pop();
    }
  }

  /** The `using` locals of scopes[from..], innermost scope and last declared first. */
  usingsFrom(from: number): Scope["usings"] {
    const out: Scope["usings"] = [];
    for (let i = this.scopes.length - 1; i >= from; i--) out.push(...[...this.scopes[i]!.usings].reverse());
    return out;
  }

  /** Index of the innermost loop scope (break and continue dispose up to it); 0 outside loops. */
  loopScope(): number {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.loop) return i;
    return 0;
  }

  /** Index of the scope a `break label` / `continue label` leaves, or -1. */
  labelScope(name: string): number {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.label?.ts === name) return i;
    return -1;
  }
}
