/**
 * Counts PUBLISH packets at the broker: a small subscriber follows Mosquitto's
 * `$SYS/broker/publish/messages/received` (PUBLISH packets only; the all-packet
 * counter `$SYS/broker/messages/received` would also count CONNECT, SUBSCRIBE, PINGREQ
 * and PUBACK). The subscriber itself publishes nothing, so it never adds to the count.
 *
 * Mosquitto 2.0.11 with `sys_interval 1` refreshes `$SYS` every 2 s, not every 1 s (it
 * waits until more than the interval has passed), and only publishes a counter when it
 * changed; `$SYS/broker/uptime` is published on every refresh, first, so it marks them.
 *
 * @module
 */
import mqtt, { type MqttClient } from "mqtt";

/** One refresh of the counter: when it arrived (ms since the Unix epoch) and its value. */
export interface CounterUpdate {
  /** Arrival time, ms since the Unix epoch. */
  readonly atMs: number;
  /** PUBLISH packets the broker has received since it started. */
  readonly count: number;
}

const COUNTER_TOPIC = "$SYS/broker/publish/messages/received";
const UPTIME_TOPIC = "$SYS/broker/uptime";
/** How long to wait for the retained counter after subscribing (ms). */
const FIRST_VALUE_TIMEOUT_MS = 3_000;
/** One refresh publishes every `$SYS` topic at once; this covers the rest of the batch (ms). */
const REFRESH_SETTLE_MS = 250;

/** A subscriber to the broker's `$SYS` PUBLISH counter. */
export class BrokerCounter {
  /** Every counter value received, oldest first (the retained one included). */
  readonly updates: CounterUpdate[] = [];
  readonly #client: MqttClient;
  #lastRefreshMs = 0;
  #onRefresh: (() => void)[] = [];

  private constructor(client: MqttClient) {
    this.#client = client;
    client.on("message", (topic, payload) => {
      const atMs = Date.now();
      if (topic === UPTIME_TOPIC) {
        this.#lastRefreshMs = atMs;
        for (const wake of this.#onRefresh.splice(0)) wake();
        return;
      }
      const count = Number(payload.toString());
      if (Number.isFinite(count)) this.updates.push({ atMs, count });
    });
  }

  /**
   * Connects to `url`, subscribes, and waits up to 3 s for the retained counter; a
   * broker that publishes no such counter leaves {@linkcode latest} null.
   */
  static async open(url: string): Promise<BrokerCounter> {
    const client = await mqtt.connectAsync(url, {
      clientId: `iotload-bench-sys-${crypto.randomUUID().slice(0, 8)}`,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    const counter = new BrokerCounter(client);
    try {
      await client.subscribeAsync([COUNTER_TOPIC, UPTIME_TOPIC], { qos: 0 });
      const deadlineMs = Date.now() + FIRST_VALUE_TIMEOUT_MS;
      while (counter.latest === null && Date.now() < deadlineMs) {
        await sleep(20);
      }
      return counter;
    } catch (error) {
      await counter.close();
      throw error;
    }
  }

  /** The last value received, or null when none was. */
  get latest(): number | null {
    return this.updates.at(-1)?.count ?? null;
  }

  /**
   * The broker's count once nothing more can arrive: waits for a `$SYS` refresh that
   * starts after `quietAtMs` (the publishers are gone by then), and returns its value
   * when it reached `expected`; otherwise waits for further refreshes until one leaves
   * the value unchanged. Null when the broker gave no counter or no refresh came in
   * `timeoutMs`.
   */
  async finalCount(quietAtMs: number, expected: number, timeoutMs: number): Promise<number | null> {
    const deadlineMs = Date.now() + timeoutMs;
    let afterMs = quietAtMs;
    let previous: number | null = null;
    while (Date.now() < deadlineMs) {
      if (!await this.#refreshAfter(afterMs, deadlineMs - Date.now())) return null;
      afterMs = this.#lastRefreshMs;
      await sleep(REFRESH_SETTLE_MS);
      const value = this.latest;
      if (value === null) return null;
      if (value >= expected || value === previous) return value;
      previous = value;
    }
    return null;
  }

  /** Unsubscribes and disconnects. */
  async close(): Promise<void> {
    for (const wake of this.#onRefresh.splice(0)) wake();
    await this.#client.endAsync();
  }

  async #refreshAfter(afterMs: number, timeoutMs: number): Promise<boolean> {
    if (this.#lastRefreshMs > afterMs) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.#onRefresh.push(resolve);
      timer = setTimeout(resolve, Math.max(0, timeoutMs));
    });
    clearTimeout(timer);
    return this.#lastRefreshMs > afterMs;
  }
}

/**
 * Messages per second the broker counted between its first and last refresh within
 * `[fromMs, toMs]`, or null when fewer than two refreshes fall inside.
 */
export function brokerRateBetween(
  updates: readonly CounterUpdate[],
  fromMs: number,
  toMs: number,
): number | null {
  const inside = updates.filter((update) => update.atMs >= fromMs && update.atMs <= toMs);
  if (inside.length < 2) return null;
  const first = inside[0];
  const last = inside[inside.length - 1];
  if (last.atMs === first.atMs) return null;
  return (last.count - first.count) / ((last.atMs - first.atMs) / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
