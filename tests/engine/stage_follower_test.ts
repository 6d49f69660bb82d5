import assert from "node:assert/strict";
import type { StageSpec } from "../../lib/config/scenario.ts";
import { ManualClock } from "../../lib/engine/clock.ts";
import { STAGE_CHECK_MS, StageFollower } from "../../lib/engine/stage_follower.ts";

/** Sensors that log what the follower does to them. */
function sensors(count: number, firstIndex = 0) {
  const running = new Set<number>();
  const log: string[] = [];
  const rates: number[] = [];
  let rateFactor = 1;
  return {
    running,
    log,
    rates,
    count,
    firstIndex,
    start: (index: number) => {
      running.add(index);
      log.push(`start ${index}`);
    },
    stop: (index: number) => {
      running.delete(index);
      log.push(`stop ${index}`);
    },
    get rateFactor() {
      return rateFactor;
    },
    setRateFactor: (factor: number) => {
      rateFactor = factor;
      rates.push(factor);
    },
  };
}

const RAMP_AND_DOWN: StageSpec[] = [
  { durationMs: 1_000, targetSensors: 10, rateFactor: 1 },
  { durationMs: 1_000, targetSensors: 4, rateFactor: 1 },
];

Deno.test("StageFollower starts sensors in index order up to the target, then stops the highest", () => {
  const fleet = sensors(10);
  const clock = new ManualClock();
  const follower = new StageFollower(RAMP_AND_DOWN, fleet, clock);
  follower.start();
  assert.equal(follower.stage, 1);
  assert.equal(fleet.running.size, 0);
  clock.advanceMs(500);
  assert.equal(fleet.running.size, 5);
  assert.deepEqual(fleet.log, ["start 0", "start 1", "start 2", "start 3", "start 4"]);
  clock.advanceMs(500);
  assert.equal(fleet.running.size, 10);
  clock.advanceMs(500);
  assert.equal(follower.stage, 2);
  assert.equal(fleet.running.size, 7);
  clock.advanceMs(500);
  assert.equal(follower.stage, 3, "past the last stage");
  assert.deepEqual([...fleet.running].toSorted((a, b) => a - b), [0, 1, 2, 3]);
  assert.deepEqual(fleet.log.slice(-6), [
    "stop 9",
    "stop 8",
    "stop 7",
    "stop 6",
    "stop 5",
    "stop 4",
  ]);
  follower.stop();
  const logged = fleet.log.length;
  clock.advanceMs(10 * STAGE_CHECK_MS);
  assert.equal(fleet.log.length, logged, "no check after stop()");
});

Deno.test("StageFollower counts the plan across processes: a worker's sensors start past its offset", () => {
  // This process holds global sensors 6..9; a target of 8 wants two of them.
  const fleet = sensors(4, 6);
  const follower = new StageFollower(
    [{ durationMs: 0, targetSensors: 8, rateFactor: 1 }],
    fleet,
    new ManualClock(),
  );
  follower.follow(0);
  assert.deepEqual([...fleet.running], [0, 1]);
  assert.equal(follower.active, 2);
});

Deno.test("StageFollower moves the rate factor only when it changed by more than 2%", () => {
  const fleet = sensors(1);
  const follower = new StageFollower(
    [{ durationMs: 1_000, targetSensors: 1, rateFactor: 2 }],
    fleet,
    new ManualClock(),
  );
  follower.follow(10); // 1.01: within 2% of 1
  assert.deepEqual(fleet.rates, []);
  follower.follow(500); // 1.5
  follower.follow(505); // 1.505: within 2% of 1.5
  follower.follow(1_000); // 2
  assert.deepEqual(fleet.rates, [1.5, 2]);
});
