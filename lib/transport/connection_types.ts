/**
 * What a sensor's connection shares with the fleet around it: the facts it reports,
 * how a telemetry publish goes out, what a device does besides telemetry, and the
 * settings every connection of a fleet shares.
 *
 * @module
 */
import type { IClientPublishOptions } from "mqtt";
import type { BackoffPolicy } from "./backoff.ts";
import type { Duplex } from "node:stream";
import type { BrokerTarget, MessageStores, SensorCredentials } from "./client_factory.ts";
import type { ConnectGate, GateClock } from "./connect_gate.ts";
import type { ClassifiedError, ErrorCategory } from "./error_category.ts";

/** Facts a connection reports; one listener object serves the whole fleet. */
export interface ConnectionEvents {
  /**
   * CONNACK accepted, `connectUs` after the attempt started (TCP start); for a
   * reconnect, `offlineUs` is the time since the connection was lost.
   */
  connected(index: number, connectUs: number, isReconnect: boolean, offlineUs: number): void;
  /** The connection was dropped on purpose by churn (drop()); it comes back by itself. */
  churned(index: number): void;
  /** An attempt failed before CONNACK; a retry with backoff follows. */
  connectFailed(index: number, error: ClassifiedError): void;
  /** An established connection was lost; a reconnect with backoff follows. */
  disconnected(index: number, error: ClassifiedError): void;
  /** A QoS 1/2 publish was acknowledged (PUBACK / PUBCOMP). */
  acked(index: number, intendedMs: number): void;
  /**
   * `count` QoS 1/2 publishes failed (connection lost, ack deadline passed, refused);
   * `message` says why in words when the broker did (an MQTT 5 reason code).
   */
  publishFailed(index: number, count: number, category: ErrorCategory, message?: string): void;
}

/** How a telemetry publish goes out: QoS, retain flag, MQTT 5 properties. */
export type PublishOptions = Pick<IClientPublishOptions, "qos" | "retain" | "properties">;

/**
 * What a device does besides telemetry; one object per fleet, taking the sensor's
 * index, so a connection carries no per-sensor strings for it.
 */
export interface DeviceHooks {
  /** Retained status: birth on connect, last will on an unclean drop, offline on stop. */
  readonly status?: {
    topic(index: number): string;
    online(index: number): string;
    offline(index: number): string;
  };
  /** Commands: the topic to subscribe to, and the answer to a command (or null). */
  readonly commands?: {
    topic(index: number): string;
    answer(index: number, command: Uint8Array): { topic: string; payload: string } | null;
  };
  /** Use MQTT 5 topic aliases for telemetry. */
  readonly topicAlias?: boolean;
  /** The sensor's own credentials, asked for at each connect; none: the broker target's. */
  readonly credentials?: (index: number) => SensorCredentials;
}

/** What happened to one publish request. */
export type PublishOutcome = "sent" | "offline" | "backpressured";

/** Which client drives a connection: MQTT.js, or the lean one for plain sensors. */
export type TransportKind = "mqttjs" | "lean";

/**
 * What a sensor's connection needs of its MQTT client, which both MQTT.js's client and
 * `LeanClient` offer.
 */
export interface SensorClient {
  /** The current connection's stream: backpressure and drain are read from it. */
  readonly stream: Duplex;
  /** Opens the connection. */
  connect(): unknown;
  /** Opens a new connection after the last one closed. */
  reconnect(stores?: MessageStores): unknown;
  /** Sends a PUBLISH; `callback` runs on its acknowledgement (QoS 1/2). */
  publish(
    topic: string,
    payload: string,
    options: PublishOptions,
    callback?: (error?: Error, packet?: { messageId?: number }) => void,
  ): unknown;
  /** Subscribes (commands). */
  subscribe(topic: string, options: { qos: 0 | 1 | 2 }): unknown;
  /** Disconnects: with `force` at once, otherwise after a DISCONNECT; `callback` once closed. */
  end(force?: boolean, options?: object, callback?: () => void): unknown;
}

/** Settings shared by every connection of a fleet. */
export interface ConnectionContext {
  /** Broker address, credentials, TLS. */
  readonly target: BrokerTarget;
  /** Paces every connect attempt, first or retry. */
  readonly gate: ConnectGate;
  /** Time source (monotonic ms) and timers. */
  readonly clock: GateClock;
  /** Reconnect backoff. */
  readonly backoff: BackoffPolicy;
  /** Random numbers in [0, 1) for backoff jitter. */
  readonly random: () => number;
  /** Time allowed from TCP start to CONNACK, in ms. */
  readonly connectTimeoutMs: number;
  /** Most unacknowledged QoS 1/2 publishes on this connection. */
  readonly maxInflight: number;
  /** Where facts go. */
  readonly events: ConnectionEvents;
  /** The fleet's client: MQTT.js unless the lean one can do everything it needs. */
  readonly transport: TransportKind;
}
