// A class whose module the importer uses only as a type (type_only_import.ts): TypeScript
// elides that import, so this module is never evaluated, and its initialiser never runs.
import type { u64 } from "../../../../kernel/lib/int";
import { println } from "../../../../kernel/lib/console";

const STEP: u64 = 3n;

function step(): u64 {
  return STEP;
}

export class Counter {
  value: u64 = 0n;
  bump(): u64 {
    this.value += step();
    println(`bumped to ${this.value}`);
    return this.value;
  }
}
