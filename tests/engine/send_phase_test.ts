import assert from "node:assert/strict";
import { firstDueOnGridMs, phaseFraction } from "../../lib/engine/send_phase.ts";

Deno.test("phaseFraction() spreads a fleet evenly over one period, turned by the offset", () => {
  assert.deepEqual([0, 1, 2, 3].map((j) => phaseFraction(j, 4, 0)), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual([0, 1, 2, 3].map((j) => phaseFraction(j, 4, 0.5)), [0.5, 0.75, 0, 0.25]);
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
    const phaseMs = phaseFraction(j, count, 0.37) * periodMs;
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

Deno.test("a fleet of 2,000 every 5 s offers a steady 400 msg/s in the hold, whatever the ramp", () => {
  for (const rampMs of [0, 1_000, 2_000, 3_500, 5_000, 7_300, 12_000]) {
    const holdStartMs = Math.ceil(rampMs / 1_000) * 1_000;
    const seconds = sendsPerSecond(2_000, 5_000, rampMs, holdStartMs, holdStartMs + 20_000);
    for (const sends of seconds) {
      assert.ok(Math.abs(sends - 400) <= 40, `ramp ${rampMs} ms: ${seconds.join(", ")}`);
    }
  }
});
