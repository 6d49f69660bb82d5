import assert from "node:assert/strict";
import { firstDueOnGridMs, phaseFraction } from "../../lib/engine/send_phase.ts";

Deno.test("phaseFraction() spreads every first k sensors evenly over one period", () => {
  for (const count of [10, 100, 1_000, 10_000]) {
    const tenths = new Array(10).fill(0);
    for (let j = 0; j < count; j++) tenths[Math.floor(phaseFraction(j, 0.3) * 10)]++;
    for (const inTenth of tenths) {
      assert.ok(
        Math.abs(inTenth - count / 10) <= Math.max(2, count * 0.005),
        `${count}: ${tenths}`,
      );
    }
  }
  assert.equal(phaseFraction(0, 0.25), 0.25, "turned by the offset");
});

Deno.test("firstDueOnGridMs() is the first grid time at or after now", () => {
  assert.equal(firstDueOnGridMs(1_000, 250, 1_000, 0), 1_250);
  assert.equal(firstDueOnGridMs(1_000, 250, 1_000, 1_250), 1_250);
  assert.equal(firstDueOnGridMs(1_000, 250, 1_000, 1_251), 2_250);
  assert.equal(firstDueOnGridMs(1_000, 250, 1_000, 7_900), 8_250);
});

/**
 * Sends per whole second in `[fromMs, toMs)` of a fleet of `count` sensors every
 * `periodMs`, connected one after another over `rampMs` (in index order, as the connect
 * gate lets them through), each joining its place on the grid.
 */
function sendsPerSecond(
  count: number,
  periodMs: number,
  rampMs: number,
  fromMs: number,
  toMs: number,
): number[] {
  const seconds = new Array((toMs - fromMs) / 1_000).fill(0);
  for (let j = 0; j < count; j++) {
    const connectedMs = (rampMs * j) / count;
    const phaseMs = phaseFraction(j, 0.37) * periodMs;
    for (
      let dueMs = firstDueOnGridMs(0, phaseMs, periodMs, connectedMs);
      dueMs < toMs;
      dueMs += periodMs
    ) {
      if (dueMs >= fromMs) seconds[Math.floor((dueMs - fromMs) / 1_000)]++;
    }
  }
  return seconds;
}

Deno.test("a fleet of 2,000 every 5 s offers 400 msg/s (within 2%) in every second of the hold, whatever the ramp", () => {
  for (const rampMs of [0, 1_000, 2_000, 3_500, 5_000, 7_300, 12_000]) {
    const holdStartMs = Math.ceil(rampMs / 1_000) * 1_000;
    const seconds = sendsPerSecond(2_000, 5_000, rampMs, holdStartMs, holdStartMs + 20_000);
    for (const sends of seconds) {
      assert.ok(Math.abs(sends - 400) <= 8, `ramp ${rampMs} ms: ${seconds.join(", ")}`);
    }
  }
});

Deno.test("while a fleet connects in index order, its load grows without bursts", () => {
  // 10,000 sensors every 5 s over a 10 s ramp: the load climbs steadily towards 2,000
  // msg/s, 200 msg/s more each second (100, 300, 500, ... on average over each second).
  const seconds = sendsPerSecond(10_000, 5_000, 10_000, 0, 10_000);
  seconds.forEach((sends, n) => {
    const ideal = 200 * (n + 0.5);
    assert.ok(Math.abs(sends - ideal) <= ideal * 0.05 + 10, `${seconds.join(", ")}`);
  });
});
