import type { MqttClient } from "mqtt";
import type { QoS } from "../config/scenario.ts";
import type { RunMetrics } from "../metrics/run_metrics.ts";
import { type BrokerTarget, createMqttClient, endClient } from "../transport/client_factory.ts";
import { decodeEnvelope } from "../transport/envelope.ts";
import { type ClassifiedError, classifyError } from "../transport/error_category.ts";
import { SequenceLedger } from "./ledger.ts";

/** Options of a {@linkcode ProbeSubscriber}. */
export interface ProbeOptions {
  /** Where and how to connect. */
  readonly target: BrokerTarget;
  /** Subscription filters covering the fleet's topics, e.g. `sensors/+/telemetry`. */
  readonly topicFilters: readonly string[];
  /** Subscription QoS (the fleet's QoS, so the probe does not downgrade delivery). */
  readonly qos: QoS;
  /** Connections to spread the subscription over (MQTT 5 shared subscription when > 1). */
  readonly connections: number;
  /** Prefix of the probe's client ids; unique per run. */
  readonly clientIdPrefix: string;
  /** Where receptions are recorded (received, duplicates, reordered, e2e latency). */
  readonly metrics: RunMetrics;
  /** Current time, in ms since the Unix epoch (fractional), on the fleet's time base. */
  readonly epochNowMs: () => number;
  /** Time allowed to connect and subscribe, in ms. */
  readonly connectTimeoutMs: number;
}

/** Shared subscription group name (MQTT-4.8.2). */
const SHARE_GROUP = "iotload-probe";

/**
 * The subscriber side: receives the fleet's messages, records end-to-end latency from
 * each payload's intended send time, and reconciles per-sensor sequences (received,
 * lost, duplicates, reordered).
 */
export class ProbeSubscriber {
  readonly #options: ProbeOptions;
  readonly #clients: MqttClient[] = [];
  /** Per-sensor sequence reconciliation. */
  readonly ledger: SequenceLedger = new SequenceLedger();
  /** Messages on the filters that were not iotload envelopes. */
  foreign = 0;

  /** Creates the probe; nothing is opened until start(). */
  constructor(options: ProbeOptions) {
    this.#options = options;
  }

  /**
   * Connects and subscribes every probe connection; rejects with the classified error
   * when one cannot connect or subscribe within the connect timeout.
   */
  async start(): Promise<void> {
    const { connections, topicFilters } = this.#options;
    const filters = topicFilters.map((filter) =>
      connections > 1 ? `$share/${SHARE_GROUP}/${filter}` : filter
    );
    await Promise.all(
      Array.from(
        { length: connections },
        (_, index) => this.#startOne(index, filters),
      ),
    );
  }

  /** Disconnects every probe connection (each bounded by `timeoutMs`). */
  async stop(timeoutMs: number): Promise<void> {
    await Promise.all(this.#clients.map((client) => endClient(client, timeoutMs)));
  }

  #startOne(index: number, filters: readonly string[]): Promise<void> {
    const { target, qos, clientIdPrefix, connectTimeoutMs } = this.#options;
    const client = createMqttClient(target, {
      clientId: `${clientIdPrefix}-${index}`,
      // The probe's client ids are new every run: a kept session would only linger.
      clean: true,
      reconnectPeriodMs: 1_000,
    });
    this.#clients.push(client);
    client.on("message", (_topic, payload) => this.#onMessage(payload));
    return new Promise((resolve, reject) => {
      let lastError: ClassifiedError | null = null;
      let settled = false;
      let connected = false;
      const fail = (error: ClassifiedError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end(true);
        reject(new ProbeError(error));
      };
      const timer = setTimeout(
        () =>
          fail(
            lastError ?? {
              category: "connectTimeout",
              message: connected
                ? `probe: no SUBACK within ${connectTimeoutMs} ms`
                : `no CONNACK within ${connectTimeoutMs} ms`,
            },
          ),
        connectTimeoutMs,
      );
      client.on("error", (error) => {
        lastError = classifyError(error, target.protocolVersion);
        if (!client.connected && lastError.category !== "connectRefused") {
          fail(lastError);
        }
      });
      // Later connects are reconnects: MQTT.js resubscribes by itself.
      client.once("connect", () => {
        connected = true;
        client.subscribe([...filters], { qos }, (error, granted) => {
          const refused = granted?.find((grant) => grant.qos === 128);
          if (error !== null && error !== undefined) {
            fail(classifyError(error, target.protocolVersion));
          } else if (refused !== undefined) {
            // MQTT-3.9.3: 0x80 in SUBACK means the subscription was refused.
            fail({
              category: "notAuthorized",
              message: `probe subscription to ${refused.topic} refused`,
            });
          } else if (!settled) {
            settled = true;
            clearTimeout(timer);
            resolve();
          }
        });
      });
      client.connect();
    });
  }

  #onMessage(payload: Uint8Array): void {
    const envelope = decodeEnvelope(payload);
    if (envelope === null) {
      this.foreign++;
      return;
    }
    const observation = this.ledger.observe(envelope.sensorId, envelope.seq);
    const metrics = this.#options.metrics;
    if (observation === "duplicate") {
      metrics.messages.duplicates++;
      return;
    }
    if (observation === "reordered") metrics.messages.reordered++;
    metrics.messages.received++;
    metrics.recordE2e((this.#options.epochNowMs() - envelope.ts) * 1000);
  }
}

/** The probe could not connect or subscribe; carries the classified reason. */
export class ProbeError extends Error {
  /** Why. */
  readonly reason: ClassifiedError;

  /** Wraps a classified reason. */
  constructor(reason: ClassifiedError) {
    super(`probe: ${reason.message}`);
    this.name = "ProbeError";
    this.reason = reason;
  }
}
