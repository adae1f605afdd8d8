// make edit-loop-bench: the edit loop's time (qemu/edit_loop.ts), printed and written to
// build/edit-loop.json.
import { writeFileSync } from "node:fs";
import { describeEditLoop, measureEditLoop } from "./edit_loop.ts";

const result = measureEditLoop(Number(process.env.EDIT_LOOP_RUNS ?? 3));
writeFileSync("build/edit-loop.json", JSON.stringify(result, null, 2) + "\n");
console.log(describeEditLoop(result));
console.log("written to build/edit-loop.json");
