// Setup file of every vitest project: names the test that blocks a worker's event loop.
// Vitest's worker must answer its runner within 60 s; a test that computes synchronously
// for longer fails the whole run with "[vitest-worker]: Timeout calling onTaskUpdate",
// naming no test. This watch prints the culprit long before that limit, so a slow
// synchronous test is found by name (fix it by yielding: `await new Promise(setImmediate)`).
import { beforeEach } from 'vitest';

const WARN_AFTER_MS = 20_000;
let current = '(collecting the file)';
let last = Date.now();

beforeEach((ctx) => {
  current = `${ctx.task.file?.name ?? '?'} > ${ctx.task.name}`;
});

setInterval(() => {
  const now = Date.now();
  if (now - last > WARN_AFTER_MS) {
    process.stderr.write(`\nkeel: the event loop of worker ${process.pid} was blocked for ${((now - last) / 1000).toFixed(0)} s, in or after ${current}; vitest fails the run at 60 s: yield in long loops\n`);
  }
  last = now;
}, 1_000).unref();
