/**
 * The scenario file format, declared once: every section and field with its key, type,
 * description and the {@linkcode Scenario} / {@linkcode FleetSpec} / {@linkcode StageSpec}
 * field it fills. Defaults come from {@linkcode DEFAULT_SCENARIO} and
 * {@linkcode DEFAULT_FLEET}. The file validator (`scenario_file.ts`) and the JSON Schema
 * (`json_schema.ts`) are both generated from this definition.
 *
 * @module
 */

import { checkPayloadTemplate, TEMPLATE_PLACEHOLDERS } from "./apply_overrides.ts";
import {
  DEFAULT_FLEET,
  DEFAULT_SCENARIO,
  type FleetSpec,
  LIMITS,
  PROFILE_NAMES,
  type Scenario,
  type StageSpec,
} from "./scenario.ts";

/** A duration as written in a file: `500ms`, `5s`, `1.5m`, `2h`, `250us`, or a bare `0`. */
export const DURATION_PATTERN: RegExp = /^(\d+(\.\d+)?(us|ms|s|m|h)|0)$/;

// Fleet names go into topics and client ids, so they keep to this safe alphabet.
const FLEET_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * A template whose braces all enclose a known placeholder, and that contains none of
 * the characters in `forbidden` (e.g. the topic wildcards `+#`).
 */
export function templatePattern(forbidden: string): RegExp {
  const literal = `[^{}${forbidden.replace(/[\\\]^-]/g, "\\$&")}]*`;
  const placeholder = `\\{(${TEMPLATE_PLACEHOLDERS.join("|")})\\}`;
  return new RegExp(`^${literal}(${placeholder}${literal})*$`);
}

/** How one value is written in the file and checked. */
export type ValueType =
  /** Any string; `pattern` restricts it, `patternHint` says in words what it allows. */
  | {
    readonly kind: "string";
    readonly pattern?: RegExp;
    readonly patternHint?: string;
    /** A secret: problems never quote the value. */
    readonly secret?: boolean;
    /**
     * A further check of a matching value, throwing a {@linkcode UsageError} that names
     * `setting`; returns the value to store.
     */
    readonly check?: (value: string, setting: string) => string;
    /** Said after the problem when the value is not a string, e.g. how to quote it. */
    readonly notStringHint?: string;
  }
  /** A whole number from `min` to `max`, or one of the words in `aliases` (`auto`). */
  | {
    readonly kind: "integer";
    readonly min: number;
    readonly max: number;
    /** Words that stand for a number outside the range, e.g. `auto` for 0. */
    readonly aliases?: Readonly<Record<string, number>>;
  }
  /** Any finite number from `min` to `max`, decimals included (`0.5`). */
  | { readonly kind: "number"; readonly min: number; readonly max: number }
  /** A duration text (`5s`, see {@linkcode DURATION_PATTERN}), stored in ms. */
  | { readonly kind: "duration"; readonly minMs: number; readonly maxMs: number }
  /** Whole seconds, as a number (`60`) or a duration text (`60s`), stored in seconds. */
  | { readonly kind: "seconds"; readonly min: number; readonly max: number }
  /** One of a fixed set of strings or numbers. */
  | { readonly kind: "enum"; readonly values: readonly (string | number)[] }
  /** `true` or `false`. */
  | { readonly kind: "boolean" }
  /** A topic or client-id template with `{id}` / `{index}` / `{fleet}`. */
  | { readonly kind: "template"; readonly topic: boolean }
  /** A broker URL: `mqtt://`, `mqtts://`, `ws://` or `wss://` with a host. */
  | { readonly kind: "url" }
  /** A file path, resolved relative to the scenario file's folder. */
  | { readonly kind: "path" }
  /** A list of values of one type. */
  | { readonly kind: "list"; readonly item: ValueType; readonly minItems: number }
  /** An object of non-empty string keys to non-empty string values, at most `maxEntries`. */
  | { readonly kind: "stringMap"; readonly maxEntries: number };

/** A field holding one value, stored in field `target` of the record being built. */
export interface ValueField<T> {
  /** Key in the file (camelCase). */
  readonly key: string;
  /** One line for humans: the help text of the JSON Schema. */
  readonly description: string;
  /** How the value is written and checked. */
  readonly type: ValueType;
  /** Field of the record (`Scenario`, `FleetSpec`, `StageSpec`) the value goes into. */
  readonly target: keyof T & string;
  /**
   * The field must be given: it has no default. In a group, only when the group is
   * given (`commands` may be left out; `commands: {}` may not).
   */
  readonly required?: boolean;
  /** The value must differ between the items of the list this field's record is in. */
  readonly unique?: boolean;
  /** The default in words, for a default that is not a constant of the defaults record. */
  readonly defaultText?: string;
}

/** A nested object whose fields go into the same record as its parent's (`broker.tls`). */
export interface GroupField<T> {
  /** Key in the file (camelCase). */
  readonly key: string;
  /** One line for humans: the help text of the JSON Schema. */
  readonly description: string;
  /** The fields of the nested object. */
  readonly fields: readonly Field<T>[];
}

/** A list of objects, each building a record of its own (`fleets`, `stages`). */
export interface RecordListField<T> {
  /** Key in the file (camelCase). */
  readonly key: string;
  /** One line for humans: the help text of the JSON Schema. */
  readonly description: string;
  /** Field of the parent record that receives the list of records. */
  readonly target: keyof T & string;
  /** Fewest items the list may have. */
  readonly minItems: number;
  /** What each item looks like. */
  readonly item: RecordShape<FleetSpec> | RecordShape<StageSpec>;
}

/** One field of an object in the file. */
export type Field<T> = ValueField<T> | GroupField<T> | RecordListField<T>;

/** An object in the file that builds one record of type `T`. */
export interface RecordShape<T> {
  /** One line for humans: the help text of the JSON Schema. */
  readonly description: string;
  /** The object's fields. */
  readonly fields: readonly Field<T>[];
  /** The record's values before the file's fields apply, for list item `index` (0-based). */
  readonly defaults: (index: number) => Readonly<Partial<T>>;
}

const ONE_DAY_MS = 86_400_000;
// Timers cannot wait past 24.8 days; a week is the longest run flags accept too.
const ONE_WEEK_MS = 7 * ONE_DAY_MS;
const TEMPLATE_HELP = TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(", ");

/** A payload template: one JSON object text with placeholders (checked as far as config can). */
const PAYLOAD_TEMPLATE_TYPE: ValueType = {
  kind: "string",
  pattern: /^\s*\{[\s\S]*\}\s*$/,
  patternHint: 'a JSON object like \'{"site":"hq",{reading}}\'',
  check: checkPayloadTemplate,
  notStringHint: ` (quote the template in YAML: '{"site":"hq",{reading}}')`,
};

const FLEET_FIELDS: readonly Field<FleetSpec>[] = [
  {
    key: "name",
    target: "name",
    type: {
      kind: "string",
      pattern: FLEET_NAME_PATTERN,
      patternHint: 'letters, digits, "_" or "-" (it goes into topics)',
    },
    unique: true,
    defaultText: "fleet-<n>, n counting fleets from 1",
    description: "Name shown in reports and used as {fleet} in templates; unique.",
  },
  {
    key: "count",
    target: "count",
    type: { kind: "integer", ...LIMITS.count },
    description: "Sensors in this fleet, each with its own connection.",
  },
  {
    key: "profile",
    target: "profile",
    type: { kind: "enum", values: PROFILE_NAMES },
    description: "Device profile: what a sensor's readings look like.",
  },
  {
    key: "interval",
    target: "intervalMs",
    type: { kind: "duration", minMs: 1, maxMs: ONE_DAY_MS },
    description: "Time between two readings of one sensor, e.g. 5s.",
  },
  {
    key: "jitter",
    target: "jitterMs",
    type: { kind: "duration", minMs: 0, maxMs: ONE_DAY_MS },
    description: "Each send moves by a random offset below this; shorter than interval.",
  },
  {
    key: "qos",
    target: "qos",
    type: { kind: "enum", values: [0, 1, 2] },
    description: "MQTT QoS of telemetry publishes.",
  },
  {
    key: "retain",
    target: "retain",
    type: { kind: "boolean" },
    description: "Publish with the retain flag.",
  },
  {
    key: "topic",
    target: "topicTemplate",
    type: { kind: "template", topic: true },
    description: `Topic template with ${TEMPLATE_HELP}; no wildcards.`,
  },
  {
    key: "clientId",
    target: "clientIdTemplate",
    type: { kind: "template", topic: false },
    description: `Client id template with ${TEMPLATE_HELP}; must tell sensors apart.`,
  },
  {
    key: "payloadSize",
    target: "payloadBytes",
    type: { kind: "integer", ...LIMITS.payloadBytes },
    description: "Pad every payload to exactly this many bytes; 0 keeps the natural size.",
  },
  {
    key: "payloadTemplate",
    target: "payloadTemplate",
    type: PAYLOAD_TEMPLATE_TYPE,
    description: "Body after sensorId, seq and ts: a JSON object with {reading}, " +
      "{reading.NAME}, {id}, {index}, {seq}, {ts}, {identity.FIELD}, {faker:MODULE.METHOD}; " +
      "omit for the identity and the reading.",
  },
  {
    key: "offline",
    description: "What a disconnected sensor does with its readings.",
    fields: [{
      key: "buffer",
      target: "offlineBufferSize",
      type: { kind: "integer", ...LIMITS.offlineBufferSize },
      description: "Readings kept while disconnected and sent on reconnect; 0 drops them.",
    }],
  },
  {
    key: "status",
    description: "Retained online/offline status: a birth message on connect, a last will.",
    fields: [
      {
        key: "topic",
        target: "statusTopicTemplate",
        type: { kind: "template", topic: true },
        description: `Status topic template with ${TEMPLATE_HELP}; no wildcards; omit for none.`,
      },
      {
        key: "online",
        target: "statusOnlineTemplate",
        type: PAYLOAD_TEMPLATE_TYPE,
        description: "Birth message: a JSON object template like payloadTemplate; " +
          'omit for {"sensorId":…,"online":true,"ts":…}.',
      },
      {
        key: "offline",
        target: "statusOfflineTemplate",
        type: PAYLOAD_TEMPLATE_TYPE,
        description: "Last will and offline status: a JSON object template like " +
          'payloadTemplate; omit for {"sensorId":…,"online":false,"ts":…}.',
      },
    ],
  },
  {
    key: "commands",
    description: "Commands each sensor subscribes to and answers; omit for none.",
    fields: [
      {
        key: "topic",
        target: "commandTopicTemplate",
        type: { kind: "template", topic: true },
        required: true,
        description: `Command topic template with ${TEMPLATE_HELP}; no wildcards.`,
      },
      {
        key: "responseTopic",
        target: "responseTopicTemplate",
        type: { kind: "template", topic: true },
        description: `Topic template answers go to, with ${TEMPLATE_HELP}; no wildcards.`,
      },
    ],
  },
  {
    key: "mqtt5",
    description: "MQTT 5 properties of telemetry publishes; need broker.protocolVersion 5.",
    fields: [
      {
        key: "userProperties",
        target: "userProperties",
        // 32 pairs is far more than devices send; each pair goes into every publish.
        type: { kind: "stringMap", maxEntries: 32 },
        description: "User properties (name: value) on every telemetry publish.",
      },
      {
        key: "messageExpiry",
        target: "messageExpirySec",
        // MQTT 5 section 3.3.2.3.3: the message expiry interval is a four-byte count of seconds.
        type: { kind: "seconds", min: 0, max: 4_294_967_295 },
        description: "Message expiry: whole seconds or a duration; 0 sets none.",
      },
      {
        key: "contentType",
        target: "contentType",
        type: { kind: "string", pattern: /\S/, patternHint: 'a MIME type like "application/json"' },
        description: "Content type of telemetry, e.g. application/json; omit for none.",
      },
      {
        key: "topicAlias",
        target: "topicAlias",
        type: { kind: "boolean" },
        description: "Replace the topic by a topic alias after the first publish.",
      },
    ],
  },
  {
    key: "churn",
    description: "Sensors that drop their connection now and then and come back.",
    fields: [
      {
        key: "perSensorPerHour",
        target: "churnPerSensorPerHour",
        type: { kind: "number", min: 0, max: 3_600 },
        description: "Unclean disconnects per sensor per hour, at random; 0 never.",
      },
      {
        key: "offline",
        target: "churnOfflineMs",
        type: { kind: "duration", minMs: 0, maxMs: ONE_DAY_MS },
        description: "How long a dropped sensor stays offline before it reconnects.",
      },
    ],
  },
];

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
    type: { kind: "integer", min: 0, max: 1_000_000 },
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

const FLEET_SHAPE: RecordShape<FleetSpec> = {
  description: "One group of identical sensors.",
  fields: FLEET_FIELDS,
  defaults: (index) => ({ ...DEFAULT_FLEET, name: `fleet-${index + 1}` }),
};

const STAGE_SHAPE: RecordShape<StageSpec> = {
  description: "Move the number of connected sensors to target over duration.",
  fields: STAGE_FIELDS,
  defaults: () => ({}),
};

const BROKER_FIELDS: readonly Field<Scenario>[] = [
  {
    key: "url",
    target: "url",
    type: { kind: "url" },
    description:
      "Broker URL (mqtt://, mqtts://, ws://, wss://); omit to start the embedded broker.",
  },
  {
    key: "protocolVersion",
    target: "protocolVersion",
    type: { kind: "enum", values: [4, 5] },
    defaultText: "5, or 4 without url (the embedded broker speaks MQTT 3.1.1 only)",
    description: "MQTT protocol version: 4 is MQTT 3.1.1, 5 is MQTT 5.0.",
  },
  {
    key: "username",
    target: "username",
    type: { kind: "string" },
    description: "MQTT username.",
  },
  {
    key: "password",
    target: "password",
    type: { kind: "string", secret: true },
    description: "MQTT password, e.g. ${IOTLOAD_PASSWORD}; never printed.",
  },
  {
    key: "tls",
    description: "TLS settings; need an mqtts:// or wss:// url.",
    fields: [
      {
        key: "ca",
        target: "caPath",
        type: { kind: "path" },
        description: "PEM CA bundle, relative to the scenario file.",
      },
      {
        key: "cert",
        target: "certPath",
        type: { kind: "path" },
        description: "PEM client certificate, relative to the scenario file; needs key.",
      },
      {
        key: "key",
        target: "keyPath",
        type: { kind: "path" },
        description: "PEM client key, relative to the scenario file; needs cert.",
      },
      {
        key: "insecure",
        target: "insecure",
        type: { kind: "boolean" },
        description: "Skip verification of the broker's certificate.",
      },
    ],
  },
  {
    key: "keepalive",
    target: "keepaliveSec",
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
    type: { kind: "duration", minMs: 0, maxMs: ONE_WEEK_MS },
    description: "How long sensors publish after ramp-up; 0 runs until interrupted.",
  },
  {
    key: "flood",
    target: "flood",
    type: { kind: "boolean" },
    description: "Raw-throughput mode: publish back to back as fast as sockets take it.",
  },
  {
    key: "connectRate",
    target: "connectRatePerSec",
    type: { kind: "integer", ...LIMITS.connectRatePerSec },
    description: "New connections started per second during ramp-up.",
  },
  {
    key: "connectConcurrency",
    target: "connectConcurrency",
    type: { kind: "integer", ...LIMITS.connectConcurrency },
    description: "Most connection attempts in flight at once.",
  },
  {
    key: "connectTimeout",
    target: "connectTimeoutMs",
    type: { kind: "duration", minMs: 1, maxMs: ONE_DAY_MS },
    description: "Time allowed from TCP start to CONNACK.",
  },
  {
    key: "ackTimeout",
    target: "ackTimeoutMs",
    type: { kind: "duration", minMs: 1, maxMs: ONE_DAY_MS },
    description: "Time allowed for a QoS 1/2 acknowledgement.",
  },
  {
    key: "maxInflight",
    target: "maxInflight",
    type: { kind: "integer", ...LIMITS.maxInflight },
    description: "Most unacknowledged QoS 1/2 publishes per connection.",
  },
  {
    key: "workers",
    target: "workers",
    type: { kind: "integer", ...LIMITS.workers, aliases: { auto: 0 } },
    description: "Worker threads, one event loop each; auto picks as many as the load needs.",
  },
  {
    key: "commandRate",
    target: "commandRatePerSec",
    type: { kind: "number", min: 0, max: 100_000 },
    description: "Commands per second to sensors of fleets with commands; 0 sends none.",
  },
  {
    key: "seed",
    target: "seed",
    type: { kind: "integer", ...LIMITS.seed },
    description: "Seed for identities and telemetry: the same seed gives the same fleet.",
  },
];

const PROBE_FIELDS: readonly Field<Scenario>[] = [
  {
    key: "enabled",
    target: "probe",
    type: { kind: "boolean" },
    description: "Run the subscriber that measures end-to-end latency and loss.",
  },
  {
    key: "connections",
    target: "probeConnections",
    type: { kind: "integer", ...LIMITS.probeConnections },
    description: "Connections the probe spreads its subscription over.",
  },
  {
    key: "drain",
    target: "drainMs",
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
      type: {
        kind: "list",
        item: { kind: "string", pattern: /\S/, patternHint: 'an expression like "lost==0"' },
        minItems: 0,
      },
      description: 'Pass/fail expressions that gate the exit code, e.g. "e2e.p99<250ms".',
    },
  ],
  defaults: () => DEFAULT_SCENARIO,
};
