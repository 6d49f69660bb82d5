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
  /** Connections to spread the subscription over (a shared subscription when > 1). */
  readonly connections: number;
  /**
   * Subscribe in the run's shared group even with one connection: the shards of a run
   * share it, so the broker delivers each message to one probe; default false.
   */
  readonly shareWithShards?: boolean;
  /** Prefix of the probe's client ids; unique per run. */
  readonly clientIdPrefix: string;
  /** The run's id: messages without it are another run's (counted as `foreign`). */
  readonly runId: string;
  /** Where receptions are recorded (received, duplicates, reordered, e2e latency). */
  readonly metrics: RunMetrics;
  /** The fleet of a sensor id (-1 for none), for the per-fleet counts. */
  readonly fleetOfSensor?: (sensorId: string) => number;
  /** Current time, in ms since the Unix epoch (fractional), on the fleet's time base. */
  readonly epochNowMs: () => number;
  /** Time allowed to connect and subscribe, in ms. */
  readonly connectTimeoutMs: number;
  /**
   * Called, once start() has resolved, each time delivery to the probe stops (a probe
   * connection lost) or resumes (every connection subscribed again).
   */
  readonly onDeliveryChange?: (delivering: boolean) => void;
}

/** How soon a probe connection that was lost tries again, in ms. */
const PROBE_RECONNECT_MS = 250;

/**
 * The subscriber side: receives the fleet's messages, records end-to-end latency from
 * each payload's intended send time, and reconciles per-sensor sequences (received,
 * lost, duplicates, reordered).
 */
export class ProbeSubscriber {
  readonly #options: ProbeOptions;
  readonly #clients: MqttClient[] = [];
  /** Whether each probe connection is subscribed now. */
  readonly #subscribed: boolean[] = [];
  #started = false;
  #delivering = false;
  /** Set while start() waits for its marker message. */
  #markerArrived: (() => void) | null = null;
  /** Per-sensor sequence reconciliation. */
  readonly ledger: SequenceLedger = new SequenceLedger();
  /** Marker messages published to prove the subscription (the broker counts them too). */
  markersSent = 0;

  /** Creates the probe; nothing is opened until start(). */
  constructor(options: ProbeOptions) {
    this.#options = options;
  }

  /**
   * Connects and subscribes every probe connection; rejects with the classified error
   * when one cannot connect or subscribe within the connect timeout (or is refused for
   * {@linkcode PROBE_REFUSED_GIVE_UP_MS}), and with {@linkcode ProbeInterrupted} as soon
   * as `signal` aborts.
   */
  async start(signal?: AbortSignal): Promise<void> {
    const { connections, topicFilters, runId } = this.#options;
    // MQTT-4.8.2: one group per run, so two runs on one broker never share messages.
    const shared = connections > 1 || this.#options.shareWithShards === true;
    const filters = topicFilters.map((filter) =>
      shared ? `$share/iotload-${runId}/${filter}` : filter
    );
    let onAbort = () => {};
    const interrupted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new ProbeInterrupted());
      if (signal?.aborted) onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      await Promise.race([
        Promise.all(
          Array.from({ length: connections }, (_, index) => this.#startOne(index, filters)),
        ),
        interrupted,
      ]);
      await this.#proveDelivery(filters);
      this.#started = true;
      this.#noteDelivery();
    } catch (error) {
      for (const client of this.#clients) client.end(true);
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Disconnects every probe connection (each bounded by `timeoutMs`). */
  async stop(timeoutMs: number): Promise<void> {
    // Closing on purpose is no loss of delivery: the run hears nothing more.
    this.#started = false;
    await Promise.all(this.#clients.map((client) => endClient(client, timeoutMs)));
  }

  #startOne(index: number, filters: readonly string[]): Promise<void> {
    const { target, qos, clientIdPrefix, connectTimeoutMs } = this.#options;
    const client = createMqttClient(target, {
      clientId: `${clientIdPrefix}-${index}`,
      // The probe's client ids are new every run: a kept session would only linger.
      clean: true,
      reconnectPeriodMs: PROBE_RECONNECT_MS,
      // Subscribed here on every connect, so the probe knows when delivery is back.
      resubscribe: false,
    });
    this.#clients.push(client);
    this.#subscribed[index] = false;
    client.on("close", () => {
      this.#subscribed[index] = false;
      this.#noteDelivery();
    });
    client.on("message", (_topic, payload) => this.#onMessage(payload));
    return new Promise((resolve, reject) => {
      let lastError: ClassifiedError | null = null;
      let settled = false;
      let connected = false;
      let refusedSinceMs: number | null = null;
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
        if (client.connected) return;
        if (lastError.category !== "connectRefused") {
          fail(lastError);
          return;
        }
        // A refusal may pass (a broker still starting): retried, but not for long.
        refusedSinceMs ??= Date.now();
        if (Date.now() - refusedSinceMs >= PROBE_REFUSED_GIVE_UP_MS) fail(lastError);
      });
      client.on("connect", () => {
        connected = true;
        client.subscribe([...filters], { qos }, (error, granted) => {
          if (settled && (error === null || error === undefined)) {
            // A reconnect: delivery is back once the subscription is.
            this.#subscribed[index] = true;
            this.#noteDelivery();
            return;
          }
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
            this.#subscribed[index] = true;
            resolve();
          }
        });
      });
      client.connect();
    });
  }

  /**
   * Publishes one marker message on a topic the subscription covers and waits for it to
   * come back: a granted subscription that delivers nothing (a broker without shared
   * subscriptions, a user without read access) would otherwise show as 100% loss.
   */
  async #proveDelivery(filters: readonly string[]): Promise<void> {
    const topic = markerTopicFor(this.#options.topicFilters[0]);
    const { connectTimeoutMs, connections, runId } = this.#options;
    const waitMs = Math.min(connectTimeoutMs, MARKER_WAIT_MS);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let again: ReturnType<typeof setInterval> | undefined;
    const arrived = new Promise<boolean>((resolve) => {
      this.#markerArrived = () => resolve(true);
      timer = setTimeout(() => resolve(false), waitMs);
    });
    // In a group shared with other shards the broker may hand a marker to another
    // shard's probe: any marker of the run proves delivery, and one is sent again until
    // one comes back.
    const marker = JSON.stringify({ iotloadMarker: runId });
    const publishMarker = () => {
      this.markersSent++;
      this.#clients[0].publish(topic, marker, { qos: 1 });
    };
    publishMarker();
    if (this.#options.shareWithShards === true) {
      again = setInterval(publishMarker, MARKER_REPEAT_MS);
    }
    const ok = await arrived;
    clearTimeout(timer);
    clearInterval(again);
    this.#markerArrived = null;
    if (ok) return;
    const shared = connections > 1 || this.#options.shareWithShards === true;
    throw new ProbeError({
      category: "probeUndelivered",
      message: `the probe's subscription to ${
        filters[0]
      } delivered nothing: a marker published on ${topic} did not come back within ${waitMs} ms (${
        shared
          ? "the broker may not support shared subscriptions ($share); try --probe-connections 1"
          : "this user may lack read access to the fleet's topics"
      })`,
    });
  }

  /** Tells the run when delivery stops or resumes (after start() only). */
  #noteDelivery(): void {
    if (!this.#started) return;
    const delivering = this.#subscribed.every((subscribed) => subscribed);
    if (delivering === this.#delivering) return;
    this.#delivering = delivering;
    this.#options.onDeliveryChange?.(delivering);
  }

  #onMessage(payload: Uint8Array): void {
    const envelope = decodeEnvelope(payload);
    if (envelope === null && isMarker(payload, this.#options.runId)) {
      // Markers of this run (another shard's too) are no telemetry.
      this.#markerArrived?.();
      return;
    }
    if (envelope === null || envelope.run !== this.#options.runId) {
      // Retained messages of an earlier run, a second run on the same broker, or not
      // iotload's at all: counted apart, never as this run's.
      this.#options.metrics.messages.foreign++;
      return;
    }
    const observation = this.ledger.observe(envelope.sensorId, envelope.seq);
    const metrics = this.#options.metrics;
    const tally = metrics.fleets[this.#options.fleetOfSensor?.(envelope.sensorId) ?? -1];
    if (observation === "duplicate") {
      metrics.messages.duplicates++;
      if (tally !== undefined) tally.messages.duplicates++;
      return;
    }
    if (observation === "reordered") metrics.messages.reordered++;
    metrics.messages.received++;
    const e2eUs = (this.#options.epochNowMs() - envelope.ts) * 1000;
    metrics.recordE2e(e2eUs);
    if (tally !== undefined) {
      tally.messages.received++;
      tally.histograms.e2e.recordUs(e2eUs);
    }
  }
}

/** How long the probe waits for its marker message to come back, at most, in ms. */
const MARKER_WAIT_MS = 5_000;

/** How often a probe shared with other shards sends its marker again, in ms. */
const MARKER_REPEAT_MS = 250;

/** A concrete topic the filter covers: each `+` and `#` becomes `iotload-probe-marker`. */
export function markerTopicFor(filter: string): string {
  return filter.split("/").map((level) =>
    level === "+" || level === "#" ? "iotload-probe-marker" : level
  )
    .join("/");
}

function isMarker(payload: Uint8Array, runId: string): boolean {
  try {
    const value = JSON.parse(new TextDecoder().decode(payload));
    return typeof value === "object" && value !== null && value.iotloadMarker === runId;
  } catch {
    return false;
  }
}

/** How long the probe retries a refused connection before the run gives up, in ms. */
export const PROBE_REFUSED_GIVE_UP_MS = 3_000;

/** The run was interrupted while the probe was still connecting. */
export class ProbeInterrupted extends Error {
  /** Creates the error. */
  constructor() {
    super("probe: interrupted while connecting");
    this.name = "ProbeInterrupted";
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
