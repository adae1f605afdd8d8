// The randomized allocator suite (kernel/tests/allocator_random_tests.ts) compiled by keelc
// and run both ways: through the JS backend and as a hosted native binary with ASan and
// UBSan. Both must pass every step and print the same thing.
import { expect, it } from "vitest";
import { compileBatch, runBoth } from "../differential/harness";

const ENTRY = "test/mm/programs/allocator_random_main.ts";

it("the allocator property suite passes natively (sanitizers on) and through the JS backend, identically", async () => {
  const c = compileBatch([ENTRY]).get(ENTRY)!;
  expect(c.errors).toBe("");
  const { node, hosted } = await runBoth(c);
  expect(hosted.stderr, "no sanitizer report").toBe("");
  expect(hosted.stdout).toBe(node.stdout);
  expect(hosted.status).toBe(node.status);
  expect(hosted.status, hosted.stdout).toBe(33);
  expect(hosted.stdout).toMatch(/^ok 1 random operations \(early arrays\)$/m);
  expect(hosted.stdout).toMatch(/^ok 2 random operations \(across the upgrade to trees\)$/m);
  // The last progress line counts every random operation of both runs.
  const counts = [...hosted.stdout.matchAll(/# (\d+) random allocator operations checked so far/g)].map((m) => Number(m[1]));
  expect(counts.at(-1)).toBe(4000);
}, 180_000);
