/**
 * The fleet's part of the settings table: every field of one `fleets[]` item of a
 * scenario file, with its flag where one exists (see `scenario_fields.ts`).
 *
 * @module
 */

import type { Field, RecordShape } from "./field_types.ts";
import { checkPayloadTemplate } from "./payload_template_check.ts";
import { DEFAULT_FLEET, type FleetSpec, LIMITS, PROFILE_NAMES } from "./scenario.ts";
import { TEMPLATE_PLACEHOLDERS } from "./templates.ts";
import type { ValueType } from "./value_types.ts";

// Fleet names go into topics and client ids, so they keep to this safe alphabet.
const FLEET_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Longest interval, jitter or offline time: a day. */
export const ONE_DAY_MS = 86_400_000;
// The placeholders of topic and client-id templates, for help texts.
const TEMPLATE_HELP = TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(", ");

/** A payload template: one JSON object text with placeholders (checked as far as config can). */
export const PAYLOAD_TEMPLATE_TYPE: ValueType = {
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
    flag: { name: "sensors", short: "c" },
    type: { kind: "integer", ...LIMITS.count },
    description: "Sensors in this fleet, each with its own connection.",
  },
  {
    key: "profile",
    target: "profile",
    flag: { name: "profile", value: "NAME" },
    type: { kind: "enum", values: PROFILE_NAMES },
    description: "Device profile: what a sensor's readings look like.",
  },
  {
    key: "interval",
    target: "intervalMs",
    flag: { name: "interval", short: "i" },
    type: { kind: "duration", minMs: 1, maxMs: ONE_DAY_MS },
    description: "Time between two readings of one sensor, e.g. 5s.",
  },
  {
    key: "jitter",
    target: "jitterMs",
    flag: { name: "jitter" },
    type: { kind: "duration", minMs: 0, maxMs: ONE_DAY_MS },
    description: "Each send moves by a random offset below this; shorter than interval.",
  },
  {
    key: "qos",
    target: "qos",
    flag: { name: "qos", short: "q" },
    type: { kind: "enum", values: [0, 1, 2] },
    description: "MQTT QoS of telemetry publishes.",
  },
  {
    key: "retain",
    target: "retain",
    flag: { name: "retain" },
    type: { kind: "boolean" },
    description: "Publish with the retain flag.",
  },
  {
    key: "topic",
    target: "topicTemplate",
    flag: { name: "topic", short: "t" },
    type: { kind: "template", topic: true },
    description: `Topic template with ${TEMPLATE_HELP}; no wildcards.`,
  },
  {
    key: "clientId",
    target: "clientIdTemplate",
    flag: { name: "client-id" },
    type: { kind: "template", topic: false },
    description: `Client id template with ${TEMPLATE_HELP}; must tell sensors apart.`,
  },
  {
    key: "payloadSize",
    target: "payloadBytes",
    flag: { name: "payload-size" },
    type: { kind: "size", ...LIMITS.payloadBytes },
    description: "Pad every payload to exactly this many bytes; 0 keeps the natural size.",
  },
  {
    key: "payloadTemplate",
    target: "payloadTemplate",
    flag: { name: "payload-template", value: "JSON" },
    type: PAYLOAD_TEMPLATE_TYPE,
    description: "Body after sensorId, seq and ts: a JSON object with {reading}, " +
      "{reading.NAME}, {id}, {index}, {seq}, {ts}, {identity.FIELD}, {faker:MODULE.METHOD}; " +
      "omit for the identity and the reading.",
  },
  {
    key: "username",
    target: "usernameTemplate",
    type: { kind: "string", pattern: /\S/, patternHint: 'a user name template like "dev-{id}"' },
    description: `Each sensor's MQTT username, a template with ${TEMPLATE_HELP}; ` +
      "default the broker's.",
  },
  {
    key: "password",
    target: "passwordTemplate",
    type: { kind: "string", secret: true },
    description: "Each sensor's MQTT password, a template like username, e.g. " +
      "${DEVICE_SECRET}-{id}; never printed.",
  },
  {
    key: "credentials",
    target: "credentialsPath",
    type: { kind: "path" },
    description: "A file of each sensor's credentials, relative to the scenario file: CSV " +
      'with "id,username,password" rows or JSON lines; ids are the sensors\' {id}.',
  },
  {
    key: "tls",
    description: "Per-device client certificates; need an mqtts:// or wss:// url.",
    fields: [
      {
        key: "cert",
        target: "certTemplate",
        type: { kind: "path" },
        description:
          'Each sensor\'s PEM client certificate, a path template like "certs/{id}.pem".',
      },
      {
        key: "key",
        target: "keyTemplate",
        type: { kind: "path" },
        description: 'Each sensor\'s PEM client key, a path template like "certs/{id}.key".',
      },
    ],
  },
  {
    key: "offline",
    description: "What a disconnected sensor does with its readings.",
    fields: [{
      key: "buffer",
      target: "offlineBufferSize",
      flag: { name: "offline-buffer" },
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

/** One `fleets[]` item: one group of identical sensors. */
export const FLEET_SHAPE: RecordShape<FleetSpec> = {
  description: "One group of identical sensors.",
  fields: FLEET_FIELDS,
  defaults: (index) => ({ ...DEFAULT_FLEET, name: `fleet-${index + 1}` }),
};
