/**
 * A connection's QoS 1/2 publishes waiting for their acknowledgement: bounded, with
 * each one's intended send time, so late ones can be failed by a deadline and the
 * rest failed when the connection closes (MQTT.js would leave them pending forever).
 *
 * @module
 */
export class InflightWindow {
  /** Pending publishes: token → intended send time (ms). Made on first use. */
  #pending: Map<number, number> | null = null;
  #nextToken = 0;
  readonly #capacity: number;

  /** A window of at most `capacity` publishes. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Publishes waiting now. */
  get size(): number {
    return this.#pending?.size ?? 0;
  }

  /** Takes a place for a publish intended at `intendedMs`; its token, or null when full. */
  open(intendedMs: number): number | null {
    const pending = this.#pending ??= new Map();
    if (pending.size >= this.#capacity) return null;
    const token = this.#nextToken++;
    pending.set(token, intendedMs);
    return token;
  }

  /**
   * Frees `token`'s place; its intended send time, or undefined when it was already
   * failed (by a deadline or a close), so a late acknowledgement is not counted twice.
   */
  settle(token: number): number | undefined {
    const intendedMs = this.#pending?.get(token);
    if (intendedMs !== undefined) this.#pending!.delete(token);
    return intendedMs;
  }

  /** Fails the publishes intended more than `timeoutMs` before `nowMs`; how many. */
  expire(nowMs: number, timeoutMs: number): number {
    const pending = this.#pending;
    if (pending === null || pending.size === 0) return 0;
    let expired = 0;
    for (const [token, intendedMs] of pending) {
      if (nowMs - intendedMs < timeoutMs) continue;
      pending.delete(token);
      expired++;
    }
    return expired;
  }

  /** Fails every pending publish (the connection closed, or the run ends); how many. */
  takeAll(): number {
    const count = this.size;
    this.#pending?.clear();
    return count;
  }
}
