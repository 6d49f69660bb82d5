import assert from "node:assert/strict";
import { createRandom, nextRandom } from "../../lib/fleet/random.ts";
import {
  backoffDelayMs,
  type BackoffPolicy,
  DEFAULT_BACKOFF,
} from "../../lib/transport/backoff.ts";

const POLICY: BackoffPolicy = { baseMs: 100, capMs: 5_000 };
/** The largest value random() may return: just below 1. */
const ALMOST_ONE = 1 - 2 ** -53;

function seededRandom(seed: number): () => number {
  const state = createRandom(seed, 0);
  return () => nextRandom(state);
}

Deno.test("DEFAULT_BACKOFF starts at 0.5 s and caps at 30 s", () => {
  assert.deepEqual({ ...DEFAULT_BACKOFF }, { baseMs: 500, capMs: 30_000 });
  assert.ok(Object.isFrozen(DEFAULT_BACKOFF));
});

Deno.test("backoffDelayMs() spans [0, base * 2^attempt) below the cap", () => {
  for (const [attempt, ceilingMs] of [[0, 100], [1, 200], [2, 400], [5, 3_200]]) {
    assert.equal(backoffDelayMs(attempt, POLICY, () => 0), 0, `attempt ${attempt}`);
    assert.equal(backoffDelayMs(attempt, POLICY, () => 0.5), ceilingMs / 2, `attempt ${attempt}`);
    assert.equal(
      backoffDelayMs(attempt, POLICY, () => ALMOST_ONE),
      ceilingMs - 1,
      `attempt ${attempt}`,
    );
  }
});

Deno.test("backoffDelayMs() grows with the attempt until the cap", () => {
  let previous = -1;
  for (let attempt = 0; attempt <= 6; attempt++) {
    const top = backoffDelayMs(attempt, POLICY, () => ALMOST_ONE);
    assert.ok(top > previous, `attempt ${attempt}: ${top} after ${previous}`);
    previous = top;
  }
});

Deno.test("backoffDelayMs() never reaches the cap, however many attempts", () => {
  for (const attempt of [6, 7, 10, 30, 31, 100, 10_000]) {
    const top = backoffDelayMs(attempt, POLICY, () => ALMOST_ONE);
    assert.equal(top, POLICY.capMs - 1, `attempt ${attempt}`);
    assert.ok(Number.isFinite(top));
  }
  assert.equal(backoffDelayMs(1_000, DEFAULT_BACKOFF, () => ALMOST_ONE), 29_999);
});

Deno.test("backoffDelayMs() returns whole ms within [0, min(cap, base * 2^attempt)) for seeded draws", () => {
  const random = seededRandom(7);
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceilingMs = Math.min(POLICY.capMs, POLICY.baseMs * 2 ** attempt);
    for (let i = 0; i < 200; i++) {
      const delayMs = backoffDelayMs(attempt, POLICY, random);
      assert.ok(Number.isInteger(delayMs), `${delayMs}`);
      assert.ok(delayMs >= 0 && delayMs < ceilingMs, `attempt ${attempt}: ${delayMs}`);
    }
  }
});

Deno.test("backoffDelayMs() full jitter spreads 1,000 delays of attempt 3 over the whole window", () => {
  const random = seededRandom(2_026);
  const ceilingMs = DEFAULT_BACKOFF.baseMs * 2 ** 3;
  const delays = Array.from({ length: 1_000 }, () => backoffDelayMs(3, DEFAULT_BACKOFF, random));
  // Ten equal slices of [0, 4000) ms: each holds about 100 delays.
  const slices = new Array(10).fill(0);
  for (const delayMs of delays) slices[Math.floor((delayMs / ceilingMs) * 10)]++;
  for (const [index, count] of slices.entries()) {
    assert.ok(count >= 60 && count <= 140, `slice ${index}: ${count} (${slices})`);
  }
  assert.ok(Math.min(...delays) < ceilingMs * 0.02, `min ${Math.min(...delays)}`);
  assert.ok(Math.max(...delays) > ceilingMs * 0.98, `max ${Math.max(...delays)}`);
  assert.ok(new Set(delays).size > 700, `distinct ${new Set(delays).size}`);
});
