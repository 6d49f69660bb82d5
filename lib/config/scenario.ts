/** MQTT quality of service level (MQTT-4.3). */
export type QoS = 0 | 1 | 2;

/** MQTT protocol level: 4 is MQTT 3.1.1, 5 is MQTT 5.0 (MQTT-3.1.2-2). */
export type ProtocolVersion = 4 | 5;

/**
 * The effective configuration of one run: validated, defaults filled, frozen.
 *
 * Everything the engine, probe and reporters need; nothing else reads flags.
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
  /** Number of simulated sensors, each with its own connection; default 10,000. */
  readonly sensors: number;
  /** Time between two readings of one sensor, in ms; default 5,000. */
  readonly intervalMs: number;
  /** How long sensors publish, in ms; 0 runs until interrupted; default 60,000. */
  readonly durationMs: number;
  /** QoS of telemetry publishes; default 0. */
  readonly qos: QoS;
  /** MQTT protocol version; default 5 (4 with the embedded broker, which speaks 3.1.1 only). */
  readonly protocolVersion: ProtocolVersion;
  /** Keepalive in seconds (MQTT-3.1.2-20); default 60. */
  readonly keepaliveSec: number;
  /** Topic template with `{id}` / `{index}`; default `sensors/{id}/telemetry`. */
  readonly topicTemplate: string;
  /** Client id template with `{id}` / `{index}`; default `iotload-{id}`. */
  readonly clientIdTemplate: string;
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
  /** Seed for identities and telemetry; default 1. */
  readonly seed: number;
  /** Run the probe subscriber that measures end-to-end latency and loss; default true. */
  readonly probe: boolean;
  /** Connections the probe spreads its subscription over; default 1. */
  readonly probeConnections: number;
  /** Time the probe keeps listening after the last send, in ms; default 2,000. */
  readonly drainMs: number;
  /** Threshold expressions that gate the exit code; default none. */
  readonly thresholds: readonly string[];
  /** Print the summary as JSON on stdout instead of the table; default false. */
  readonly json: boolean;
  /** Path the JSON summary is written to (atomically); default none. */
  readonly outPath: string | null;
}

/** Defaults of every optional field, the seed's fleet: 10,000 sensors every 5 s for 60 s. */
export const DEFAULT_SCENARIO: Scenario = Object.freeze({
  url: null,
  insecure: false,
  sensors: 10_000,
  intervalMs: 5_000,
  durationMs: 60_000,
  qos: 0,
  protocolVersion: 5,
  keepaliveSec: 60,
  topicTemplate: "sensors/{id}/telemetry",
  clientIdTemplate: "iotload-{id}",
  connectRatePerSec: 1_000,
  connectConcurrency: 100,
  connectTimeoutMs: 10_000,
  ackTimeoutMs: 10_000,
  maxInflight: 16,
  seed: 1,
  probe: true,
  probeConnections: 1,
  drainMs: 2_000,
  thresholds: [],
  json: false,
  outPath: null,
});

/** The scenario with secrets replaced by `"***"`, for summaries and reports. */
export function redactScenario(scenario: Scenario): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...scenario };
  if (scenario.password !== undefined) copy.password = "***";
  return copy;
}
