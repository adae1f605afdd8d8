#!/usr/bin/env node
// keelc entry point: runs the TypeScript sources of the compiler through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = main(process.argv.slice(2));
