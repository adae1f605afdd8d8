#!/usr/bin/env node
// qemu/build-image.sh: writes the KTAP manifest of an entry file (qemu/ktap_manifest.ts).
//   ktap-manifest.mjs ENTRY.ts OUT.json
import { readFileSync, writeFileSync } from "node:fs";
import { importTs } from "./import_ts.mjs";

const { ktapManifest } = await importTs("qemu/ktap_manifest.ts");

const [entry, out] = process.argv.slice(2);
try {
  if (!entry || !out) throw new Error("usage: ktap-manifest.mjs ENTRY.ts OUT.json");
  writeFileSync(out, JSON.stringify(ktapManifest(entry, readFileSync(entry, "utf8")), null, 2) + "\n");
} catch (e) {
  console.error(`ktap-manifest.mjs: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
