/**
 * Every setting, declared once: each section and field of the scenario file with its
 * key, type and range, one line of help, the {@linkcode Scenario} / `FleetSpec` /
 * {@linkcode StageSpec} field it fills, and, for settings a flag can give, the flag
 * (its `IOTLOAD_*` variable follows from the flag's name); `fleet_fields.ts` holds the
 * fleet's part, `local_fields.ts` the machine's and the run's. Defaults come from
 * {@linkcode DEFAULT_SCENARIO} and `DEFAULT_FLEET`. The file validator (`scenario_file.ts`), the JSON Schema (`json_schema.ts`), the
 * flags and variables (`settings.ts`, `apply_overrides.ts`, `env_overrides.ts`),
 * `--help` and README's flag table are all derived from this definition.
 *
 * @module
 */

import type { Field, RecordShape } from "./field_types.ts";
import { FLEET_SHAPE, ONE_DAY_MS } from "./fleet_fields.ts";
import { DEFAULT_SCENARIO, LIMITS, type Scenario, type StageSpec } from "./scenario.ts";
import { LOCAL_FIELDS } from "./local_fields.ts";

// Timers cannot wait past 24.8 days; a week is the longest run flags accept too.
const ONE_WEEK_MS = 7 * ONE_DAY_MS;

const STAGE_FIELDS: readonly Field<StageSpec>[] = [
  {
    key: "duration",
    target: "durationMs",
    type: { kind: "duration", minMs: 0, maxMs: ONE_DAY_MS },
    required: true,
    description: "Length of the stage; 0 jumps to the target at once.",
  },
  {
    key: "target",
    target: "targetSensors",
    type: { kind: "integer", min: 0, max: LIMITS.count.max },
    required: true,
    description: "Connected sensors at the end of the stage, across all fleets in fleet order.",
  },
  {
    key: "rate",
    target: "rateFactor",
    type: { kind: "number", min: 0.01, max: 100 },
    description: "Publish rate at the end of the stage as a multiple of each fleet's own " +
      "(2 = twice as often); moves linearly like the target; default 1.",
  },
];

const STAGE_SHAPE: RecordShape<StageSpec> = {
  description: "Move the number of connected sensors to target over duration.",
  fields: STAGE_FIELDS,
  defaults: () => ({}),
};

const BROKER_FIELDS: readonly Field<Scenario>[] = [
  {
    key: "url",
    target: "url",
    flag: { name: "url" },
    type: { kind: "url" },
    description: "Broker URL: mqtt://, mqtts://, ws:// or wss://; none starts the embedded broker.",
  },
  {
    key: "protocolVersion",
    target: "protocolVersion",
    flag: { name: "protocol-version", short: "V" },
    type: { kind: "enum", values: [4, 5] },
    defaultText: "5; 4 without a url (the embedded broker speaks MQTT 3.1.1 only)",
    description: "MQTT protocol version: 4 is MQTT 3.1.1, 5 is MQTT 5.0.",
  },
  {
    key: "username",
    target: "username",
    flag: { name: "username", short: "u", value: "NAME" },
    type: { kind: "string" },
    description: "MQTT username; {id}, {index} and {fleet} make it each sensor's own " +
      "(dev-{id}).",
  },
  {
    key: "password",
    target: "password",
    flag: { name: "password", short: "P", value: "SECRET" },
    type: { kind: "string", secret: true },
    description: "MQTT password, never printed (a file can take it from " +
      "${IOTLOAD_PASSWORD}); {id}, {index} and {fleet} make it each sensor's own.",
  },
  {
    key: "tls",
    description: "TLS settings; need an mqtts:// or wss:// url.",
    fields: [
      {
        key: "ca",
        target: "caPath",
        flag: { name: "ca" },
        type: { kind: "path" },
        description: "PEM CA bundle; in a scenario file, relative to its folder.",
      },
      {
        key: "cert",
        target: "certPath",
        flag: { name: "cert" },
        type: { kind: "path" },
        description: "PEM client certificate (needs key); in a file, relative to its folder.",
      },
      {
        key: "key",
        target: "keyPath",
        flag: { name: "key" },
        type: { kind: "path" },
        description: "PEM client key (needs cert); in a file, relative to its folder.",
      },
      {
        key: "insecure",
        target: "insecure",
        flag: { name: "insecure" },
        type: { kind: "boolean" },
        description: "Skip verification of the broker's certificate.",
      },
    ],
  },
  {
    key: "keepalive",
    target: "keepaliveSec",
    flag: { name: "keepalive", short: "k" },
    // MQTT-3.1.2-20 ff.: keepalive is a 16-bit count of seconds; 0 turns it off.
    type: { kind: "seconds", min: 0, max: 65_535 },
    description: "Keepalive: whole seconds (60) or a duration (60s); 0 turns it off.",
  },
  {
    key: "cleanStart",
    target: "cleanStart",
    type: { kind: "boolean" },
    description: "Clean session (MQTT 3.1.1) / clean start (MQTT 5).",
  },
  {
    key: "sessionExpiry",
    target: "sessionExpirySec",
    // MQTT 5 section 3.1.2.11.2: the session expiry interval is a four-byte count of seconds.
    type: { kind: "seconds", min: 0, max: 4_294_967_295 },
    description: "MQTT 5 session expiry: whole seconds or a duration.",
  },
];

const RUN_FIELDS: readonly Field<Scenario>[] = [
  {
    key: "duration",
    target: "durationMs",
    flag: { name: "duration", short: "d" },
    type: { kind: "duration", minMs: 0, maxMs: ONE_WEEK_MS },
    description: "How long sensors publish after ramp-up; 0 runs until interrupted.",
  },
  {
    key: "flood",
    target: "flood",
    flag: { name: "flood" },
    type: { kind: "boolean" },
    description: "Raw-throughput mode: publish back to back as fast as sockets take it.",
  },
  {
    key: "connectRate",
    target: "connectRatePerSec",
    flag: { name: "connect-rate", short: "R" },
    type: { kind: "rate", ...LIMITS.connectRatePerSec },
    description: "New connections started per second during ramp-up.",
  },
  {
    key: "connectConcurrency",
    target: "connectConcurrency",
    flag: { name: "connect-concurrency" },
    type: { kind: "integer", ...LIMITS.connectConcurrency },
    description: "Most connection attempts in flight at once.",
  },
  {
    key: "connectTimeout",
    target: "connectTimeoutMs",
    flag: { name: "connect-timeout" },
    type: { kind: "duration", minMs: 1, maxMs: ONE_DAY_MS },
    description: "Time allowed from TCP start to CONNACK.",
  },
  {
    key: "ackTimeout",
    target: "ackTimeoutMs",
    flag: { name: "ack-timeout" },
    type: { kind: "duration", minMs: 1, maxMs: ONE_DAY_MS },
    description: "Time allowed for a QoS 1/2 acknowledgement.",
  },
  {
    key: "maxInflight",
    target: "maxInflight",
    flag: { name: "max-inflight" },
    type: { kind: "integer", ...LIMITS.maxInflight },
    description: "Most unacknowledged QoS 1/2 publishes per connection.",
  },

  {
    key: "workers",
    target: "workers",
    flag: { name: "workers", short: "w" },
    type: { kind: "integer", ...LIMITS.workers, aliases: { auto: 0 } },
    description: "Worker threads, one event loop each; auto picks as many as the load needs.",
  },
  {
    key: "commandRate",
    target: "commandRatePerSec",
    flag: { name: "command-rate" },
    type: { kind: "number", min: 0, max: 100_000 },
    description: "Commands per second to sensors of fleets with commands; 0 sends none.",
  },
  {
    key: "abortOnFail",
    target: "abortOnFail",
    flag: { name: "abort-on-fail" },
    type: { kind: "boolean" },
    description: "Stop the run at the first definite failure of any threshold (a count " +
      "that only grows passing its limit); the summary is written and the exit code is 1.",
  },
  {
    key: "transport",
    target: "transport",
    flag: { name: "transport" },
    type: { kind: "enum", values: ["auto", "lean", "mqttjs"] },
    description: "MQTT client of the sensors: auto takes the lean one (node:net and " +
      "mqtt-packet) for every fleet it can serve (mqtt://, QoS 0/1, no commands or topic " +
      "aliases) and MQTT.js for the rest; lean or mqttjs forces one.",
  },
  {
    key: "seed",
    target: "seed",
    flag: { name: "seed" },
    type: { kind: "integer", ...LIMITS.seed },
    description: "Seed for identities and telemetry: the same seed gives the same fleet.",
  },
];

const PROBE_FIELDS: readonly Field<Scenario>[] = [
  {
    key: "enabled",
    target: "probe",
    flag: { name: "no-probe", negate: true },
    type: { kind: "boolean" },
    description: "Run the subscriber that measures end-to-end latency and loss.",
  },
  {
    key: "username",
    target: "probeUsername",
    flag: { name: "probe-username", value: "NAME" },
    type: { kind: "string" },
    description: "MQTT username of the probe and the commander; default the broker's " +
      "(unless that is a per-sensor template).",
  },
  {
    key: "password",
    target: "probePassword",
    flag: { name: "probe-password", value: "SECRET" },
    type: { kind: "string", secret: true },
    description: "MQTT password of the probe and the commander; never printed.",
  },
  {
    key: "cert",
    target: "probeCertPath",
    flag: { name: "probe-cert" },
    type: { kind: "path" },
    description: "PEM client certificate of the probe and the commander, for brokers that " +
      "require one (with per-device certificates); needs key.",
  },
  {
    key: "key",
    target: "probeKeyPath",
    flag: { name: "probe-key" },
    type: { kind: "path" },
    description: "PEM client key of the probe and the commander; needs cert.",
  },
  {
    key: "connections",
    target: "probeConnections",
    flag: { name: "probe-connections" },
    type: { kind: "integer", ...LIMITS.probeConnections },
    description: "Connections the probe spreads its subscription over.",
  },
  {
    key: "drain",
    target: "drainMs",
    flag: { name: "drain" },
    type: { kind: "duration", minMs: 0, maxMs: ONE_DAY_MS },
    description: "Time the probe keeps listening after the last send.",
  },
];

/** The shape of the whole file: the top-level sections. */
export const SCENARIO_SHAPE: RecordShape<Scenario> = {
  description: "A fleet of MQTT sensors for iotload run --scenario and iotload validate.",
  fields: [
    {
      key: "broker",
      description: "Where and how sensors connect.",
      fields: BROKER_FIELDS,
    },
    {
      key: "fleets",
      target: "fleets",
      minItems: 1,
      description: "Groups of identical sensors.",
      item: FLEET_SHAPE,
    },
    {
      key: "stages",
      target: "stages",
      minItems: 0,
      description: "k6-style stages on connected sensors; none connects every sensor and holds.",
      item: STAGE_SHAPE,
    },
    {
      key: "run",
      description: "Run length, connection ramp and limits.",
      fields: RUN_FIELDS,
    },
    {
      key: "probe",
      description: "The subscriber that measures end-to-end latency and loss.",
      fields: PROBE_FIELDS,
    },
    {
      key: "thresholds",
      target: "thresholds",
      flag: { name: "threshold", value: "EXPR" },
      type: { kind: "list", item: { kind: "threshold" }, minItems: 0 },
      description: 'Pass/fail expressions that gate the exit code, e.g. "e2e.p99<250ms"; ' +
        'in a file also { threshold: "failed==0", abortOnFail: true }.',
    },
    {
      key: "local",
      fileless: true,
      description: "What only flags and variables give, since it belongs to the machine " +
        "and the run, not the scenario: source addresses and where results go.",
      fields: LOCAL_FIELDS,
    },
  ],
  defaults: () => DEFAULT_SCENARIO,
};
