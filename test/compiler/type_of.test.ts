// The type query (compiler/src/type_of.ts): for every expression the lowering lowers, typeOf
// gives the type the lowering produced, and asking it changes nothing: the flow keeps its
// locals, scopes and labels, and the program compiles to the same C as without the queries.
import { afterEach, describe, expect, it, vi } from "vitest";
import { compile } from "../../compiler/src/compile";
import type { Flow } from "../../compiler/src/flow";
import { exprTy, type Expr, type Ty } from "../../compiler/src/ir";
import type { ProgramContext } from "../../compiler/src/lower_context";
import { ExpressionLowering } from "../../compiler/src/lower_expressions";
import { typeOf } from "../../compiler/src/type_of";
import { showTy } from "../../compiler/src/types";

/** A type with a struct's pointer-ness spelled out (showTy leaves it out). */
function spelled(t: Ty): string {
  return `${showTy(t)}${t.k === "struct" && t.mutable ? "*" : ""}`;
}

/** What a query could disturb in a flow, as text. */
function flowState(flow: Flow): string {
  return JSON.stringify([flow.locals.size, flow.scopes.map((s) => [s.loop, s.label, s.usings.length]), flow.pendingLabel, flow.switchBreaks.size]);
}

const PROGRAMS = [
  "test/differential/corpus/unannotated_globals.ts",
  "test/differential/corpus/classes.ts",
  "test/differential/corpus/generics_and_switch.ts",
  "test/differential/corpus/owned_containers.ts",
  "test/differential/corpus/using_every_exit.ts",
  "test/differential/corpus/format.ts",
];

afterEach(() => {
  vi.restoreAllMocks();
});

describe("typeOf", () => {
  it.each(PROGRAMS)("agrees with the lowering on every expression of %s and changes nothing", (entry) => {
    const plain = compile(entry);
    expect(plain.ok, plain.diagnostics.map((d) => d.message).join("\n")).toBe(true);
    const lower = ExpressionLowering.prototype.expr;
    const mismatches: string[] = [];
    let asked = 0;
    vi.spyOn(ExpressionLowering.prototype, "expr").mockImplementation(function (this: ExpressionLowering, e, flow, expected): Expr {
      const x = lower.call(this, e, flow, expected);
      const before = flowState(flow);
      const t = typeOf(e, flow, (this as unknown as { prog: ProgramContext }).prog, expected);
      asked++;
      if (spelled(t) !== spelled(exprTy(x))) mismatches.push(`${e.getStartLineNumber()}: ${e.getText()}: typeOf ${spelled(t)}, lowered ${spelled(exprTy(x))}`);
      if (flowState(flow) !== before) mismatches.push(`${e.getStartLineNumber()}: ${e.getText()}: the query changed the flow`);
      return x;
    });
    const queried = compile(entry);
    expect(asked).toBeGreaterThan(20);
    expect(mismatches).toEqual([]);
    expect(queried.files).toEqual(plain.files);
  });
});
