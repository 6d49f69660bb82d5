import assert from "node:assert/strict";
import { OfflineBuffers } from "../../lib/engine/offline_buffers.ts";

function buffersWithCounts() {
  const counts = { dropped: 0, kept: 0 };
  const buffers = new OfflineBuffers({
    dropped: (_index, count) => void (counts.dropped += count),
    kept: () => void counts.kept++,
  });
  return { buffers, counts };
}

const reading = (intendedMs: number) => ({ intendedMs, reading: `"t":${intendedMs}` });

Deno.test("OfflineBuffers drops at once without a buffer, and the oldest when one is full", () => {
  const { buffers, counts } = buffersWithCounts();
  buffers.keep(0, 0, reading(1));
  assert.deepEqual(counts, { dropped: 1, kept: 0 });
  for (const ms of [1, 2, 3]) buffers.keep(1, 2, reading(ms));
  assert.deepEqual(counts, { dropped: 2, kept: 3 });
  const sent: number[] = [];
  assert.equal(buffers.flush(1, (kept) => sent.push(kept.intendedMs) > 0), false);
  assert.deepEqual(sent, [2, 3], "oldest first, the first one dropped");
});

Deno.test("OfflineBuffers.flush() stops at the first reading not taken and keeps the rest", () => {
  const { buffers, counts } = buffersWithCounts();
  for (const ms of [1, 2, 3]) buffers.keep(4, 10, reading(ms));
  let budget = 1;
  assert.equal(buffers.flush(4, () => budget-- > 0), true, "two are left");
  const rest: number[] = [];
  assert.equal(buffers.flush(4, (kept) => rest.push(kept.intendedMs) > 0), false);
  assert.deepEqual(rest, [2, 3]);
  assert.equal(buffers.flush(4, () => true), false, "nothing is left");
  assert.equal(counts.dropped, 0);
});

Deno.test("OfflineBuffers.drop() and dropAll() count what was never sent", () => {
  const { buffers, counts } = buffersWithCounts();
  for (const ms of [1, 2]) buffers.keep(7, 5, reading(ms));
  for (const ms of [1, 2, 3]) buffers.keep(8, 5, reading(ms));
  buffers.drop(7);
  assert.equal(counts.dropped, 2);
  buffers.dropAll();
  assert.equal(counts.dropped, 5);
  assert.equal(buffers.flush(8, () => true), false);
});
