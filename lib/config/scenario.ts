import { redactCredentials } from "./values.ts";

/** MQTT quality of service level (MQTT-4.3). */
export type QoS = 0 | 1 | 2;

/** MQTT protocol level: 4 is MQTT 3.1.1, 5 is MQTT 5.0 (MQTT-3.1.2-2). */
export type ProtocolVersion = 4 | 5;

/** Built-in device profiles: what a sensor's readings look like. */
export const PROFILE_NAMES = [
  "environment",
  "gps-tracker",
  "energy-meter",
  "vibration",
  "door",
] as const;

/** One of {@linkcode PROFILE_NAMES}. */
export type ProfileName = typeof PROFILE_NAMES[number];

/** One group of identical sensors. */
export interface FleetSpec {
  /** Name shown in reports; default `fleet-<n>` (1-based). */
  readonly name: string;
  /** Sensors in this fleet, each with its own connection; default 10,000 (one fleet). */
  readonly count: number;
  /** Device profile; default `environment`. */
  readonly profile: ProfileName;
  /** Time between two readings of one sensor, in ms; default 5,000. */
  readonly intervalMs: number;
  /**
   * Each send's intended time moves by a random offset in [0, jitterMs), in ms;
   * default 0 (exactly periodic).
   */
  readonly jitterMs: number;
  /** QoS of telemetry publishes; default 0. */
  readonly qos: QoS;
  /** Publish with the retain flag; default false. */
  readonly retain: boolean;
  /** Topic template with `{id}` / `{index}` / `{fleet}`; default `sensors/{id}/telemetry`. */
  readonly topicTemplate: string;
  /** Client id template with `{id}` / `{index}` / `{fleet}`; default `iotload-{id}`. */
  readonly clientIdTemplate: string;
  /** Pad every payload to exactly this many bytes; 0 (default) keeps the natural size. */
  readonly payloadBytes: number;
  /**
   * The body of every telemetry message after the envelope (`sensorId`, `seq`, `ts`):
   * a JSON object text with placeholders such as `{reading}`, `{reading.temperatureC}`,
   * `{identity.model}` and `{faker:person.fullName}`, rendered per message; default null
   * (the identity's `deviceId`, `model` and `firmware`, then the reading).
   */
  readonly payloadTemplate: string | null;
  /**
   * Readings a disconnected sensor keeps and publishes on reconnect, as real devices
   * do; 0 (default) drops them (counted as `offlineDropped`).
   */
  readonly offlineBufferSize: number;
  /**
   * Each sensor's MQTT username: a template with `{id}`, `{index}` and `{fleet}`
   * (other text is literal); default null (the broker's username).
   */
  readonly usernameTemplate: string | null;
  /** Each sensor's MQTT password, a template like the username (a secret); default null. */
  readonly passwordTemplate: string | null;
  /**
   * A file of each sensor's username and password (CSV `id,username,password` or JSON
   * lines), for secrets that follow no pattern; default null.
   */
  readonly credentialsPath: string | null;
  /** Each sensor's client certificate file: a path template like `certs/{id}.pem`; default null. */
  readonly certTemplate: string | null;
  /** Each sensor's client key file, a path template (a secret's path); default null. */
  readonly keyTemplate: string | null;
  /**
   * Status topic template: when set, each sensor publishes a retained birth message
   * (`"online":true`) there on connect and leaves a retained last will (`"online":false`)
   * the broker delivers when the connection drops uncleanly; default null (off).
   */
  readonly statusTopicTemplate: string | null;
  /**
   * Payload template of the birth message (same placeholders as `payloadTemplate`);
   * default null: `{"sensorId":…,"online":true,"ts":…}`.
   */
  readonly statusOnlineTemplate: string | null;
  /**
   * Payload template of the last will and the offline status; default null:
   * `{"sensorId":…,"online":false,"ts":…}`.
   */
  readonly statusOfflineTemplate: string | null;
  /** Command topic template each sensor subscribes to and answers; default null (off). */
  readonly commandTopicTemplate: string | null;
  /** Topic template sensors answer commands on; default `devices/{id}/responses`. */
  readonly responseTopicTemplate: string;
  /** MQTT 5 user properties on every telemetry publish; default none. */
  readonly userProperties: Readonly<Record<string, string>>;
  /** MQTT 5 message expiry interval of telemetry, in seconds; 0 (default) sets none. */
  readonly messageExpirySec: number;
  /** MQTT 5 content type of telemetry; default null (none). */
  readonly contentType: string | null;
  /** Use MQTT 5 topic aliases for telemetry (saves the topic after the first publish); default false. */
  readonly topicAlias: boolean;
  /**
   * Churn: how often each sensor drops its connection uncleanly, per hour (Poisson);
   * 0 (default) never.
   */
  readonly churnPerSensorPerHour: number;
  /** How long a churned sensor stays offline before it reconnects, in ms; default 5,000. */
  readonly churnOfflineMs: number;
}

/** A k6-style stage: move the number of connected sensors to `targetSensors` over `durationMs`. */
export interface StageSpec {
  /** Length of the stage, in ms. */
  readonly durationMs: number;
  /** Connected sensors at the end of the stage (across all fleets, in fleet order). */
  readonly targetSensors: number;
  /**
   * Publish rate at the end of the stage as a multiple of each fleet's own rate (2 =
   * twice as often); default 1. Moves linearly from the previous stage's, like the target.
   */
  readonly rateFactor?: number;
}

/**
 * The effective configuration of one run: validated, defaults filled, frozen.
 *
 * Everything the engine, probe and reporters need; nothing else reads flags or files.
 */
export interface Scenario {
  /** Broker URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`); `null` starts the embedded broker. */
  readonly url: string | null;
  /** MQTT username; unset by default. */
  readonly username?: string;
  /** MQTT password (a secret: never printed); unset by default. */
  readonly password?: string;
  /** Path of a PEM CA bundle for TLS; unset by default. */
  readonly caPath?: string;
  /** Path of a PEM client certificate for TLS; unset by default. */
  readonly certPath?: string;
  /** Path of a PEM client key for TLS (a secret: its contents are never printed). */
  readonly keyPath?: string;
  /** Skip TLS certificate verification; default false. */
  readonly insecure: boolean;
  /** MQTT protocol version; default 5 (4 with the embedded broker, which speaks 3.1.1 only). */
  readonly protocolVersion: ProtocolVersion;
  /** Keepalive in seconds (MQTT-3.1.2-20); default 60. */
  readonly keepaliveSec: number;
  /** Clean session (3.1.1) / clean start (5); default true. */
  readonly cleanStart: boolean;
  /** MQTT 5 session expiry interval in seconds (MQTT-3.1.2-11); default 0. */
  readonly sessionExpirySec: number;
  /** The sensor groups; default one fleet of 10,000 `environment` sensors every 5 s. */
  readonly fleets: readonly FleetSpec[];
  /** Connection stages; empty (default) connects every sensor once and holds. */
  readonly stages: readonly StageSpec[];
  /** How long sensors publish after ramp-up, in ms; 0 runs until interrupted; default 60,000. */
  readonly durationMs: number;
  /**
   * Raw-throughput mode: every sensor publishes back to back as fast as its socket (and
   * in-flight window) takes messages, ignoring the interval; default false.
   */
  readonly flood: boolean;
  /** New connections started per second during ramp-up; default 1,000. */
  readonly connectRatePerSec: number;
  /** Most connection attempts in flight at once; default 100 (Mosquitto's listen backlog). */
  readonly connectConcurrency: number;
  /** Time allowed from TCP start to CONNACK, in ms; default 10,000. */
  readonly connectTimeoutMs: number;
  /** Time allowed for a QoS 1/2 acknowledgement, in ms; default 10,000. */
  readonly ackTimeoutMs: number;
  /** Most unacknowledged QoS 1/2 publishes per connection; default 16. */
  readonly maxInflight: number;
  /**
   * Worker threads (one event loop each) the sensors are spread over; 0 (`auto`) picks
   * as many as the load needs, up to the cores available; default 1.
   */
  readonly workers: number;
  /** Source addresses connections are spread over, round-robin; empty (default) lets the OS pick. */
  readonly bindAddresses: readonly string[];
  /**
   * Commands sent per second to sensors of fleets that take commands (a random sample
   * each time), with their round trip measured; 0 (default) sends none.
   */
  readonly commandRatePerSec: number;
  /**
   * Which MQTT client sensors use: `auto` (default) the lean one for every fleet it can
   * serve, MQTT.js for the others; `lean` or `mqttjs` for every fleet.
   */
  readonly transport: "auto" | "lean" | "mqttjs";
  /** Seed for identities and telemetry; default 1. */
  readonly seed: number;
  /** Run the probe subscriber that measures end-to-end latency and loss; default true. */
  readonly probe: boolean;
  /** The probe's and the commander's MQTT username; default the broker's (when it is no template). */
  readonly probeUsername?: string;
  /** The probe's and the commander's MQTT password (a secret); default the broker's. */
  readonly probePassword?: string;
  /** The probe's and the commander's client certificate file (mTLS brokers); default the broker's. */
  readonly probeCertPath?: string;
  /** The probe's and the commander's client key file; default the broker's. */
  readonly probeKeyPath?: string;
  /** Connections the probe spreads its subscription over; default 1. */
  readonly probeConnections: number;
  /** Time the probe keeps listening after the last send, in ms; default 2,000. */
  readonly drainMs: number;
  /** Thresholds that gate the exit code; default none. */
  readonly thresholds: readonly ThresholdSpec[];
  /** Every threshold stops the run at its first definite failure; default false. */
  readonly abortOnFail: boolean;
  /** Print the summary as JSON on stdout instead of the table; default false. */
  readonly json: boolean;
  /** Path the JSON summary is written to (atomically); default none. */
  readonly outPath: string | null;
  /** Path each second's record is streamed to (`.ndjson`, `.jsonl` or `.csv`); default none. */
  readonly timelinePath: string | null;
  /** Path the HTML report is written to (atomically) after the run; default none. */
  readonly htmlPath: string | null;
  /** Where the Prometheus endpoint (`GET /metrics`) listens during the run; default none. */
  readonly prometheusListen: ListenAddress | null;
  /** This process's part of a sharded run; null (default) drives every sensor. */
  readonly shard: ShardSpec | null;
  /** The run's id, shared by its shards; null (default) makes a new one. */
  readonly runId: string | null;
  /** When the fleet begins; null (default) at once. */
  readonly startAt: StartAt | null;
  /** Publish the JSON summary, retained, to `iotload/runs/<run id>/results/<shard>`; default false. */
  readonly publishResult: boolean;
}

/** Which part of a run this process is: shard `index` (0-based) of `count`. */
export interface ShardSpec {
  /** 0-based, like Kubernetes' `JOB_COMPLETION_INDEX`. */
  readonly index: number;
  /** Shards of the run, at least 1. */
  readonly count: number;
}

/** The start instant as given: an absolute time, or a delay counted from when it is read. */
export type StartAt =
  | { readonly epochMs: number }
  | { readonly afterMs: number };

/** One threshold as configured. */
export interface ThresholdSpec {
  /** The expression, e.g. `e2e.p99<250ms`. */
  readonly expression: string;
  /** Stop the run at this threshold's first definite failure (k6's `abortOnFail`). */
  readonly abortOnFail: boolean;
}

/** A TCP address to listen on. */
export interface ListenAddress {
  /** Host name or IP address; IPv6 without brackets. */
  readonly host: string;
  /** Port, 0 for any free one. */
  readonly port: number;
}

/** A whole-number setting's allowed range, inclusive. */
export interface IntegerRange {
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value. */
  readonly max: number;
}

/**
 * Allowed ranges of the whole-number settings, one place for flags, `IOTLOAD_*`
 * variables and scenario files alike.
 */
export const LIMITS = Object.freeze(
  {
    /** Sensors in one fleet (a process drives at most a million: shard beyond that). */
    count: { min: 1, max: 100_000_000 },
    /** Padded payload size, in bytes (MQTT's largest packet is 256 MB). */
    payloadBytes: { min: 0, max: 268_435_455 },
    /** Readings an offline sensor keeps. */
    offlineBufferSize: { min: 0, max: 100_000 },
    /** New connections per second. */
    connectRatePerSec: { min: 1, max: 1_000_000 },
    /** Connection attempts in flight. */
    connectConcurrency: { min: 1, max: 100_000 },
    /** Unacknowledged QoS 1/2 publishes per connection (MQTT packet ids are 16-bit). */
    maxInflight: { min: 1, max: 65_535 },
    /** Worker threads. */
    workers: { min: 1, max: 256 },
    /** Run seed (32-bit). */
    seed: { min: 0, max: 4_294_967_295 },
    /** Probe connections. */
    probeConnections: { min: 1, max: 1_000 },
  } satisfies Record<string, IntegerRange>,
);

/** Defaults of a fleet's fields. */
export const DEFAULT_FLEET: FleetSpec = Object.freeze({
  name: "fleet-1",
  count: 10_000,
  profile: "environment",
  intervalMs: 5_000,
  jitterMs: 0,
  qos: 0,
  retain: false,
  topicTemplate: "sensors/{id}/telemetry",
  clientIdTemplate: "iotload-{id}",
  payloadBytes: 0,
  payloadTemplate: null,
  offlineBufferSize: 0,
  usernameTemplate: null,
  passwordTemplate: null,
  credentialsPath: null,
  certTemplate: null,
  keyTemplate: null,
  statusTopicTemplate: null,
  statusOnlineTemplate: null,
  statusOfflineTemplate: null,
  commandTopicTemplate: null,
  responseTopicTemplate: "devices/{id}/responses",
  userProperties: Object.freeze({}),
  messageExpirySec: 0,
  contentType: null,
  topicAlias: false,
  churnPerSensorPerHour: 0,
  churnOfflineMs: 5_000,
});

/** Defaults of every optional field, the seed's fleet: 10,000 sensors every 5 s for 60 s. */
export const DEFAULT_SCENARIO: Scenario = Object.freeze({
  url: null,
  insecure: false,
  protocolVersion: 5,
  keepaliveSec: 60,
  cleanStart: true,
  sessionExpirySec: 0,
  fleets: Object.freeze([DEFAULT_FLEET]),
  stages: Object.freeze([]),
  durationMs: 60_000,
  flood: false,
  connectRatePerSec: 1_000,
  connectConcurrency: 100,
  connectTimeoutMs: 10_000,
  ackTimeoutMs: 10_000,
  maxInflight: 16,
  workers: 1,
  bindAddresses: Object.freeze([]),
  commandRatePerSec: 0,
  transport: "auto",
  seed: 1,
  probe: true,
  probeConnections: 1,
  drainMs: 2_000,
  thresholds: Object.freeze([]),
  abortOnFail: false,
  json: false,
  outPath: null,
  timelinePath: null,
  htmlPath: null,
  prometheusListen: null,
  shard: null,
  runId: null,
  startAt: null,
  publishResult: false,
});

/** Sensors across every fleet. */
export function totalSensors(scenario: Scenario): number {
  return scenario.fleets.reduce((sum, fleet) => sum + fleet.count, 0);
}

/** Target publish rate across every fleet, in messages per second. */
export function targetRatePerSec(scenario: Scenario): number {
  return scenario.fleets.reduce((sum, fleet) => sum + (fleet.count * 1000) / fleet.intervalMs, 0);
}

/** The scenario with secrets replaced by `"***"`, for summaries and reports. */
export function redactScenario(scenario: Scenario): Record<string, unknown> {
  // Unset optional fields are left out, so the JSON summary reads back the same.
  const copy: Record<string, unknown> = Object.fromEntries(
    Object.entries(scenario).filter(([, value]) => value !== undefined),
  );
  if (scenario.password !== undefined) copy.password = "***";
  if (scenario.probePassword !== undefined) copy.probePassword = "***";
  copy.fleets = scenario.fleets.map((fleet) =>
    fleet.passwordTemplate === null ? fleet : { ...fleet, passwordTemplate: "***" }
  );
  if (scenario.url !== null) copy.url = redactCredentials(scenario.url);
  return copy;
}
