#!/usr/bin/env node
// Kernel line and function tables (qemu/line_table.ts), for qemu/build-image.sh:
//   line-table.mjs empty OUT.c          placeholder tables for the first link
//   line-table.mjs generate ELF OUT.c   tables from the first link's DWARF and symbols
//   line-table.mjs check ELF TABLE.c    the final link must describe its code exactly as
//                                       TABLE.c does (the table did not move any code)
import { readFileSync, writeFileSync } from "node:fs";
import { importTs } from "./import_ts.mjs";

const { buildTables, emptyTables, readElf, tablesToC } = await importTs("qemu/line_table.ts");

const [command, ...args] = process.argv.slice(2);
try {
  if (command === "empty" && args.length === 1) {
    writeFileSync(args[0], tablesToC(emptyTables()));
  } else if (command === "generate" && args.length === 2) {
    writeFileSync(args[1], tablesToC(buildTables(readElf(args[0]))));
  } else if (command === "check" && args.length === 2) {
    const expected = tablesToC(buildTables(readElf(args[0])));
    if (readFileSync(args[1], "utf8") !== expected) {
      console.error(`line-table: ${args[0]} no longer matches ${args[1]}: linking the tables moved code`);
      process.exitCode = 1;
    }
  } else {
    console.error("usage: line-table.mjs empty OUT.c | generate ELF OUT.c | check ELF TABLE.c");
    process.exitCode = 2;
  }
} catch (e) {
  console.error(`line-table: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
}
