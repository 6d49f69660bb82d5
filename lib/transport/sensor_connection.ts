import { backoffDelayMs } from "./backoff.ts";
import { InflightWindow } from "./inflight_window.ts";
import { PubackWatch, QOS2_ANSWERED_WITH_PUBACK } from "./puback_watch.ts";
import { createSensorClient } from "./sensor_client.ts";
import type {
  ConnectionContext,
  DeviceHooks,
  PublishOptions,
  PublishOutcome,
  SensorClient,
} from "./connection_types.ts";
import { type ClassifiedError, classifyPublishError } from "./error_category.ts";

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
  #client: SensorClient | null = null;
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
        this.#settle(token, QOS2_ANSWERED_WITH_PUBACK);
        return;
      }
      this.#settle(
        token,
        error ? classifyPublishError(error, this.#context.target.protocolVersion) : null,
      );
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

  #createClient(): SensorClient {
    return createSensorClient(this.#context, {
      index: this.#index,
      clientId: this.#clientId,
      localAddress: this.#localAddress,
      device: this.#device,
    }, {
      isConnected: () => this.#state === State.Connected,
      connected: () => this.#onConnect(),
      failed: (error) => this.#lastError = error,
      closed: () => this.#onClose(),
    });
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

  /** Settles publish `token`: acknowledged (`failure` null) or failed, and why. */
  #settle(token: number, failure: ClassifiedError | null): void {
    const intendedMs = this.#inflight.settle(token);
    // Already failed by a deadline or a close: a late acknowledgement is not counted twice.
    if (intendedMs === undefined) return;
    if (failure === null) this.#context.events.acked(this.#index, intendedMs);
    else this.#context.events.publishFailed(this.#index, 1, failure.category, failure.message);
    this.#wakeWriter();
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#context.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
