// The program-wide state of the lowering, one object passed to every part of it: the
// diagnostics found so far, the Keel types of module-level declarations, and the registry
// of monomorphized instances. What belongs to one function lives in its Flow (flow.ts).
import type { Node } from "ts-morph";
import { CompileError, type Diagnostic } from "./diagnostics";
import { Flow } from "./flow";
import { InstanceRegistry } from "./instances";
import type { Ty } from "./ir";

/** What the lowering of one program shares across functions and modules. */
export class ProgramContext {
  readonly diagnostics: Diagnostic[] = [];
  /** Types of module-level variables and of functions (a local's type lives in its Flow). */
  readonly declTypes = new Map<Node, Ty>();
  readonly instances = new InstanceRegistry();
  /** The flow module-level initialisers are lowered and typed in (they declare no locals). */
  readonly moduleFlow = Flow.moduleLevel();

  /** Runs `f`, turning a CompileError into a recorded diagnostic (so lowering goes on and finds more). */
  guard<R>(f: () => R, fallback: R): R {
    try {
      return f();
    } catch (e) {
      if (e instanceof CompileError) {
        const d = e.diagnostic;
        // A declaration's error can surface at each use: report it once.
        if (!this.diagnostics.some((o) => o.file === d.file && o.line === d.line && o.column === d.column && o.code === d.code)) this.diagnostics.push(d);
        return fallback;
      }
      throw e;
    }
  }
}
