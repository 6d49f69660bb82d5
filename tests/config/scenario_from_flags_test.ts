import assert from "node:assert/strict";
import { DEFAULT_SCENARIO, redactScenario, type Scenario } from "../../lib/config/scenario.ts";
import { scenarioFromFlags } from "../../lib/config/scenario_from_flags.ts";
import { UsageError } from "../../lib/config/usage_error.ts";

/** The problem lines of the UsageError that `flags` cause. */
function problemsOf(
  flags: Parameters<typeof scenarioFromFlags>[0],
  env: Parameters<typeof scenarioFromFlags>[1] = {},
): string[] {
  try {
    scenarioFromFlags(flags, env);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error.message.split("\n");
  }
  assert.fail(`expected ${JSON.stringify(flags)} to be rejected`);
}

Deno.test("scenarioFromFlags() fills the defaults when no flag is given", () => {
  const scenario = scenarioFromFlags({});
  assert.equal(scenario.url, null);
  assert.equal(scenario.sensors, 10_000);
  assert.equal(scenario.intervalMs, 5_000);
  assert.equal(scenario.durationMs, 60_000);
  assert.equal(scenario.qos, 0);
  // The embedded broker speaks MQTT 3.1.1 only.
  assert.equal(scenario.protocolVersion, 4);
  assert.equal(scenario.username, undefined);
  assert.equal(scenario.password, undefined);
  assert.equal(scenario.insecure, false);
  assert.equal(scenario.probe, true);
  assert.equal(scenario.json, false);
  assert.equal(scenario.outPath, null);
  assert.deepEqual(scenario.thresholds, []);
  const { protocolVersion: _ignored, ...rest } = scenario;
  const { protocolVersion: _default, ...defaults } = DEFAULT_SCENARIO;
  for (const [key, value] of Object.entries(defaults)) {
    assert.deepEqual(rest[key as keyof typeof rest], value, key);
  }
});

Deno.test("scenarioFromFlags() defaults to MQTT 5 when --url is given", () => {
  const scenario = scenarioFromFlags({ url: "mqtt://127.0.0.1:1883" });
  assert.equal(scenario.url, "mqtt://127.0.0.1:1883");
  assert.equal(scenario.protocolVersion, 5);
  assert.equal(
    scenarioFromFlags({ url: "mqtt://127.0.0.1:1883", "protocol-version": "4" }).protocolVersion,
    4,
  );
});

Deno.test("scenarioFromFlags() maps every flag to its field", () => {
  const scenario = scenarioFromFlags({
    url: "mqtts://broker.example:8883",
    username: "fleet",
    password: "s3cret",
    ca: "ca.pem",
    cert: "client.pem",
    key: "client.key",
    insecure: true,
    sensors: "2_500",
    interval: "250ms",
    duration: "10m",
    qos: "1",
    "protocol-version": "4",
    keepalive: "30s",
    topic: "plant/{index}/t",
    "client-id": "dev-{index}",
    "connect-rate": "500/s",
    "connect-concurrency": "50",
    "connect-timeout": "3s",
    "ack-timeout": "1.5s",
    "max-inflight": "8",
    seed: "42",
    "no-probe": true,
    "probe-connections": "4",
    drain: "500ms",
    threshold: ["e2e.p99<250ms", "lost==0"],
    json: true,
    out: "summary.json",
  });
  const expected: Scenario = {
    url: "mqtts://broker.example:8883",
    username: "fleet",
    password: "s3cret",
    caPath: "ca.pem",
    certPath: "client.pem",
    keyPath: "client.key",
    insecure: true,
    sensors: 2_500,
    intervalMs: 250,
    durationMs: 600_000,
    qos: 1,
    protocolVersion: 4,
    keepaliveSec: 30,
    topicTemplate: "plant/{index}/t",
    clientIdTemplate: "dev-{index}",
    connectRatePerSec: 500,
    connectConcurrency: 50,
    connectTimeoutMs: 3_000,
    ackTimeoutMs: 1_500,
    maxInflight: 8,
    seed: 42,
    probe: false,
    probeConnections: 4,
    drainMs: 500,
    thresholds: ["e2e.p99<250ms", "lost==0"],
    json: true,
    outPath: "summary.json",
  };
  assert.deepEqual(scenario, expected);
});

Deno.test("scenarioFromFlags() accepts --keepalive as whole seconds or a duration", () => {
  assert.equal(scenarioFromFlags({ keepalive: "45" }).keepaliveSec, 45);
  assert.equal(scenarioFromFlags({ keepalive: "2m" }).keepaliveSec, 120);
  assert.equal(scenarioFromFlags({ keepalive: "0" }).keepaliveSec, 0);
  for (const keepalive of ["1.5s", "500ms", "65536", "abc"]) {
    const problems = problemsOf({ keepalive });
    assert.equal(problems.length, 1, keepalive);
    assert.match(problems[0], /^--keepalive: /);
  }
});

Deno.test("scenarioFromFlags() takes IOTLOAD_PASSWORD when --password is absent", () => {
  assert.equal(scenarioFromFlags({}, { IOTLOAD_PASSWORD: "from-env" }).password, "from-env");
  assert.equal(
    scenarioFromFlags({ password: "from-flag" }, { IOTLOAD_PASSWORD: "from-env" }).password,
    "from-flag",
  );
  assert.equal(scenarioFromFlags({}, { OTHER: "x" }).password, undefined);
});

Deno.test("scenarioFromFlags() reports every bad flag together, one line each", () => {
  const problems = problemsOf({
    sensors: "ten",
    interval: "5",
    qos: "3",
    topic: "t/{name}",
    "max-inflight": "0",
  });
  assert.equal(problems.length, 5, problems.join("\n"));
  for (const flag of ["--topic", "--sensors", "--interval", "--qos", "--max-inflight"]) {
    assert.equal(
      problems.filter((line) => line.startsWith(`${flag}: `)).length,
      1,
      `${flag} in ${problems.join(" | ")}`,
    );
  }
});

Deno.test("scenarioFromFlags() rejects an interval or timeout outside 1ms to 24h", () => {
  for (const interval of ["0", "0.5ms", "25h"]) {
    assert.deepEqual(problemsOf({ interval }), [
      `--interval: expected 1ms to 24h, got ${JSON.stringify(interval)}`,
    ]);
  }
  assert.equal(scenarioFromFlags({ interval: "24h" }).intervalMs, 86_400_000);
  assert.match(problemsOf({ "connect-timeout": "0" })[0], /^--connect-timeout: expected 1ms/);
  assert.match(problemsOf({ "ack-timeout": "2d" })[0], /^--ack-timeout: /);
});

Deno.test("scenarioFromFlags() accepts --duration 0 (run until interrupted)", () => {
  assert.equal(scenarioFromFlags({ duration: "0" }).durationMs, 0);
});

Deno.test("scenarioFromFlags() rejects a client id template without {id} for more than one sensor", () => {
  const problems = problemsOf({ "client-id": "fixed", sensors: "2" });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^--client-id: "fixed" gives every sensor the same client id/);
  assert.equal(
    scenarioFromFlags({ "client-id": "fixed", sensors: "1" }).clientIdTemplate,
    "fixed",
  );
  // The default fleet has 10,000 sensors.
  assert.equal(problemsOf({ "client-id": "fixed" }).length, 1);
});

Deno.test("scenarioFromFlags() rejects an unknown template placeholder", () => {
  assert.deepEqual(problemsOf({ topic: "sensors/{name}/t" }), [
    '--topic: unknown placeholder {name} in "sensors/{name}/t"; known: {id}, {index}',
  ]);
  assert.match(problemsOf({ "client-id": "c-{id}-{serial}" })[0], /^--client-id: .*\{serial\}/);
  assert.equal(scenarioFromFlags({ topic: "a/{id}/{index}" }).topicTemplate, "a/{id}/{index}");
});

Deno.test("scenarioFromFlags() rejects --protocol-version 5 without --url", () => {
  const problems = problemsOf({ "protocol-version": "5" });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^--protocol-version 5: .*3\.1\.1.*--url/);
  assert.equal(
    scenarioFromFlags({ "protocol-version": "4" }).protocolVersion,
    4,
  );
});

Deno.test("scenarioFromFlags() rejects --cert without --key and --key without --cert", () => {
  const url = "mqtts://broker.example:8883";
  assert.deepEqual(problemsOf({ url, cert: "client.pem" }), [
    "--cert and --key must be given together",
  ]);
  assert.deepEqual(problemsOf({ url, key: "client.key" }), [
    "--cert and --key must be given together",
  ]);
});

Deno.test("scenarioFromFlags() rejects TLS flags without --url", () => {
  for (const flags of [{ ca: "ca.pem" }, { insecure: true }]) {
    assert.deepEqual(problemsOf(flags), [
      "--ca/--cert/--key/--insecure need --url with mqtts:// or wss://",
    ]);
  }
});

Deno.test("scenarioFromFlags() returns a frozen scenario", () => {
  const scenario = scenarioFromFlags({ sensors: "5" });
  assert.ok(Object.isFrozen(scenario));
  assert.throws(() => {
    (scenario as { sensors: number }).sensors = 6;
  }, TypeError);
  assert.equal(scenario.sensors, 5);
});

Deno.test("redactScenario() replaces the password with *** and keeps every other field", () => {
  const scenario = scenarioFromFlags({
    url: "mqtt://127.0.0.1:1883",
    username: "fleet",
    password: "s3cret",
  });
  const redacted = redactScenario(scenario);
  assert.equal(redacted.password, "***");
  assert.equal(redacted.username, "fleet");
  assert.equal(redacted.sensors, 10_000);
  assert.ok(!JSON.stringify(redacted).includes("s3cret"));
  // The scenario itself keeps its secret for the connection.
  assert.equal(scenario.password, "s3cret");
  const { password: _p, ...rest } = redacted;
  const { password: _q, ...original } = scenario;
  assert.deepEqual(rest, original);
});

Deno.test("redactScenario() adds no password when none was set", () => {
  const redacted = redactScenario(scenarioFromFlags({}));
  assert.equal(redacted.password, undefined);
  assert.ok(!JSON.stringify(redacted).includes("***"));
});
