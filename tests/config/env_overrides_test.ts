import assert from "node:assert/strict";
import { overridesFromEnv, unknownEnvWarnings } from "../../lib/config/env_overrides.ts";
import { UsageError } from "../../lib/config/usage_error.ts";

Deno.test("overridesFromEnv() reads exactly 1/0, true/false and yes/no as booleans, in any case", () => {
  for (
    const [text, meaning] of [["1", true], ["TRUE", true], ["yes", true], ["0", false], [
      "False",
      false,
    ], ["no", false]] as const
  ) {
    assert.deepEqual(overridesFromEnv({ IOTLOAD_JSON: text }), { json: meaning }, text);
  }
});

Deno.test("overridesFromEnv() refuses every other boolean spelling, all problems at once", () => {
  assert.throws(
    () => overridesFromEnv({ IOTLOAD_JSON: "off", IOTLOAD_NO_PROBE: "on" }),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message ===
        'IOTLOAD_NO_PROBE: "on" is not a boolean (use 1/0, true/false or yes/no)\n' +
          'IOTLOAD_JSON: "off" is not a boolean (use 1/0, true/false or yes/no)',
  );
});

Deno.test("overridesFromEnv() splits IOTLOAD_THRESHOLD on semicolons and skips empty values", () => {
  assert.deepEqual(
    overridesFromEnv({ IOTLOAD_THRESHOLD: "lost==0; e2e.p99<1s", IOTLOAD_SENSORS: "" }),
    { threshold: ["lost==0", "e2e.p99<1s"] },
  );
});

Deno.test("unknownEnvWarnings() names a mistyped IOTLOAD_* variable and the nearest setting", () => {
  assert.deepEqual(
    unknownEnvWarnings(
      { IOTLOAD_SENSOR: "5", IOTLOAD_SENSORS: "5", IOTLOAD_ZZZZZZZZZZ: "1", HOME: "/root" },
    ),
    [
      "IOTLOAD_SENSOR is not an iotload setting; did you mean IOTLOAD_SENSORS? (it is ignored)",
      "IOTLOAD_ZZZZZZZZZZ is not an iotload setting (it is ignored)",
    ],
  );
});

Deno.test("unknownEnvWarnings() knows IOTLOAD_SCENARIO and the test suite's IOTLOAD_TEST_URL", () => {
  assert.deepEqual(
    unknownEnvWarnings({ IOTLOAD_SCENARIO: "a.yaml", IOTLOAD_TEST_URL: "mqtt://x" }),
    [],
  );
});

Deno.test("an Indexed Job's JOB_COMPLETION_INDEX with IOTLOAD_SHARDS gives the shard; IOTLOAD_SHARD wins", () => {
  assert.equal(
    overridesFromEnv({ JOB_COMPLETION_INDEX: "2", IOTLOAD_SHARDS: "5" }).shard,
    "2/5",
  );
  assert.equal(
    overridesFromEnv({ JOB_COMPLETION_INDEX: "2", IOTLOAD_SHARDS: "5", IOTLOAD_SHARD: "0/1" })
      .shard,
    "0/1",
  );
  assert.equal(overridesFromEnv({ JOB_COMPLETION_INDEX: "2" }).shard, undefined);
  assert.deepEqual(unknownEnvWarnings({ IOTLOAD_SHARDS: "5" }), []);
});
