// Assertions shared by the differential tests: both executions agree exactly, and the
// native one ran clean under ASan/UBSan.
import { expect } from "vitest";
import type { Outcome } from "./harness";

/** stderr without the echoed panic line (the only thing a program may print there). */
export function sanitizerOutput(o: Outcome): string {
  return o.stderr.replace(/^panic at [^\n]*\n$/, "");
}

export function expectSame(name: string, node: Outcome, hosted: Outcome): void {
  expect(sanitizerOutput(hosted), `${name}: sanitizer or runtime reports on stderr`).toBe("");
  expect(node.stdout, `${name}: stdout of run-node vs run-hosted`).toBe(hosted.stdout);
  expect(node.status, `${name}: exit status of run-node vs run-hosted`).toBe(hosted.status);
  expect(node.stderr, `${name}: stderr of run-node vs run-hosted`).toBe(hosted.stderr);
}

/** Regex source for a literal string. */
export function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
