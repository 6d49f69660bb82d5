import assert from "node:assert/strict";
import { join } from "node:path";
import { crossCheck } from "../../lib/config/cross_check.ts";
import { DEFAULT_FLEET, DEFAULT_SCENARIO, type Scenario } from "../../lib/config/scenario.ts";
import type { Field } from "../../lib/config/field_types.ts";
import { SCENARIO_SHAPE } from "../../lib/config/scenario_fields.ts";
import { loadScenarioFile, parseScenarioText } from "../../lib/config/scenario_file.ts";
import { UsageError } from "../../lib/config/usage_error.ts";
import { createIdentity } from "../../lib/fleet/identity.ts";
import { compilePayloadTemplate, sampleReadingJson } from "../../lib/fleet/payload_template.ts";
import { profileFor } from "../../lib/fleet/profile.ts";
import { parseThreshold } from "../../lib/report/thresholds.ts";

const EXAMPLES_DIR = new URL("../../examples/", import.meta.url).pathname;

/** The example scenario files, by name. */
function exampleNames(): string[] {
  return [...Deno.readDirSync(EXAMPLES_DIR)]
    .map((entry) => entry.name)
    .filter((name) => name.endsWith(".yaml"))
    .sort();
}

/** The problem lines of the UsageError that parsing `text` causes. */
function problemsOf(
  text: string,
  fileName = "fleet.yaml",
  env: Record<string, string> = {},
): string[] {
  try {
    parseScenarioText(text, fileName, env);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error.message.split("\n");
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

/** The single problem parsing `text` causes. */
function problemOf(text: string, fileName = "fleet.yaml"): string {
  const problems = problemsOf(text, fileName);
  assert.equal(problems.length, 1, problems.join("\n"));
  return problems[0];
}

const parse = (text: string, fileName = "fleet.yaml", env: Record<string, string> = {}) =>
  parseScenarioText(text, fileName, env);

/** The record fields that `fields` fill, by record: "scenario", "fleets", "stages". */
function targetsOf(
  fields: readonly Field<never>[],
  record = "scenario",
  found: Record<string, string[]> = {},
): Record<string, string[]> {
  for (const field of fields) {
    if ("fields" in field) targetsOf(field.fields, record, found);
    else {
      (found[record] ??= []).push(field.target);
      if ("item" in field) targetsOf(field.item.fields, field.key, found);
    }
  }
  return found;
}

/** The cross-field problems of a scenario file that parses: what a run reports after overrides. */
function crossProblemsOf(text: string): string[] {
  return crossCheck(parseScenarioText(text, "fleet.yaml", {}));
}

Deno.test("SCENARIO_SHAPE sets every field of Scenario, FleetSpec and StageSpec", () => {
  const targets = targetsOf(SCENARIO_SHAPE.fields);
  const optional = [
    "username",
    "password",
    "caPath",
    "certPath",
    "keyPath",
    "probeUsername",
    "probePassword",
    "probeCertPath",
    "probeKeyPath",
  ];
  assert.deepEqual(
    targets.scenario.toSorted(),
    [...Object.keys(DEFAULT_SCENARIO), ...optional].toSorted(),
  );
  // --json, --out and --timeline choose where results go, --bind lists source addresses
  // of the machine that runs the load, and the shard, its run id and start belong to one
  // process of one run: flags, not part of a scenario.
  const fileless = SCENARIO_SHAPE.fields.filter((field) => "fileless" in field && field.fileless);
  assert.deepEqual(
    targetsOf(fileless).scenario.toSorted(),
    [
      "bindAddresses",
      "htmlPath",
      "json",
      "outPath",
      "prometheusListen",
      "publishResult",
      "runId",
      "shard",
      "startAt",
      "timelinePath",
    ],
  );
  assert.deepEqual(targets.fleets.toSorted(), Object.keys(DEFAULT_FLEET).toSorted());
  assert.deepEqual(targets.stages.toSorted(), ["durationMs", "rateFactor", "targetSensors"]);
});

Deno.test("loadScenarioFile() reads every example, with thresholds the report accepts", async () => {
  const names = exampleNames();
  assert.deepEqual(names, [
    "gps-trackers.yaml",
    "reconnect-storm.yaml",
    "seed-fleet.yaml",
    "smart-building.yaml",
  ]);
  for (const name of names) {
    const scenario = await loadScenarioFile(join(EXAMPLES_DIR, name), {});
    assert.ok(scenario.fleets.length >= 1, name);
    for (const threshold of scenario.thresholds) parseThreshold(threshold.expression);
  }
});

Deno.test("examples start with the schema line and say how to run them", () => {
  for (const name of exampleNames()) {
    const text = Deno.readTextFileSync(join(EXAMPLES_DIR, name));
    assert.ok(
      text.startsWith("# yaml-language-server: $schema=./scenario.schema.json\n"),
      name,
    );
    assert.ok(
      text.includes(
        `deno task load --scenario examples/${name} --url mqtt://127.0.0.1:1883 --duration 20s`,
      ),
      name,
    );
  }
});

Deno.test("seed-fleet.yaml is the default scenario written out", async () => {
  const scenario = await loadScenarioFile(join(EXAMPLES_DIR, "seed-fleet.yaml"), {});
  // Without a url the embedded broker runs, and it speaks MQTT 3.1.1 only.
  assert.deepEqual(scenario, { ...DEFAULT_SCENARIO, protocolVersion: 4 });
});

Deno.test("smart-building.yaml mixes fleets with their own intervals and QoS", async () => {
  const scenario = await loadScenarioFile(join(EXAMPLES_DIR, "smart-building.yaml"), {});
  assert.deepEqual(
    scenario.fleets.map((fleet) => [fleet.name, fleet.profile, fleet.intervalMs, fleet.qos]),
    [
      ["thermostats", "environment", 10_000, 1],
      ["energy-meters", "energy-meter", 2_000, 1],
      ["doors", "door", 30_000, 2],
    ],
  );
  assert.ok(scenario.thresholds.length > 0);
});

Deno.test("smart-building.yaml uses status, commands and MQTT 5 properties", async () => {
  const scenario = await loadScenarioFile(join(EXAMPLES_DIR, "smart-building.yaml"), {});
  assert.equal(scenario.protocolVersion, 5);
  assert.equal(scenario.commandRatePerSec, 2);
  const [thermostats, meters, doors] = scenario.fleets;
  assert.equal(thermostats.statusTopicTemplate, "building/{fleet}/{id}/status");
  assert.equal(doors.statusTopicTemplate, "building/{fleet}/{id}/status");
  assert.equal(meters.statusTopicTemplate, null);
  assert.equal(thermostats.commandTopicTemplate, "building/{fleet}/{id}/set");
  assert.equal(thermostats.responseTopicTemplate, "building/{fleet}/{id}/ack");
  assert.equal(doors.commandTopicTemplate, null);
  assert.deepEqual(meters.userProperties, { building: "hq" });
  assert.equal(meters.contentType, "application/json");
  assert.deepEqual(thermostats.userProperties, {});
  assert.equal(meters.payloadTemplate, null);
  // The thermostats' template compiles against their profile and nests the reading.
  const render = compilePayloadTemplate(thermostats.payloadTemplate ?? "", "payloadTemplate", {
    sampleReadingJson: sampleReadingJson(profileFor(thermostats.profile)),
  });
  const body = JSON.parse(`{${
    render({
      sensorId: "007",
      index: 7,
      seq: 0,
      tsMs: 0,
      identity: createIdentity(7, 7),
      readingJson: '"temperatureC":21.5',
    })
  }}`);
  assert.deepEqual(Object.keys(body), ["building", "model", "firmware", "climate"]);
  assert.deepEqual(body.climate, { temperatureC: 21.5 });
  // The embedded broker speaks MQTT 3.1.1 only; the header says so.
  const text = Deno.readTextFileSync(join(EXAMPLES_DIR, "smart-building.yaml"));
  assert.match(text, /embedded broker .*MQTT 3\.1\.1 only/);
});

Deno.test("reconnect-storm.yaml churns every sensor about once a minute", async () => {
  const scenario = await loadScenarioFile(join(EXAMPLES_DIR, "reconnect-storm.yaml"), {});
  assert.equal(scenario.fleets[0].churnPerSensorPerHour, 60);
  assert.equal(scenario.fleets[0].churnOfflineMs, 3000);
});

Deno.test("parseScenarioText() reads every field of a full file", () => {
  const scenario = parse(
    `
broker:
  url: mqtts://127.0.0.1:8883
  protocolVersion: 5
  username: device
  password: \${IOTLOAD_PASSWORD}
  tls: { ca: ca.pem, cert: c.pem, key: k.pem, insecure: true }
  keepalive: 1m
  cleanStart: false
  sessionExpiry: 1h
fleets:
  - name: thermostats
    count: 2000
    profile: gps-tracker
    interval: 5s
    jitter: 500ms
    qos: 1
    retain: true
    topic: building/{fleet}/{id}/telemetry
    clientId: "{fleet}-{id}"
    payloadSize: 256
    payloadTemplate: '{"site":"hq","lat":{reading.lat},"model":"{identity.model}",{reading}}'
    offline: { buffer: 100 }
    status:
      topic: "building/{fleet}/{id}/status"
      online: '{"up":true,"model":"{identity.model}"}'
      offline: '{"up":false}'
    commands: { topic: "devices/{id}/commands", responseTopic: "devices/{index}/acks" }
    mqtt5:
      userProperties: { site: hq, line: "3" }
      messageExpiry: 60s
      contentType: application/json
      topicAlias: true
    churn: { perSensorPerHour: 0.5, offline: 2s }
stages:
  - { duration: 30s, target: 1000 }
  - { duration: 0, target: 0 }
run:
  duration: 10m
  flood: true
  connectRate: 500
  connectConcurrency: 50
  connectTimeout: 3s
  ackTimeout: 4s
  maxInflight: 8
  workers: 2
  commandRate: 2.5
  seed: 42
probe: { enabled: false, connections: 3, drain: 1.5s }
thresholds:
  - e2e.p99<250ms
  - lost==0
`,
    "conf/fleet.yaml",
    { IOTLOAD_PASSWORD: "s3cret" },
  );
  const expected: Scenario = {
    ...DEFAULT_SCENARIO,
    url: "mqtts://127.0.0.1:8883",
    protocolVersion: 5,
    username: "device",
    password: "s3cret",
    caPath: join("conf", "ca.pem"),
    certPath: join("conf", "c.pem"),
    keyPath: join("conf", "k.pem"),
    insecure: true,
    keepaliveSec: 60,
    cleanStart: false,
    sessionExpirySec: 3600,
    fleets: [{
      name: "thermostats",
      count: 2000,
      profile: "gps-tracker",
      intervalMs: 5000,
      jitterMs: 500,
      qos: 1,
      retain: true,
      topicTemplate: "building/{fleet}/{id}/telemetry",
      clientIdTemplate: "{fleet}-{id}",
      payloadBytes: 256,
      payloadTemplate: '{"site":"hq","lat":{reading.lat},"model":"{identity.model}",{reading}}',
      offlineBufferSize: 100,
      usernameTemplate: null,
      passwordTemplate: null,
      credentialsPath: null,
      certTemplate: null,
      keyTemplate: null,
      statusTopicTemplate: "building/{fleet}/{id}/status",
      statusOnlineTemplate: '{"up":true,"model":"{identity.model}"}',
      statusOfflineTemplate: '{"up":false}',
      commandTopicTemplate: "devices/{id}/commands",
      responseTopicTemplate: "devices/{index}/acks",
      userProperties: { site: "hq", line: "3" },
      messageExpirySec: 60,
      contentType: "application/json",
      topicAlias: true,
      churnPerSensorPerHour: 0.5,
      churnOfflineMs: 2000,
    }],
    stages: [{ durationMs: 30_000, targetSensors: 1000 }, { durationMs: 0, targetSensors: 0 }],
    durationMs: 600_000,
    flood: true,
    connectRatePerSec: 500,
    connectConcurrency: 50,
    connectTimeoutMs: 3000,
    ackTimeoutMs: 4000,
    maxInflight: 8,
    workers: 2,
    commandRatePerSec: 2.5,
    seed: 42,
    probe: false,
    probeConnections: 3,
    drainMs: 1500,
    thresholds: [
      { expression: "e2e.p99<250ms", abortOnFail: false },
      { expression: "lost==0", abortOnFail: false },
    ],
  };
  assert.deepEqual(scenario, expected);
});

Deno.test("parseScenarioText() fills omitted fields with the defaults", () => {
  assert.deepEqual(parse("run: { seed: 3 }"), {
    ...DEFAULT_SCENARIO,
    protocolVersion: 4,
    seed: 3,
  });
  const scenario = parse(
    'broker: { url: mqtt://127.0.0.1:1883 }\nfleets: [{ count: 5 }, { clientId: "b-{id}" }]',
  );
  assert.equal(scenario.protocolVersion, 5);
  assert.deepEqual(scenario.fleets, [
    { ...DEFAULT_FLEET, count: 5 },
    { ...DEFAULT_FLEET, name: "fleet-2", clientIdTemplate: "b-{id}" },
  ]);
});

Deno.test("parseScenarioText() leaves status, commands, MQTT 5 properties and churn off by default", () => {
  const scenario = parse("fleets: [{ count: 5 }]");
  const fleet = scenario.fleets[0];
  assert.equal(fleet.statusTopicTemplate, null);
  assert.equal(fleet.commandTopicTemplate, null);
  assert.equal(fleet.responseTopicTemplate, "devices/{id}/responses");
  assert.deepEqual(fleet.userProperties, {});
  assert.equal(fleet.messageExpirySec, 0);
  assert.equal(fleet.contentType, null);
  assert.equal(fleet.topicAlias, false);
  assert.equal(fleet.churnPerSensorPerHour, 0);
  assert.equal(fleet.churnOfflineMs, 5000);
  assert.equal(scenario.commandRatePerSec, 0);
});

Deno.test("parseScenarioText() reads status and commands topics", () => {
  const scenario = parse(`
fleets:
  - { name: a, status: { topic: "s/{id}" }, commands: { topic: "c/{index}" }, clientId: "a-{id}" }
  - { name: b, commands: { topic: "{fleet}/{id}/set", responseTopic: "{fleet}/{id}/ack" } }
run: { commandRate: 0.5 }
`);
  const [a, b] = scenario.fleets;
  assert.deepEqual(
    [a.statusTopicTemplate, a.commandTopicTemplate, a.responseTopicTemplate],
    ["s/{id}", "c/{index}", DEFAULT_FLEET.responseTopicTemplate],
  );
  assert.deepEqual(
    [b.statusTopicTemplate, b.commandTopicTemplate, b.responseTopicTemplate],
    [null, "{fleet}/{id}/set", "{fleet}/{id}/ack"],
  );
  assert.equal(scenario.commandRatePerSec, 0.5);
});

Deno.test("parseScenarioText() reads MQTT 5 properties and churn", () => {
  const scenario = parse(
    `
broker: { url: mqtt://h }
fleets:
  - mqtt5: { userProperties: { site: "\${SITE}", "rack id": "7" }, messageExpiry: 2m }
    churn: { perSensorPerHour: 0.25, offline: 0 }
`,
    "fleet.yaml",
    { SITE: "hq" },
  );
  const fleet = scenario.fleets[0];
  assert.deepEqual(fleet.userProperties, { site: "hq", "rack id": "7" });
  assert.ok(Object.isFrozen(fleet.userProperties));
  assert.equal(fleet.messageExpirySec, 120);
  assert.equal(fleet.churnPerSensorPerHour, 0.25);
  assert.equal(fleet.churnOfflineMs, 0);
  for (const expiry of ["45", "45s", '"45s"', "45000ms"]) {
    const text = `broker: { url: mqtt://h }\nfleets: [{ mqtt5: { messageExpiry: ${expiry} } }]`;
    assert.equal(parse(text).fleets[0].messageExpirySec, 45, expiry);
  }
});

Deno.test("parseScenarioText() names the path of a bad status, commands or MQTT 5 value", () => {
  assert.equal(
    problemOf("fleets: [{ commands: {} }]"),
    "fleets[0].commands.topic: required field is missing",
  );
  assert.equal(
    problemOf('fleets: [{ commands: { responseTopic: "r/{id}" } }]'),
    "fleets[0].commands.topic: required field is missing",
  );
  assert.equal(
    problemOf('fleets: [{ status: { topic: "s/+/{id}" } }]'),
    'fleets[0].status.topic: "s/+/{id}" contains the wildcard "+"; topic names may not',
  );
  assert.equal(
    problemOf('fleets: [{ commands: { topic: "c/{id}", responseTopic: "r/{serial}" } }]'),
    'fleets[0].commands.responseTopic: unknown placeholder {serial} in "r/{serial}"; known: {id}, {index}, {fleet}',
  );
  assert.equal(
    problemOf("fleets: [{ status: on }]"),
    'fleets[0].status: expected an object, got "on"',
  );
  assert.equal(
    problemOf("fleets: [{ mqtt5: { userProperties: [site] } }]"),
    "fleets[0].mqtt5.userProperties: expected an object of names to strings, got a list",
  );
  assert.deepEqual(
    problemsOf('fleets: [{ mqtt5: { userProperties: { line: 3, on: true, empty: "", "": x } } }]'),
    [
      "fleets[0].mqtt5.userProperties.line: expected a non-empty string, got 3",
      "fleets[0].mqtt5.userProperties.on: expected a non-empty string, got true",
      'fleets[0].mqtt5.userProperties.empty: expected a non-empty string, got ""',
      'fleets[0].mqtt5.userProperties[""]: expected a non-empty name',
    ],
  );
  assert.equal(
    problemOf('fleets: [{ mqtt5: { userProperties: { site: "${SITE}" } } }]'),
    "fleets[0].mqtt5.userProperties.site: environment variable SITE is not set",
  );
  const many = Array.from({ length: 33 }, (_, i) => `p${i}: v`).join(", ");
  assert.equal(
    problemOf(`fleets: [{ mqtt5: { userProperties: { ${many} } } }]`),
    "fleets[0].mqtt5.userProperties: expected at most 32 entries, got 33",
  );
  const most = Array.from({ length: 32 }, (_, i) => `p${i}: v`).join(", ");
  const text = `broker: { url: mqtt://h }\nfleets: [{ mqtt5: { userProperties: { ${most} } } }]`;
  assert.equal(Object.keys(parse(text).fleets[0].userProperties).length, 32);
  assert.equal(
    problemOf("fleets: [{ mqtt5: { messageExpiry: 4294967296 } }]"),
    "fleets[0].mqtt5.messageExpiry: expected 0 to 4294967295 seconds, got 4294967296",
  );
  assert.equal(
    problemOf("fleets: [{ mqtt5: { messageExpiry: 1.5s } }]"),
    'fleets[0].mqtt5.messageExpiry: expected whole seconds like 60 or "60s", got "1.5s"',
  );
  assert.equal(
    problemOf('fleets: [{ mqtt5: { contentType: "" } }]'),
    'fleets[0].mqtt5.contentType: expected a MIME type like "application/json", got ""',
  );
  assert.equal(
    problemOf("fleets: [{ mqtt5: { contentType: 1 } }]"),
    "fleets[0].mqtt5.contentType: expected a string, got 1",
  );
  assert.equal(
    problemOf("fleets: [{ mqtt5: { topicAlias: yes } }]"),
    'fleets[0].mqtt5.topicAlias: expected true or false, got "yes"',
  );
  assert.equal(
    problemOf("fleets: [{ mqtt5: { content_type: text/plain } }]"),
    'fleets[0].mqtt5.content_type: unknown field; did you mean "contentType"? (known: userProperties, messageExpiry, contentType, topicAlias)',
  );
});

Deno.test("parseScenarioText() names the path of a bad churn or command rate", () => {
  assert.equal(
    problemOf("fleets: [{ churn: { perSensorPerHour: -1 } }]"),
    "fleets[0].churn.perSensorPerHour: expected 0 to 3600, got -1",
  );
  assert.equal(
    problemOf("fleets: [{ churn: { perSensorPerHour: 3600.5 } }]"),
    "fleets[0].churn.perSensorPerHour: expected 0 to 3600, got 3600.5",
  );
  assert.equal(
    problemOf("fleets: [{ churn: { perSensorPerHour: often } }]"),
    'fleets[0].churn.perSensorPerHour: expected a number, got "often"',
  );
  assert.equal(
    problemOf("fleets: [{ churn: { perSensorPerHour: .inf } }]"),
    "fleets[0].churn.perSensorPerHour: expected a number, got Infinity",
  );
  assert.equal(
    problemOf("fleets: [{ churn: { offline: 25h } }]"),
    'fleets[0].churn.offline: expected 0 to 24h, got "25h"',
  );
  assert.equal(
    problemOf("fleets: [{ churn: { offline: 3 } }]"),
    'fleets[0].churn.offline: expected a duration like "5s", got 3 (add a unit, e.g. "3ms")',
  );
  assert.equal(
    parse("fleets: [{ churn: { perSensorPerHour: 3600 } }]").fleets[0]
      .churnPerSensorPerHour,
    3600,
  );
  assert.equal(
    problemOf("run: { commandRate: -0.5 }"),
    "run.commandRate: expected 0 to 100000, got -0.5",
  );
  assert.equal(
    problemOf("run: { commandRate: 100001 }"),
    "run.commandRate: expected 0 to 100000, got 100001",
  );
  assert.equal(
    problemOf("run: { commandRate: 5/s }"),
    'run.commandRate: expected a number, got "5/s"',
  );
});

Deno.test("parseScenarioText() reads a payload template from YAML and JSON", () => {
  const template = '{"site":"hq","t":{reading.temperatureC},"owner":"{faker:person.fullName}",' +
    '"model":"{identity.model}",{reading}}';
  assert.equal(parse("fleets: [{}]").fleets[0].payloadTemplate, null);
  assert.equal(
    parse(`fleets: [{ payloadTemplate: '${template}' }]`).fleets[0].payloadTemplate,
    template,
  );
  const json = JSON.stringify({ fleets: [{ payloadTemplate: template }] });
  assert.equal(parse(json, "fleet.json").fleets[0].payloadTemplate, template);
  // A block scalar keeps a long template readable.
  const block = parse(`fleets:
  - payloadTemplate: >-
      {"site":"hq",
      {reading}}
`).fleets[0].payloadTemplate;
  assert.equal(block, '{"site":"hq", {reading}}');
});

Deno.test("parseScenarioText() names the path of a bad payload template, with every other problem", () => {
  assert.deepEqual(
    problemsOf(`fleets:
  - payloadTemplate: {"site":"hq"}
  - payloadTemplate: 'site: hq'
  - payloadTemplate: '{"a":"{identity.serial}"}'
    qos: 3
  - payloadTemplate: '{"seq":{seq}}'
  - payloadTemplate: '{"a":{reading}}'
`),
    [
      "fleets[0].payloadTemplate: expected a string, got an object " +
      `(quote the template in YAML: '{"site":"hq",{reading}}')`,
      "fleets[1].payloadTemplate: expected a JSON object like " +
      `'{"site":"hq",{reading}}', got "site: hq"`,
      "fleets[2].qos: expected one of 0, 1, 2, got 3",
      "fleets[2].payloadTemplate: unknown placeholder {identity.serial}; known: {id}, {index}, " +
      "{seq}, {ts}, {reading}, {identity.deviceId}, {identity.model}, {identity.manufacturer}, " +
      "{identity.firmware}, {identity.city}, {identity.lat}, {identity.lon}, {reading.NAME}, " +
      "{faker:MODULE.METHOD}",
      'fleets[3].payloadTemplate: the template defines "seq"; the envelope sets sensorId, seq ' +
      "and ts itself",
      'fleets[4].payloadTemplate: {reading} gives members ("temperatureC":21.4,...); it may ' +
      'stand only between members, like {"site":"hq",{reading}}',
    ],
  );
});

Deno.test("parseScenarioText() returns a frozen scenario", () => {
  const scenario = parse("fleets: [{ count: 5 }]\nstages: [{ duration: 1s, target: 5 }]");
  assert.ok(Object.isFrozen(scenario));
  assert.ok(Object.isFrozen(scenario.fleets));
  assert.ok(Object.isFrozen(scenario.fleets[0]));
  assert.ok(Object.isFrozen(scenario.stages[0]));
  assert.ok(Object.isFrozen(scenario.thresholds));
});

Deno.test("parseScenarioText() gives the same scenario for JSON and YAML", () => {
  const yaml = `
broker:
  url: mqtt://127.0.0.1:1883
  keepalive: 30
fleets:
  - { name: a, count: 10, interval: 1s, qos: 1, clientId: "a-{id}" }
  - { name: b, count: 20, profile: door, clientId: "b-{id}", offline: { buffer: 5 } }
stages: [{ duration: 5s, target: 30 }]
thresholds: [lost==0]
`;
  const json = JSON.stringify(
    {
      broker: { url: "mqtt://127.0.0.1:1883", keepalive: 30 },
      fleets: [
        { name: "a", count: 10, interval: "1s", qos: 1, clientId: "a-{id}" },
        { name: "b", count: 20, profile: "door", clientId: "b-{id}", offline: { buffer: 5 } },
      ],
      stages: [{ duration: "5s", target: 30 }],
      thresholds: ["lost==0"],
    },
    null,
    2,
  );
  const fromYaml = parse(yaml, "fleet.yaml");
  assert.deepEqual(parse(json, "fleet.json"), fromYaml);
  // Any other extension is read as YAML, which JSON is a subset of.
  assert.deepEqual(parse(json, "fleet.conf"), fromYaml);
  assert.deepEqual(parse(yaml, "fleet.yml"), fromYaml);
});

Deno.test("parseScenarioText() accepts keepalive and session expiry as seconds or durations", () => {
  for (const keepalive of ["45", "45s", '"45s"', "45000ms"]) {
    assert.equal(parse(`broker: { keepalive: ${keepalive} }`).keepaliveSec, 45, keepalive);
  }
  const scenario = parse("broker: { url: mqtt://h, sessionExpiry: 2h }");
  assert.equal(scenario.sessionExpirySec, 7200);
});

Deno.test("parseScenarioText() resolves TLS paths relative to the scenario file", () => {
  const text = "broker:\n  url: mqtts://broker:8883\n" +
    "  tls: { ca: certs/ca.pem, cert: /etc/iot/c.pem, key: ../k.pem }";
  const nested = parse(text, "deploy/load/fleet.yaml");
  assert.equal(nested.caPath, join("deploy", "load", "certs", "ca.pem"));
  assert.equal(nested.certPath, "/etc/iot/c.pem");
  assert.equal(nested.keyPath, join("deploy", "k.pem"));
  const here = parse(text, "fleet.yaml");
  assert.equal(here.caPath, join("certs", "ca.pem"));
  assert.equal(parse(text, "/srv/fleet.yaml").caPath, "/srv/certs/ca.pem");
});

Deno.test("parseScenarioText() expands ${VAR} in strings from the environment", () => {
  const text = "broker:\n  url: ${BROKER}\n  username: ${USER}-x\n  password: $${LITERAL}\n" +
    'fleets: [{ interval: "${EVERY}" }]';
  const env = { BROKER: "mqtt://10.0.0.1:1883", USER: "dev", EVERY: "2s" };
  const scenario = parse(text, "fleet.yaml", env);
  assert.equal(scenario.url, "mqtt://10.0.0.1:1883");
  assert.equal(scenario.username, "dev-x");
  assert.equal(scenario.password, "${LITERAL}");
  assert.equal(scenario.fleets[0].intervalMs, 2000);
});

Deno.test("parseScenarioText() names an unset ${VAR} and a malformed reference", () => {
  assert.deepEqual(
    problemsOf("broker:\n  password: ${IOTLOAD_PASSWORD}\n  username: ${1x}"),
    [
      'broker.username: invalid variable reference "${1x}"; use ${NAME}',
      "broker.password: environment variable IOTLOAD_PASSWORD is not set",
    ],
  );
});

Deno.test("parseScenarioText() lets fleets share settings through YAML anchors", () => {
  const scenario = parse(`
fleets:
  - &base { name: a, count: 3, interval: 1s, qos: 1, clientId: "{fleet}-{id}" }
  - { <<: *base, name: b }
`);
  assert.deepEqual(scenario.fleets.map((fleet) => [fleet.name, fleet.intervalMs, fleet.qos]), [
    ["a", 1000, 1],
    ["b", 1000, 1],
  ]);
});

Deno.test("parseScenarioText() names the path of a value of the wrong type", () => {
  assert.equal(
    problemOf('fleets: [{ count: "many" }]'),
    'fleets[0].count: expected a whole number, got "many"',
  );
  assert.equal(
    problemOf("fleets: [{ count: 1.5 }]"),
    "fleets[0].count: expected a whole number, got 1.5",
  );
  assert.equal(
    problemOf("broker: { cleanStart: yes }"),
    'broker.cleanStart: expected true or false, got "yes"',
  );
  assert.equal(problemOf("broker: mqtt://h"), 'broker: expected an object, got "mqtt://h"');
  assert.equal(problemOf("fleets: { count: 1 }"), "fleets: expected a list, got an object");
  assert.equal(
    problemOf("fleets: [thermostats]"),
    'fleets[0]: expected an object, got "thermostats"',
  );
  assert.equal(problemOf("thresholds: lost==0"), 'thresholds: expected a list, got "lost==0"');
  assert.equal(
    problemOf("broker: { username: [a] }"),
    "broker.username: expected a string, got a list",
  );
  assert.equal(
    problemOf("broker: { url: }"),
    "broker.url: expected a broker URL like mqtt://host:1883, got null",
  );
});

Deno.test("parseScenarioText() never quotes a password in a problem", () => {
  const problem = problemOf("broker: { password: 123456 }");
  assert.equal(problem, "broker.password: expected a string, got a number");
});

Deno.test("parseScenarioText() names the path of a value out of range", () => {
  assert.equal(
    problemOf("fleets: [{ count: 0 }]"),
    "fleets[0].count: expected 1 to 100000000, got 0",
  );
  assert.equal(
    problemOf("fleets: [{ interval: 0s }]"),
    'fleets[0].interval: expected 1ms to 24h, got "0s"',
  );
  assert.equal(
    problemOf("fleets: [{ interval: 25h }]"),
    'fleets[0].interval: expected 1ms to 24h, got "25h"',
  );
  assert.equal(
    problemOf("run: { maxInflight: 70000 }"),
    "run.maxInflight: expected 1 to 65535, got 70000",
  );
  assert.equal(
    problemOf("broker: { keepalive: 70000 }"),
    "broker.keepalive: expected 0 to 65535 seconds, got 70000",
  );
  assert.equal(
    problemOf("broker: { keepalive: 1.5s }"),
    'broker.keepalive: expected whole seconds like 60 or "60s", got "1.5s"',
  );
  assert.equal(problemOf("run: { seed: -1 }"), "run.seed: expected 0 to 4294967295, got -1");
  assert.equal(problemOf("run: { workers: 0 }"), "run.workers: expected 1 to 256, got 0");
  assert.equal(
    problemOf("run: { workers: many }"),
    'run.workers: expected a whole number or auto, got "many"',
  );
  assert.equal(parse("run: { workers: auto }").workers, 0);
  assert.equal(
    problemOf("run: { duration: 200h }"),
    'run.duration: expected 0 to 168h, got "200h"',
  );
  assert.equal(
    problemOf(`probe: { drain: ${"9".repeat(400)}h }`),
    `probe.drain: expected 0 to 24h, got "${"9".repeat(400)}h"`,
  );
});

Deno.test("parseScenarioText() names the path of a value outside its choices", () => {
  assert.equal(
    problemOf("broker: { url: mqtt://h, protocolVersion: 3 }"),
    "broker.protocolVersion: expected one of 4, 5, got 3",
  );
  assert.equal(problemOf("fleets: [{ qos: 3 }]"), "fleets[0].qos: expected one of 0, 1, 2, got 3");
  assert.equal(
    problemOf("fleets: [{ profile: enviroment }]"),
    'fleets[0].profile: expected one of environment, gps-tracker, energy-meter, vibration, door, got "enviroment"; did you mean "environment"?',
  );
  assert.equal(
    problemOf("fleets: [{ profile: thermostat }]"),
    'fleets[0].profile: expected one of environment, gps-tracker, energy-meter, vibration, door, got "thermostat"',
  );
});

Deno.test("parseScenarioText() names the path of a malformed duration", () => {
  assert.equal(
    problemsOf(`fleets: [{ name: a, clientId: "a{id}" }, { name: b, interval: fast }]`)[0],
    'fleets[1].interval: expected a duration like "5s", got "fast"',
  );
  assert.equal(
    problemOf("run: { duration: 5000 }"),
    'run.duration: expected a duration like "5s", got 5000 (add a unit, e.g. "5000ms")',
  );
  assert.equal(
    problemOf("probe: { drain: 5 s }"),
    'probe.drain: expected a duration like "5s", got "5 s"',
  );
  assert.equal(parse("run: { duration: 0 }").durationMs, 0);
  assert.equal(parse("fleets: [{ jitter: 250us }]").fleets[0].jitterMs, 0.25);
});

Deno.test("parseScenarioText() rejects unknown keys, suggesting near misses", () => {
  assert.equal(
    problemOf("unknownKey: 1"),
    "unknownKey: unknown field (known: broker, fleets, stages, run, probe, thresholds)",
  );
  assert.equal(
    problemOf("fleet: []"),
    'fleet: unknown field; did you mean "fleets"? (known: broker, fleets, stages, run, probe, thresholds)',
  );
  assert.equal(
    problemOf("fleets: [{ intervall: 5s }]"),
    'fleets[0].intervall: unknown field; did you mean "interval"? (known: name, count, profile, interval, jitter, qos, retain, topic, clientId, payloadSize, payloadTemplate, username, password, credentials, tls, offline, status, commands, mqtt5, churn)',
  );
  assert.equal(
    problemOf("run: { connect_rate: 10 }"),
    'run.connect_rate: unknown field; did you mean "connectRate"? (known: duration, flood, connectRate, connectConcurrency, connectTimeout, ackTimeout, maxInflight, workers, commandRate, abortOnFail, transport, seed)',
  );
  assert.equal(
    problemOf("broker: { tls: { cafile: x } }"),
    "broker.tls.cafile: unknown field (known: ca, cert, key, insecure)",
  );
  assert.equal(
    problemOf('"my key": 1'),
    '["my key"]: unknown field (known: broker, fleets, stages, run, probe, thresholds)',
  );
});

Deno.test("parseScenarioText() rejects duplicate fleet names, also defaulted ones", () => {
  const fleets = (names: string) =>
    `fleets: [${names}]`.replaceAll("{}", '{ clientId: "{fleet}-{id}" }');
  assert.equal(
    problemOf(
      fleets('{ name: a, clientId: "{fleet}-{id}" }, {}, { name: a, clientId: "{fleet}-{id}" }'),
    ),
    'fleets[2].name: "a" is already used by fleets[0]',
  );
  assert.equal(
    problemOf(fleets('{}, { name: fleet-1, clientId: "{fleet}-{id}" }')),
    'fleets[1].name: "fleet-1" is already used by fleets[0]',
  );
  // An invalid name is reported once, not also as a duplicate of its default.
  assert.equal(
    problemOf(fleets('{ name: fleet-2, clientId: "{fleet}-{id}" }, { name: "a b" }')),
    'fleets[1].name: expected letters, digits, "_" or "-" (it goes into topics), got "a b"',
  );
});

Deno.test("parseScenarioText() rejects fleet names that cannot go into topics", () => {
  for (const name of ['"a b"', '"a/b"', '"a+"', '""', "ü"]) {
    const problem = problemOf(`fleets: [{ name: ${name} }]`);
    assert.match(
      problem,
      /^fleets\[0\]\.name: expected letters, digits, "_" or "-" \(it goes into topics\), got /,
    );
  }
});

Deno.test("parseScenarioText() checks topic and client-id templates", () => {
  assert.equal(
    problemOf('fleets: [{ topic: "a/{serial}" }]'),
    'fleets[0].topic: unknown placeholder {serial} in "a/{serial}"; known: {id}, {index}, {fleet}',
  );
  assert.equal(
    problemOf('fleets: [{ clientId: "c-{id" }]'),
    'fleets[0].clientId: unmatched "{" or "}" in "c-{id"',
  );
  assert.equal(
    problemOf('fleets: [{ topic: "a/#/{id}" }]'),
    'fleets[0].topic: "a/#/{id}" contains the wildcard "#"; topic names may not',
  );
  assert.equal(
    problemOf('fleets: [{ topic: "" }]'),
    'fleets[0].topic: expected a non-empty template, got ""',
  );
});

Deno.test("parseScenarioText() checks the broker URL", () => {
  assert.equal(
    problemOf("broker: { url: http://h }"),
    'broker.url: unsupported scheme "http" in "http://h"; use mqtt, mqtts, ws or wss',
  );
});

Deno.test("parseScenarioText() reports a YAML syntax error as one line with line:column", () => {
  const problem = problemOf("fleets:\n  - count: [1, 2\nrun: {}\n");
  assert.match(problem, /^fleet\.yaml:3:1: invalid YAML: \S/);
  assert.equal(problem.includes("\n"), false);
  assert.equal(
    problemOf("run: {}\nrun: {}\n"),
    "fleet.yaml:2:1: invalid YAML: map keys must be unique",
  );
});

Deno.test("parseScenarioText() reports a JSON syntax error as one line with line:column", () => {
  assert.equal(
    problemOf('{\n  "run": { "duration": 5s }\n}', "fleet.json"),
    "fleet.json:2:24: invalid JSON: unexpected 5s (strings need double quotes)",
  );
  assert.equal(
    problemOf('{ "run": }', "fleet.json"),
    "fleet.json:1:10: invalid JSON: missing value",
  );
});

Deno.test("parseScenarioText() rejects an empty fleets list", () => {
  assert.equal(problemOf("fleets: []"), "fleets: expected at least 1 item(s), got an empty list");
});

Deno.test("parseScenarioText() rejects a root that is not an object", () => {
  const known = "broker, fleets, stages, run, probe, thresholds";
  assert.equal(
    problemOf("- fleets\n", "x.yaml"),
    `x.yaml: expected an object with ${known} at the top level, got a list`,
  );
  assert.equal(
    problemOf("fleets", "x.yaml"),
    `x.yaml: expected an object with ${known} at the top level, got "fleets"`,
  );
  assert.equal(
    problemOf("# nothing yet\n", "x.yaml"),
    `x.yaml: expected an object with ${known} at the top level, got an empty file`,
  );
});

Deno.test("parseScenarioText() requires a stage's duration and target", () => {
  assert.deepEqual(problemsOf("stages: [{}]"), [
    "stages[0].duration: required field is missing",
    "stages[0].target: required field is missing",
  ]);
  // A target above the fleet is a cross-field rule, checked once flags are applied too.
  const scenario = parseScenarioText(
    "fleets: [{ count: 10 }]\nstages: [{ duration: 1s, target: 11 }]",
    "x.yaml",
    {},
  );
  assert.deepEqual(crossCheck(scenario), [
    "stages[0].target: expected at most the 10 sensors of all fleets, got 11",
  ]);
});

Deno.test("parseScenarioText() reports every problem of a file together", () => {
  assert.deepEqual(
    problemsOf(`
unknownKey: 1
broker:
  protocolVersion: 3
fleets:
  - name: a
    count: 0
  - name: b
    interval: fast
stages:
  - { duration: 1s }
thresholds: ["\${NOPE}"]
`),
    [
      "unknownKey: unknown field (known: broker, fleets, stages, run, probe, thresholds)",
      "broker.protocolVersion: expected one of 4, 5, got 3",
      "fleets[0].count: expected 1 to 100000000, got 0",
      'fleets[1].interval: expected a duration like "5s", got "fast"',
      "stages[0].target: required field is missing",
      "thresholds[0]: environment variable NOPE is not set",
    ],
  );
});

Deno.test("crossCheck() reports the cross-field problems of a scenario file", () => {
  assert.deepEqual(
    crossProblemsOf(`
broker:
  protocolVersion: 5
  tls: { cert: c.pem }
fleets:
  - { count: 2, clientId: same, interval: 1s, jitter: 1s }
`),
    [
      "--protocol-version 5: the embedded broker speaks MQTT 3.1.1 only; give --url",
      "--ca/--cert/--key/--insecure need --url with mqtts:// or wss://",
      "--cert and --key must be given together",
      '--client-id: "same" gives every sensor the same client id; add {id}',
      "--jitter: must be shorter than the interval (1000 ms)",
    ],
  );
});

Deno.test("crossCheck() refuses MQTT 5 properties over MQTT 3.1.1 in a scenario file", () => {
  assert.deepEqual(
    crossProblemsOf(`
broker: { url: mqtt://h, protocolVersion: 4 }
fleets:
  - { name: a, clientId: "a-{id}", mqtt5: { userProperties: { site: hq }, topicAlias: true } }
  - { name: b, clientId: "b-{id}", mqtt5: { messageExpiry: 0, topicAlias: false } }
  - { name: c, clientId: "c-{id}", mqtt5: { messageExpiry: 10, contentType: text/plain } }
`),
    [
      "fleets[0].mqtt5: needs broker.protocolVersion 5 for userProperties, topicAlias",
      "fleets[2].mqtt5: needs broker.protocolVersion 5 for messageExpiry, contentType",
    ],
  );
  // Without a url the embedded broker runs, and it speaks MQTT 3.1.1 only.
  assert.deepEqual(crossProblemsOf("fleets: [{ mqtt5: { topicAlias: true } }]"), [
    "fleets[0].mqtt5: needs broker.protocolVersion 5 for topicAlias; the embedded broker speaks MQTT 3.1.1 only; give --url",
  ]);
  assert.equal(
    parse("broker: { url: mqtt://h }\nfleets: [{ mqtt5: { topicAlias: true } }]").fleets[0]
      .topicAlias,
    true,
  );
});

Deno.test("crossCheck() refuses a command rate without a fleet that takes commands", () => {
  assert.deepEqual(crossProblemsOf("run: { commandRate: 1 }"), [
    "run.commandRate: no fleet takes commands; give a fleet commands.topic",
  ]);
  const scenario = parse(`
fleets:
  - { name: a, clientId: "a-{id}" }
  - { name: b, clientId: "b-{id}", commands: { topic: "b/{id}/set" } }
run: { commandRate: 1 }
`);
  assert.equal(scenario.commandRatePerSec, 1);
});

Deno.test("crossCheck() refuses status and command topics every sensor would share", () => {
  assert.deepEqual(
    crossProblemsOf(`
fleets:
  - { count: 2, status: { topic: "building/status" }, commands: { topic: "{fleet}/set" } }
`),
    [
      'fleets[0].status.topic: "building/status" gives every sensor the same topic; add {id}',
      'fleets[0].commands.topic: "{fleet}/set" gives every sensor the same topic; add {id}',
    ],
  );
  // One sensor has a topic of its own; {index} tells sensors apart as well as {id}.
  parse('fleets: [{ count: 1, status: { topic: "s" }, commands: { topic: "c" } }]');
  parse('fleets: [{ count: 2, status: { topic: "s/{index}" }, commands: { topic: "c/{index}" } }]');
});

Deno.test("loadScenarioFile() names a file it cannot read", async () => {
  await assert.rejects(
    loadScenarioFile("no/such/x.yaml", {}),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message === '--scenario: cannot read "no/such/x.yaml": no such file',
  );
});

Deno.test("loadScenarioFile() resolves TLS paths against the file's folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "fleet.yaml");
    await Deno.writeTextFile(path, "broker: { url: mqtts://h, tls: { ca: ca.pem } }\n");
    const scenario = await loadScenarioFile(path, {});
    assert.equal(scenario.caPath, join(dir, "ca.pem"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseScenarioText() reads a threshold as an expression or with abortOnFail", () => {
  const scenario = parse(
    'thresholds: ["lost==0", { threshold: "failed==0", abortOnFail: true }]\nrun: { abortOnFail: false }',
  );
  assert.deepEqual(scenario.thresholds, [
    { expression: "lost==0", abortOnFail: false },
    { expression: "failed==0", abortOnFail: true },
  ]);
  assert.equal(
    problemOf('thresholds: [{ threshold: "failed==0", abort: true }]'),
    'thresholds[0]: unknown field "abort" (known: threshold, abortOnFail)',
  );
  assert.equal(
    problemOf('thresholds: [{ threshold: "failed==0", abortOnFail: "yes" }]'),
    'thresholds[0].abortOnFail: expected true or false, got "yes"',
  );
});
