import type { IClientPublishOptions, MqttClient } from "mqtt";
import { backoffDelayMs, type BackoffPolicy } from "./backoff.ts";
import { type BrokerTarget, createMqttClient } from "./client_factory.ts";
import { InflightWindow } from "./inflight_window.ts";
import { PubackWatch, QosViolation } from "./puback_watch.ts";
import type { ConnectGate, GateClock } from "./connect_gate.ts";
import {
  type ClassifiedError,
  classifyError,
  describeReasonCode,
  type ErrorCategory,
} from "./error_category.ts";

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
}

/** What happened to one publish request. */
export type PublishOutcome = "sent" | "offline" | "backpressured";

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
}

/**
 * How long a connection must stay up before its loss starts the backoff afresh, in ms:
 * one that dies sooner (a broker that accepts and closes at once) keeps backing off.
 */
export const STABLE_CONNECTION_MS = 10_000;

const enum State {
  Idle,
  Waiting,
  Connecting,
  Connected,
  Backoff,
  Stopped,
}

/**
 * One sensor's MQTT connection: connects through the gate, reconnects with backoff and
 * full jitter, publishes without queueing, keeps a bounded window of QoS 1/2 publishes
 * with deadlines, and fails what is pending when the connection closes (MQTT.js would
 * leave it pending forever).
 */
export class SensorConnection {
  readonly #index: number;
  readonly #clientId: string;
  readonly #localAddress: string | undefined;
  readonly #device: DeviceHooks | undefined;
  /** Set by drop(): how long to stay offline before reconnecting, in ms. */
  #dropOfflineMs: number | null = null;
  readonly #context: ConnectionContext;
  #client: MqttClient | null = null;
  #state = State.Idle;
  #attempt = 0;
  #everConnected = false;
  #attemptStartMs = 0;
  #timer: number | undefined;
  #lastError: ClassifiedError | null = null;
  /** Pending QoS 1/2 publishes: token → intended send time (ms). */
  readonly #inflight: InflightWindow;
  /** When the connection was last lost (or first attempted), clock ms. */
  #offlineSinceMs = 0;
  /** When the connection was last up for good (or first attempted): the backoff's start. */
  #backoffSinceMs = 0;
  /** When the last CONNACK arrived, clock ms. */
  #connectedAtMs = 0;
  #writableWaiter: (() => void) | null = null;
  /** Which QoS 2 publishes the broker answered with PUBACK (a protocol violation). */
  readonly #pubacks = new PubackWatch();

  /** Creates the connection object; nothing is opened until start(). */
  constructor(
    index: number,
    clientId: string,
    context: ConnectionContext,
    localAddress?: string,
    device?: DeviceHooks,
  ) {
    this.#index = index;
    this.#clientId = clientId;
    this.#context = context;
    this.#localAddress = localAddress;
    this.#device = device;
    this.#inflight = new InflightWindow(context.maxInflight);
  }

  /** True while the connection has an accepted CONNACK and is open. */
  get isConnected(): boolean {
    return this.#state === State.Connected;
  }

  /** QoS 1/2 publishes waiting for their acknowledgement. */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** Queues a connect attempt at the gate: the first, or the first after stop(). */
  start(): void {
    if (this.#state !== State.Idle && this.#state !== State.Stopped) return;
    this.#attempt = 0;
    this.#offlineSinceMs = this.#context.clock.nowMs();
    this.#backoffSinceMs = this.#offlineSinceMs;
    this.#requestAttempt();
  }

  /**
   * Publishes one message unless the connection is offline or its socket (or in-flight
   * window) is full; nothing is ever queued. `intendedMs` is the scheduled send time.
   */
  publish(
    topic: string,
    payload: string,
    options: PublishOptions,
    intendedMs: number,
  ): PublishOutcome {
    const client = this.#client;
    if (this.#state !== State.Connected || client === null) return "offline";
    if (client.stream.writableNeedDrain) return "backpressured";
    if (options.qos === 0) {
      // No callback: MQTT.js adds a drain listener per QoS 0 callback while the socket is
      // backed up, which grew quadratically and froze the event loop at 200k publishes.
      client.publish(topic, payload, options);
      return "sent";
    }
    const token = this.#inflight.open(intendedMs);
    if (token === null) return "backpressured";
    if (options.qos === 2) this.#pubacks.watch(client);
    client.publish(topic, payload, options, (error, packet) => {
      // MQTT-4.3.3: QoS 2 is acknowledged by PUBREC, then completed by PUBCOMP. A broker
      // that answers with PUBACK (as if QoS 1) broke the protocol: not an acknowledgement.
      const id = (packet as { messageId?: number } | undefined)?.messageId;
      if (options.qos === 2 && this.#pubacks.takePuback(id)) {
        this.#settle(token, new QosViolation());
        return;
      }
      this.#settle(token, error);
    });
    return "sent";
  }

  /**
   * Runs `write` with the socket corked, so the publishes it makes leave in one
   * `writev` instead of one each (flood batches).
   */
  batch(write: () => void): void {
    const stream = this.#client?.stream;
    if (stream === undefined || stream.cork === undefined) {
      write();
      return;
    }
    stream.cork();
    try {
      write();
    } finally {
      stream.uncork();
    }
  }

  /**
   * Calls `callback` once when a publish could succeed again: the socket drained, or a
   * QoS 1/2 acknowledgement freed a window slot. One waiter at a time (a later call
   * replaces it); a closed connection drops the waiter, and the caller starts again on
   * the next connect.
   */
  whenWritable(callback: () => void): void {
    this.#writableWaiter = callback;
    const stream = this.#client?.stream;
    if (stream?.writableNeedDrain) {
      // One drain-or-close listener per connection, never one per message (see above).
      stream.once("drain", () => this.#wakeWriter());
    }
  }

  /**
   * Drops the connection uncleanly (the broker then publishes the last will), stays
   * offline `offlineMs`, then reconnects: churn, as real devices do.
   */
  drop(offlineMs: number): void {
    if (this.#state !== State.Connected) return;
    this.#dropOfflineMs = offlineMs;
    this.#client?.stream.destroy();
  }

  /** Fails QoS 1/2 publishes whose intended time is more than `ackTimeoutMs` before `nowMs`. */
  expireInflight(nowMs: number, ackTimeoutMs: number): void {
    const expired = this.#inflight.expire(nowMs, ackTimeoutMs);
    if (expired > 0) {
      this.#context.events.publishFailed(this.#index, expired, "ackTimeout");
    }
  }

  /**
   * Stops for good: cancels any pending attempt and, when connected, sends DISCONNECT
   * (MQTT-3.14) and resolves once the socket is closed or `timeoutMs` passed.
   * Publishes still pending are left for the caller to count.
   */
  stop(timeoutMs: number): Promise<void> {
    const previous = this.#state;
    this.#state = State.Stopped;
    this.#clearTimer();
    if (previous === State.Connecting) this.#context.gate.release();
    const client = this.#client;
    if (client === null) return Promise.resolve();
    if (previous !== State.Connected) {
      client.end(true);
      return Promise.resolve();
    }
    const status = this.#device?.status;
    if (status !== undefined) {
      // MQTT-3.14.4-3: a clean DISCONNECT discards the will, so say "offline" first.
      client.publish(status.topic(this.#index), status.offline(this.#index), {
        qos: 1,
        retain: true,
      });
    }
    return new Promise((resolve) => {
      const timer = this.#context.clock.setTimer(() => {
        client.end(true);
        resolve();
      }, timeoutMs);
      client.end(false, {}, () => {
        this.#context.clock.clearTimer(timer);
        resolve();
      });
    });
  }

  /** Pending QoS 1/2 publishes are dropped from the window and returned as a count. */
  takeInflight(): number {
    return this.#inflight.takeAll();
  }

  #requestAttempt(): void {
    this.#state = State.Waiting;
    // Held back (the probe is away): another backoff, not a place in the queue, so the
    // fleet does not rush the broker all at once when the gate opens again.
    this.#context.gate.acquire(() => this.#beginAttempt(), () => {
      if (this.#state === State.Waiting) this.#scheduleRetry();
    });
  }

  #beginAttempt(): void {
    if (this.#state !== State.Waiting) {
      this.#context.gate.release();
      return;
    }
    this.#state = State.Connecting;
    this.#lastError = null;
    this.#attemptStartMs = this.#context.clock.nowMs();
    this.#timer = this.#context.clock.setTimer(
      () => this.#onConnectTimeout(),
      this.#context.connectTimeoutMs,
    );
    if (this.#client === null) {
      this.#client = this.#createClient();
      this.#client.connect();
    } else {
      // Fresh stores (or the shared ones): nothing from the lost connection is resent.
      this.#client.reconnect(this.#context.target.sharedStores);
    }
  }

  #createClient(): MqttClient {
    const status = this.#device?.status;
    const commands = this.#device?.commands;
    const client = createMqttClient(this.#context.target, {
      clientId: this.#clientId,
      localAddress: this.#localAddress,
      topicAlias: this.#device?.topicAlias,
      will: status === undefined ? undefined : {
        topic: status.topic(this.#index),
        payload: status.offline(this.#index),
        qos: 1,
        retain: true,
      },
    });
    client.on("connect", () => this.#onConnect());
    if (commands !== undefined) {
      client.on("message", (_topic, payload) => {
        const answer = commands.answer(this.#index, payload);
        if (answer !== null && this.#state === State.Connected) {
          client.publish(answer.topic, answer.payload, { qos: 1 });
        }
      });
    }
    client.on("error", (error) => {
      this.#lastError = classifyError(
        error,
        this.#context.target.protocolVersion,
      );
    });
    client.on("disconnect", (packet) => {
      // MQTT 5 server DISCONNECT (MQTT-3.14.2.1) says why, e.g. 0x8E session taken over.
      if (packet.reasonCode !== undefined && packet.reasonCode !== 0) {
        this.#lastError = describeReasonCode(packet.reasonCode, 5);
      }
    });
    client.on("close", () => this.#onClose());
    return client;
  }

  #onConnect(): void {
    if (this.#state !== State.Connecting) return;
    this.#clearTimer();
    this.#context.gate.release();
    this.#state = State.Connected;
    this.#connectedAtMs = this.#context.clock.nowMs();
    const connectUs = (this.#context.clock.nowMs() - this.#attemptStartMs) *
      1000;
    const isReconnect = this.#everConnected;
    this.#everConnected = true;
    const offlineUs = (this.#context.clock.nowMs() - this.#offlineSinceMs) * 1000;
    const client = this.#client!;
    const device = this.#device;
    if (device?.status !== undefined) {
      // The birth message: retained, so a dashboard subscribing later sees the state.
      client.publish(device.status.topic(this.#index), device.status.online(this.#index), {
        qos: 1,
        retain: true,
      });
    }
    if (device?.commands !== undefined) {
      client.subscribe(device.commands.topic(this.#index), { qos: 1 });
    }
    this.#context.events.connected(this.#index, connectUs, isReconnect, offlineUs);
  }

  #onConnectTimeout(): void {
    this.#timer = undefined;
    if (this.#state !== State.Connecting) return;
    this.#lastError = {
      category: "connectTimeout",
      message: `no CONNACK within ${this.#context.connectTimeoutMs} ms`,
    };
    // Closing the socket leads to #onClose, which counts the failure once.
    this.#client?.stream?.destroy();
  }

  #onClose(): void {
    const events = this.#context.events;
    if (this.#state === State.Connecting) {
      this.#clearTimer();
      this.#context.gate.release();
      // A broker that accepts the socket and drops it before CONNACK (e.g. at
      // max_connections) refused the connection, whether it closed or reset it.
      const refused = this.#lastError === null || this.#lastError.category === "disconnected";
      events.connectFailed(
        this.#index,
        refused
          ? {
            category: "connectRefused",
            message: `connection ${this.#lastError === null ? "closed" : "reset"} before CONNACK`,
          }
          : this.#lastError!,
      );
      this.#scheduleRetry();
    } else if (this.#state === State.Connected) {
      // A flood pump restarts on the next connect; nothing to wake on a dead socket.
      this.#writableWaiter = null;
      const nowMs = this.#context.clock.nowMs();
      this.#offlineSinceMs = nowMs;
      // Only a connection that stayed up resets the backoff: a broker that accepts and
      // closes at once would otherwise be retried at the first, shortest backoff forever.
      if (nowMs - this.#connectedAtMs >= STABLE_CONNECTION_MS) {
        this.#attempt = 0;
        this.#backoffSinceMs = nowMs;
      }
      const pending = this.takeInflight();
      if (pending > 0) {
        events.publishFailed(this.#index, pending, "inflightLost");
      }
      const dropOfflineMs = this.#dropOfflineMs;
      if (dropOfflineMs !== null) {
        this.#dropOfflineMs = null;
        events.churned(this.#index);
        this.#scheduleRetry(dropOfflineMs);
        return;
      }
      events.disconnected(
        this.#index,
        this.#lastError ??
          {
            category: "disconnected",
            message: "connection closed by the broker",
          },
      );
      this.#scheduleRetry();
    }
  }

  /** Waits (backoff with jitter, or `fixedDelayMs` after a churn drop), then reconnects. */
  #scheduleRetry(fixedDelayMs?: number): void {
    this.#state = State.Backoff;
    const delayMs = fixedDelayMs ?? backoffDelayMs(
      this.#attempt++,
      this.#context.backoff,
      this.#context.random,
      this.#context.clock.nowMs() - this.#backoffSinceMs,
    );
    this.#timer = this.#context.clock.setTimer(() => {
      this.#timer = undefined;
      if (this.#state === State.Backoff) this.#requestAttempt();
    }, delayMs);
  }

  #wakeWriter(): void {
    const waiter = this.#writableWaiter;
    this.#writableWaiter = null;
    waiter?.();
  }

  #settle(token: number, error: Error | null | undefined): void {
    const intendedMs = this.#inflight.settle(token);
    // Already failed by a deadline or a close: a late acknowledgement is not counted twice.
    if (intendedMs === undefined) return;
    if (error === undefined || error === null) {
      this.#context.events.acked(this.#index, intendedMs);
    } else {
      // MQTT-3.4.2.1 / 3.5.2.1: a PUBACK or PUBREC reason code of 0x80 or more refuses
      // the message; MQTT.js hands it over as the error's numeric code.
      const reason = error instanceof QosViolation
        ? { category: "protocolViolation" as const, message: error.message }
        : classifyError(error, this.#context.target.protocolVersion);
      const category = error instanceof QosViolation ||
          typeof (error as { code?: unknown }).code === "number"
        ? reason.category
        : "publishFailed";
      this.#context.events.publishFailed(
        this.#index,
        1,
        category,
        error instanceof QosViolation ? reason.message : `publish refused: ${reason.message}`,
      );
    }
    this.#wakeWriter();
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#context.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
