import assert from "node:assert/strict";
import { stagePositionAt, stagesDurationMs } from "../../lib/engine/stage_plan.ts";

const STAGES = [
  { durationMs: 10_000, targetSensors: 100 },
  { durationMs: 20_000, targetSensors: 100 },
  { durationMs: 5_000, targetSensors: 300 },
  { durationMs: 10_000, targetSensors: 0 },
];

Deno.test("stagePositionAt() ramps linearly from 0 through each stage's target", () => {
  const at = (ms: number) => stagePositionAt(STAGES, ms);
  assert.deepEqual(at(0), { stage: 1, targetSensors: 0, rateFactor: 1 });
  assert.deepEqual(at(5_000), { stage: 1, targetSensors: 50, rateFactor: 1 });
  assert.deepEqual(at(10_000), { stage: 2, targetSensors: 100, rateFactor: 1 });
  assert.deepEqual(at(29_999), { stage: 2, targetSensors: 100, rateFactor: 1 });
  assert.deepEqual(at(32_500), { stage: 3, targetSensors: 200, rateFactor: 1 });
  assert.deepEqual(at(40_000), { stage: 4, targetSensors: 150, rateFactor: 1 });
  assert.deepEqual(at(45_000), { stage: 5, targetSensors: 0, rateFactor: 1 });
  assert.deepEqual(at(90_000), { stage: 5, targetSensors: 0, rateFactor: 1 });
});

Deno.test("stagePositionAt() plans connection counts that never jump by more than the ramp allows", () => {
  let previous = 0;
  for (let ms = 0; ms <= 45_000; ms += 100) {
    const { targetSensors } = stagePositionAt(STAGES, ms);
    // The steepest stage moves 200 sensors in 5 s: 4 per 100 ms (+1 for rounding).
    assert.ok(
      Math.abs(targetSensors - previous) <= 5,
      `at ${ms} ms: ${previous} → ${targetSensors}`,
    );
    previous = targetSensors;
  }
});

Deno.test("stagePositionAt() treats a zero-length stage as a spike", () => {
  const spike = [{ durationMs: 0, targetSensors: 500 }, { durationMs: 1_000, targetSensors: 500 }];
  assert.deepEqual(stagePositionAt(spike, 0), { stage: 2, targetSensors: 500, rateFactor: 1 });
});

Deno.test("stagePositionAt() moves the rate factor linearly between stages", () => {
  const stages = [
    { durationMs: 1_000, targetSensors: 10, rateFactor: 3 },
    { durationMs: 1_000, targetSensors: 10 },
  ];
  assert.equal(stagePositionAt(stages, 0).rateFactor, 1);
  assert.equal(stagePositionAt(stages, 500).rateFactor, 2);
  assert.equal(stagePositionAt(stages, 1_000).rateFactor, 3);
  assert.equal(stagePositionAt(stages, 1_500).rateFactor, 2);
  assert.equal(stagePositionAt(stages, 5_000).rateFactor, 1);
});

Deno.test("stagesDurationMs() adds the stage lengths", () => {
  assert.equal(stagesDurationMs(STAGES), 45_000);
  assert.equal(stagesDurationMs([]), 0);
});
