// Assertions shared by the differential tests: the executions agree exactly, and the
// native one ran clean under ASan/UBSan. The oracle (the TypeScript as written) is the
// reference: when both backends agree with each other but not with it, the backends are wrong.
import { expect } from "vitest";
import type { Outcome } from "./harness";

/** stderr without the echoed panic line (the only thing a program may print there). */
export function sanitizerOutput(o: Outcome): string {
  return o.stderr.replace(/^panic at [^\n]*\n$/, "");
}

export function expectSame(name: string, node: Outcome, hosted: Outcome, oracle?: Outcome): void {
  expect(sanitizerOutput(hosted), `${name}: sanitizer or runtime reports on stderr`).toBe("");
  if (oracle) {
    // The oracle first: its output is what the program means.
    const verdict = node.stdout === hosted.stdout ? "both backends agree, but not with the TypeScript as written (test/oracle): the backends are wrong" : "run-node vs the TypeScript as written (test/oracle)";
    expect(node.stdout, `${name}: stdout: ${verdict}`).toBe(oracle.stdout);
    expect(node.status, `${name}: exit status of run-node vs the TypeScript as written`).toBe(oracle.status);
    expect(node.stderr, `${name}: stderr of run-node vs the TypeScript as written`).toBe(oracle.stderr);
  }
  expect(node.stdout, `${name}: stdout of run-node vs run-hosted`).toBe(hosted.stdout);
  expect(node.status, `${name}: exit status of run-node vs run-hosted`).toBe(hosted.status);
  expect(node.stderr, `${name}: stderr of run-node vs run-hosted`).toBe(hosted.stderr);
}

/** Regex source for a literal string. */
export function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
