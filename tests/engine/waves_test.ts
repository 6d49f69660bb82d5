import assert from "node:assert/strict";
import { inWaves } from "../../lib/engine/waves.ts";

Deno.test("inWaves runs every task once, never more than the limit at a time", async () => {
  const items = Array.from({ length: 23 }, (_, index) => index);
  const done: number[] = [];
  let running = 0;
  let most = 0;
  await inWaves(items, 5, async (item) => {
    running++;
    most = Math.max(most, running);
    // Finish out of order: later items sometimes before earlier ones.
    for (let turn = 0; turn <= (item * 7) % 4; turn++) await Promise.resolve();
    done.push(item);
    running--;
  });
  assert.equal(most, 5);
  assert.deepEqual([...done].sort((a, b) => a - b), items);
});

Deno.test("inWaves with fewer items than the limit, or none, still resolves", async () => {
  const seen: string[] = [];
  await inWaves(["a", "b"], 500, (item) => Promise.resolve(void seen.push(item)));
  assert.deepEqual(seen, ["a", "b"]);
  await inWaves([], 3, () => Promise.reject(new Error("never called")));
});
