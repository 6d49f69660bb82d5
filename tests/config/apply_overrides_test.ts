import { crossCheck } from "../../lib/config/cross_check.ts";
import { overridesFromEnv } from "../../lib/config/env_overrides.ts";
import assert from "node:assert/strict";
import {
  applyOverrides,
  type OverrideLayer,
  type OverrideValues,
} from "../../lib/config/apply_overrides.ts";
import {
  DEFAULT_FLEET,
  DEFAULT_SCENARIO,
  type FleetSpec,
  redactScenario,
  type Scenario,
} from "../../lib/config/scenario.ts";
import { UsageError } from "../../lib/config/usage_error.ts";

/** The scenario from environment variables then flags over the defaults, as `iotload run` builds it. */
function fromFlags(flags: OverrideValues, env: Record<string, string> = {}) {
  const layers: OverrideLayer[] = [
    { values: overridesFromEnv(env), source: "env" },
    { values: flags, source: "flag" },
  ];
  return applyOverrides(DEFAULT_SCENARIO, layers);
}

/** The problem lines of the UsageError that `flags` cause. */
function problemsOf(flags: OverrideValues, env: Record<string, string> = {}): string[] {
  try {
    fromFlags(flags, env);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error.message.split("\n");
  }
  assert.fail(`expected ${JSON.stringify(flags)} to be rejected`);
}

/** The problem lines of the UsageError that `flags` over `base` cause. */
function problemsOver(base: Scenario, flags: OverrideValues): string[] {
  try {
    applyOverrides(base, [{ values: flags, source: "flag" }]);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error.message.split("\n");
  }
  assert.fail(`expected ${JSON.stringify(flags)} to be rejected`);
}

/** A scenario over an external MQTT 5 broker with `fleets` (fields over the default fleet). */
function scenarioWith(fleets: Partial<FleetSpec>[], fields: Partial<Scenario> = {}): Scenario {
  return {
    ...DEFAULT_SCENARIO,
    url: "mqtt://127.0.0.1:1883",
    fleets: fleets.map((fleet, index) => ({
      ...DEFAULT_FLEET,
      name: `fleet-${index + 1}`,
      clientIdTemplate: "{fleet}-{id}",
      ...fleet,
    })),
    ...fields,
  };
}

Deno.test("applyOverrides() without flags gives 10,000 sensors every 5 s for 60 s at QoS 0 over MQTT 3.1.1", () => {
  const scenario = fromFlags({});
  assert.equal(scenario.url, null);
  assert.equal(scenario.fleets.length, 1);
  assert.equal(scenario.fleets[0].count, 10_000);
  assert.equal(scenario.fleets[0].intervalMs, 5_000);
  assert.equal(scenario.fleets[0].qos, 0);
  assert.equal(scenario.durationMs, 60_000);
  // The embedded broker speaks MQTT 3.1.1 only.
  assert.equal(scenario.protocolVersion, 4);
  assert.equal(scenario.password, undefined);
  assert.equal(scenario.probe, true);
  assert.deepEqual(scenario.thresholds, []);
  const { protocolVersion: _a, fleets: _b, ...rest } = scenario;
  const { protocolVersion: _c, fleets: _d, ...defaults } = DEFAULT_SCENARIO;
  for (const [key, value] of Object.entries(defaults)) {
    assert.deepEqual(rest[key as keyof typeof rest], value, key);
  }
  assert.deepEqual(scenario.fleets[0], DEFAULT_FLEET);
});

Deno.test("applyOverrides() defaults to MQTT 5 when --url is given", () => {
  const scenario = fromFlags({ url: "mqtt://127.0.0.1:1883" });
  assert.equal(scenario.url, "mqtt://127.0.0.1:1883");
  assert.equal(scenario.protocolVersion, 5);
  assert.equal(
    fromFlags({ url: "mqtt://127.0.0.1:1883", "protocol-version": "4" }).protocolVersion,
    4,
  );
});

Deno.test("applyOverrides() maps every flag to its field", () => {
  const scenario = fromFlags({
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
  assert.deepEqual(
    {
      url: scenario.url,
      username: scenario.username,
      password: scenario.password,
      caPath: scenario.caPath,
      certPath: scenario.certPath,
      keyPath: scenario.keyPath,
      insecure: scenario.insecure,
      durationMs: scenario.durationMs,
      protocolVersion: scenario.protocolVersion,
      keepaliveSec: scenario.keepaliveSec,
      connectRatePerSec: scenario.connectRatePerSec,
      connectConcurrency: scenario.connectConcurrency,
      connectTimeoutMs: scenario.connectTimeoutMs,
      ackTimeoutMs: scenario.ackTimeoutMs,
      maxInflight: scenario.maxInflight,
      seed: scenario.seed,
      probe: scenario.probe,
      probeConnections: scenario.probeConnections,
      drainMs: scenario.drainMs,
      thresholds: scenario.thresholds,
      json: scenario.json,
      outPath: scenario.outPath,
    },
    {
      url: "mqtts://broker.example:8883",
      username: "fleet",
      password: "s3cret",
      caPath: "ca.pem",
      certPath: "client.pem",
      keyPath: "client.key",
      insecure: true,
      durationMs: 600_000,
      protocolVersion: 4,
      keepaliveSec: 30,
      connectRatePerSec: 500,
      connectConcurrency: 50,
      connectTimeoutMs: 3_000,
      ackTimeoutMs: 1_500,
      maxInflight: 8,
      seed: 42,
      probe: false,
      probeConnections: 4,
      drainMs: 500,
      thresholds: [
        { expression: "e2e.p99<250ms", abortOnFail: false },
        { expression: "lost==0", abortOnFail: false },
      ],
      json: true,
      outPath: "summary.json",
    },
  );
  assert.deepEqual(scenario.fleets, [{
    ...DEFAULT_FLEET,
    count: 2_500,
    intervalMs: 250,
    qos: 1,
    topicTemplate: "plant/{index}/t",
    clientIdTemplate: "dev-{index}",
  }]);
});

Deno.test("applyOverrides() accepts --keepalive as whole seconds or a duration", () => {
  assert.equal(fromFlags({ keepalive: "45" }).keepaliveSec, 45);
  assert.equal(fromFlags({ keepalive: "2m" }).keepaliveSec, 120);
  assert.equal(fromFlags({ keepalive: "0" }).keepaliveSec, 0);
  for (const keepalive of ["1.5s", "500ms", "65536", "abc"]) {
    const problems = problemsOf({ keepalive });
    assert.equal(problems.length, 1, keepalive);
    assert.match(problems[0], /^--keepalive: /);
  }
});

Deno.test("applyOverrides() takes IOTLOAD_PASSWORD when --password is absent, and --password wins", () => {
  assert.equal(fromFlags({}, { IOTLOAD_PASSWORD: "from-env" }).password, "from-env");
  assert.equal(
    fromFlags({ password: "from-flag" }, { IOTLOAD_PASSWORD: "from-env" }).password,
    "from-flag",
  );
  assert.equal(fromFlags({}, { OTHER: "x" }).password, undefined);
});

Deno.test("applyOverrides() names a bad environment variable by its IOTLOAD_ name", () => {
  assert.deepEqual(problemsOf({}, { IOTLOAD_SENSORS: "lots" }), [
    'IOTLOAD_SENSORS: expected a whole number, got "lots"',
  ]);
  assert.equal(fromFlags({ sensors: "7" }, { IOTLOAD_SENSORS: "lots" }).fleets[0].count, 7);
});

Deno.test("applyOverrides() reports every bad flag together, one line each", () => {
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

Deno.test("applyOverrides() reports only the --url problem for a bad --url", () => {
  assert.deepEqual(problemsOf({ url: "ftp://host" }), [
    '--url: unsupported scheme "ftp" in "ftp://host"; use mqtt, mqtts, ws or wss',
  ]);
});

Deno.test("applyOverrides() rejects an interval or timeout outside 1ms to 24h", () => {
  for (const interval of ["0", "0.5ms", "25h"]) {
    assert.deepEqual(problemsOf({ interval }), [
      `--interval: expected 1ms to 24h, got ${JSON.stringify(interval)}`,
    ]);
  }
  assert.equal(fromFlags({ interval: "24h" }).fleets[0].intervalMs, 86_400_000);
  assert.match(problemsOf({ "connect-timeout": "0" })[0], /^--connect-timeout: expected 1ms/);
  assert.match(problemsOf({ "ack-timeout": "2d" })[0], /^--ack-timeout: /);
});

Deno.test("applyOverrides() accepts --duration 0 (run until interrupted)", () => {
  assert.equal(fromFlags({ duration: "0" }).durationMs, 0);
});

Deno.test("applyOverrides() rejects a client id template without {id} for more than one sensor", () => {
  const problems = problemsOf({ "client-id": "fixed", sensors: "2" });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^--client-id: "fixed" gives every sensor the same client id/);
  assert.equal(
    fromFlags({ "client-id": "fixed", sensors: "1" }).fleets[0].clientIdTemplate,
    "fixed",
  );
  // The default fleet has 10,000 sensors.
  assert.equal(problemsOf({ "client-id": "fixed" }).length, 1);
});

Deno.test("applyOverrides() rejects an unknown template placeholder", () => {
  assert.deepEqual(problemsOf({ topic: "sensors/{name}/t" }), [
    '--topic: unknown placeholder {name} in "sensors/{name}/t"; known: {id}, {index}, {fleet}',
  ]);
  assert.match(problemsOf({ "client-id": "c-{id}-{serial}" })[0], /^--client-id: .*\{serial\}/);
  assert.equal(fromFlags({ topic: "a/{id}/{index}" }).fleets[0].topicTemplate, "a/{id}/{index}");
});

Deno.test("applyOverrides() takes --payload-template, also from IOTLOAD_PAYLOAD_TEMPLATE", () => {
  assert.equal(DEFAULT_FLEET.payloadTemplate, null);
  assert.equal(fromFlags({}).fleets[0].payloadTemplate, null);
  const template = '{"site":"hq","t":{reading.temperatureC},"model":"{identity.model}",{reading}}';
  assert.deepEqual(fromFlags({ "payload-template": template }).fleets, [{
    ...DEFAULT_FLEET,
    payloadTemplate: template,
  }]);
  assert.equal(
    fromFlags({}, { IOTLOAD_PAYLOAD_TEMPLATE: '{"a":1}' }).fleets[0].payloadTemplate,
    '{"a":1}',
  );
  assert.equal(
    fromFlags({ "payload-template": '{"b":2}' }, { IOTLOAD_PAYLOAD_TEMPLATE: '{"a":1}' })
      .fleets[0].payloadTemplate,
    '{"b":2}',
  );
});

Deno.test("applyOverrides() reports a bad --payload-template with the other problems", () => {
  assert.deepEqual(
    problemsOf({ "payload-template": '{"a":{serial}}', qos: "3" }),
    [
      '--qos: expected one of 0, 1, 2, got "3"',
      "--payload-template: unknown placeholder {serial}; known: {id}, {index}, {seq}, {ts}, " +
      "{reading}, {identity.deviceId}, {identity.model}, {identity.manufacturer}, " +
      "{identity.firmware}, {identity.city}, {identity.lat}, {identity.lon}, {reading.NAME}, " +
      "{faker:MODULE.METHOD}",
    ],
  );
  assert.match(
    problemsOf({}, { IOTLOAD_PAYLOAD_TEMPLATE: '{"seq":1}' })[0],
    /^IOTLOAD_PAYLOAD_TEMPLATE: the template defines "seq"; the envelope sets sensorId, seq and ts/,
  );
});

Deno.test("applyOverrides() refuses --payload-template over several fleets", () => {
  const base = scenarioWith([{}, {}]);
  assert.deepEqual(problemsOver(base, { "payload-template": '{"a":1}' }), [
    "--payload-template: the scenario has 2 fleets; set these per fleet in the scenario file",
  ]);
});

Deno.test("applyOverrides() rejects --protocol-version 5 without --url", () => {
  const problems = problemsOf({ "protocol-version": "5" });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^--protocol-version 5: .*3\.1\.1.*--url/);
  assert.equal(fromFlags({ "protocol-version": "4" }).protocolVersion, 4);
});

Deno.test("applyOverrides() rejects --cert without --key and --key without --cert", () => {
  const url = "mqtts://broker.example:8883";
  assert.deepEqual(problemsOf({ url, cert: "client.pem" }), [
    "--cert and --key must be given together",
  ]);
  assert.deepEqual(problemsOf({ url, key: "client.key" }), [
    "--cert and --key must be given together",
  ]);
});

Deno.test("applyOverrides() rejects TLS flags without an mqtts:// or wss:// --url", () => {
  for (const flags of [{ ca: "ca.pem" }, { insecure: true }, { url: "mqtt://h", ca: "ca.pem" }]) {
    assert.deepEqual(problemsOf(flags), [
      "--ca/--cert/--key/--insecure need --url with mqtts:// or wss://",
    ]);
  }
  assert.equal(fromFlags({ url: "wss://h/mqtt", ca: "ca.pem" }).caPath, "ca.pem");
});

Deno.test("crossCheck() refuses MQTT 5 properties over MQTT 3.1.1, naming the fleet", () => {
  const fleets: Partial<FleetSpec>[] = [
    {},
    { userProperties: { site: "hq" }, messageExpirySec: 60, contentType: "text/plain" },
    { topicAlias: true },
  ];
  assert.deepEqual(crossCheck(scenarioWith(fleets)), []);
  assert.deepEqual(crossCheck(scenarioWith(fleets, { protocolVersion: 4 })), [
    "fleets[1].mqtt5: needs broker.protocolVersion 5 for userProperties, messageExpiry, contentType",
    "fleets[2].mqtt5: needs broker.protocolVersion 5 for topicAlias",
  ]);
  // Zero expiry, no properties and no alias are the defaults: nothing MQTT 5 is used.
  assert.deepEqual(
    crossCheck(scenarioWith([{ messageExpirySec: 0, userProperties: {} }], { protocolVersion: 4 })),
    [],
  );
  assert.deepEqual(
    crossCheck(scenarioWith([{ topicAlias: true }], { url: null, protocolVersion: 4 })),
    [
      "fleets[0].mqtt5: needs broker.protocolVersion 5 for topicAlias; the embedded broker speaks MQTT 3.1.1 only; give --url",
    ],
  );
});

Deno.test("crossCheck() refuses a command rate when no fleet takes commands", () => {
  assert.deepEqual(crossCheck(scenarioWith([{}, {}], { commandRatePerSec: 0.5 })), [
    "run.commandRate: no fleet takes commands; give a fleet commands.topic",
  ]);
  const commanded = scenarioWith([{}, { commandTopicTemplate: "c/{id}" }], {
    commandRatePerSec: 0.5,
  });
  assert.deepEqual(crossCheck(commanded), []);
  // Commands without a rate are fine: sensors subscribe and nothing is sent.
  assert.deepEqual(crossCheck(scenarioWith([{ commandTopicTemplate: "c/{id}" }])), []);
});

Deno.test("crossCheck() refuses status and command topics that every sensor of a fleet shares", () => {
  const shared = { statusTopicTemplate: "s/{fleet}", commandTopicTemplate: "c" };
  assert.deepEqual(crossCheck(scenarioWith([{ count: 1 }, { count: 2, ...shared }])), [
    'fleets[1].status.topic: "s/{fleet}" gives every sensor the same topic; add {id}',
    'fleets[1].commands.topic: "c" gives every sensor the same topic; add {id}',
  ]);
  assert.deepEqual(crossCheck(scenarioWith([{ count: 1, ...shared }])), []);
  assert.deepEqual(
    crossCheck(
      scenarioWith([{ statusTopicTemplate: "s/{index}", commandTopicTemplate: "c/{id}" }]),
    ),
    [],
  );
});

Deno.test("applyOverrides() runs the fleet cross-checks on the scenario file's new fields", () => {
  const base = scenarioWith([{
    count: 1,
    contentType: "application/json",
    statusTopicTemplate: "s",
  }]);
  assert.deepEqual(
    problemsOver(base, { "protocol-version": "4", sensors: "2" }),
    [
      'fleets[0].status.topic: "s" gives every sensor the same topic; add {id}',
      "fleets[0].mqtt5: needs broker.protocolVersion 5 for contentType",
    ],
  );
});

Deno.test("applyOverrides() returns a frozen scenario, fleets and thresholds included", () => {
  const thresholds = ["lost==0"];
  const scenario = fromFlags({ sensors: "5", threshold: thresholds });
  assert.ok(Object.isFrozen(scenario));
  assert.ok(Object.isFrozen(scenario.fleets));
  assert.ok(Object.isFrozen(scenario.fleets[0]));
  assert.ok(Object.isFrozen(scenario.thresholds));
  assert.throws(() => {
    (scenario as { durationMs: number }).durationMs = 6;
  }, TypeError);
  // Changing the caller's array later does not reach the scenario.
  thresholds.push("e2e.p99<1ms");
  assert.deepEqual(scenario.thresholds, [{ expression: "lost==0", abortOnFail: false }]);
});

Deno.test("redactScenario() replaces the password with *** and keeps every other field", () => {
  const scenario = fromFlags({
    url: "mqtt://127.0.0.1:1883",
    username: "fleet",
    password: "s3cret",
  });
  const redacted = redactScenario(scenario);
  assert.equal(redacted.password, "***");
  assert.equal(redacted.username, "fleet");
  assert.ok(!JSON.stringify(redacted).includes("s3cret"));
  // The scenario itself keeps its secret for the connection.
  assert.equal(scenario.password, "s3cret");
  const { password: _p, ...rest } = redacted;
  const { password: _q, ...original } = scenario;
  // Unset optional fields are left out of the redacted copy (JSON drops them anyway).
  const setFields = Object.fromEntries(
    Object.entries(original).filter(([, value]) => value !== undefined),
  );
  assert.deepEqual(rest, setFields);
});

Deno.test("redactScenario() removes a password from the broker URL", () => {
  const redacted = redactScenario(fromFlags({ url: "mqtt://fleet:s3cret@127.0.0.1:1883" }));
  assert.ok(!JSON.stringify(redacted).includes("s3cret"), String(redacted.url));
  assert.match(String(redacted.url), /^mqtt:\/\/fleet:\*\*\*@127\.0\.0\.1:1883/);
});

Deno.test("redactScenario() adds no password when none was set", () => {
  const redacted = redactScenario(fromFlags({}));
  assert.equal(redacted.password, undefined);
  assert.ok(!JSON.stringify(redacted).includes("***"));
});
