import assert from "node:assert/strict";
import { DEFAULT_FLEET, DEFAULT_SCENARIO, type Scenario } from "../../lib/config/scenario.ts";
import {
  parseShard,
  shardRanges,
  shardSensorCount,
  shardStages,
  shareCount,
  splitRanges,
} from "../../lib/config/shard.ts";
import { parseStartAt, startEpochMs } from "../../lib/config/start_at.ts";
import { UsageError } from "../../lib/config/usage_error.ts";
import { SensorTable } from "../../lib/engine/sensor_table.ts";

function scenarioOf(counts: readonly number[], shard: Scenario["shard"] = null): Scenario {
  return {
    ...DEFAULT_SCENARIO,
    fleets: counts.map((count, n) => ({ ...DEFAULT_FLEET, name: `f${n}`, count })),
    shard,
  };
}

Deno.test("parseShard reads I/N and refuses an index outside the shards", () => {
  assert.deepEqual(parseShard("2/3", "--shard"), { index: 2, count: 3 });
  for (const bad of ["3/3", "0/0", "1", "-1/3", "a/b", "1/10001"]) {
    assert.throws(() => parseShard(bad, "--shard"), UsageError, bad);
  }
  assert.throws(() => parseShard("3/3", "--shard"), /--shard: expected I\/N with 0 <= I < N/);
});

Deno.test("the shards of a run drive every sensor of every fleet exactly once, contiguous per fleet", () => {
  for (const counts of [[10], [7, 1, 5], [1, 1], [1000, 3]]) {
    for (const shards of [1, 2, 3, 7]) {
      const seen: number[] = [];
      for (let index = 0; index < shards; index++) {
        const scenario = scenarioOf(counts, { index, count: shards });
        const ranges = shardRanges(scenario);
        // One contiguous slice per fleet at most.
        assert.ok(ranges.length <= counts.length);
        const before = seen.length;
        for (const { start, end } of ranges) {
          assert.ok(end > start);
          for (let n = start; n < end; n++) seen.push(n);
        }
        assert.equal(shardSensorCount(scenario), seen.length - before);
      }
      const total = counts.reduce((a, b) => a + b, 0);
      assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: total }, (_, n) => n));
    }
  }
});

Deno.test("a shard's sensors have the ids, client ids, identities and phases one process gives them", () => {
  const whole = new SensorTable(scenarioOf([9, 4]));
  for (let index = 0; index < 3; index++) {
    const scenario = scenarioOf([9, 4], { index, count: 3 });
    const part = new SensorTable(scenario, shardRanges(scenario));
    for (let local = 0; local < part.count; local++) {
      const global = part.globalIndex(local);
      assert.equal(part.sensorIds[local], whole.sensorIds[global]);
      assert.equal(part.clientIds[local], whole.clientIds[global]);
      assert.equal(part.identityJson[local], whole.identityJson[global]);
      assert.equal(part.phases[local], whole.phases[global]);
      assert.equal(part.fleetOf[local], whole.fleetOf[global]);
    }
  }
});

Deno.test("shares of a global number add up to it; stage targets are divided so", () => {
  for (const total of [0, 1, 5, 100, 1001]) {
    for (const count of [1, 3, 8]) {
      let sum = 0;
      for (let index = 0; index < count; index++) sum += shareCount(total, { index, count });
      assert.equal(sum, total);
    }
  }
  const staged: Scenario = {
    ...scenarioOf([100]),
    stages: [{ durationMs: 1000, targetSensors: 50 }],
  };
  const targets = [0, 1, 2].map((index) =>
    shardStages({ ...staged, shard: { index, count: 3 } })[0].targetSensors
  );
  assert.equal(targets.reduce((a, b) => a + b, 0), 50);
});

Deno.test("splitRanges gives each thread an equal part and its first position", () => {
  const ranges = [{ start: 0, end: 5 }, { start: 10, end: 13 }];
  assert.deepEqual(splitRanges(ranges, 0, 2), { ranges: [{ start: 0, end: 4 }], firstPosition: 0 });
  assert.deepEqual(splitRanges(ranges, 1, 2), {
    ranges: [{ start: 4, end: 5 }, { start: 10, end: 13 }],
    firstPosition: 4,
  });
});

Deno.test("--start-at takes an RFC 3339 time or a delay from now", () => {
  assert.deepEqual(parseStartAt("2026-12-02T10:00:00Z", "--start-at"), {
    epochMs: Date.parse("2026-12-02T10:00:00Z"),
  });
  assert.deepEqual(parseStartAt("2026-12-02T10:00:00.5+01:00", "--start-at"), {
    epochMs: Date.parse("2026-12-02T09:00:00.5Z"),
  });
  assert.equal(startEpochMs(parseStartAt("+30s", "--start-at"), 1_000), 31_000);
  for (const bad of ["tomorrow", "2026-12-02", "+2d", "+25h", "2026-13-02T10:00:00Z"]) {
    assert.throws(() => parseStartAt(bad, "--start-at"), UsageError, bad);
  }
});
