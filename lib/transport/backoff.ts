/** Exponential backoff with full jitter: how long to wait before reconnect attempt `attempt`. */
export interface BackoffPolicy {
  /** First ceiling, in ms; default 500. */
  readonly baseMs: number;
  /** Largest ceiling, in ms; default 30,000. */
  readonly capMs: number;
}

/** The backoff used for reconnects: 0.5 s doubling up to 30 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({
  baseMs: 500,
  capMs: 30_000,
});

/**
 * Delay in ms before attempt `attempt` (0-based): uniform in
 * `[0, min(cap, base * 2^attempt, max(base, offlineMs)))`.
 *
 * Full jitter spreads a fleet's reconnects over the whole window, so a broker restart
 * does not meet a thundering herd. The window never exceeds the time already spent
 * offline (`offlineMs`), so after an outage every sensor is back within about twice its
 * length instead of sleeping up to the cap. `random` returns a number in [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
  offlineMs: number = Infinity,
): number {
  const ceilingMs = Math.min(
    policy.capMs,
    policy.baseMs * 2 ** Math.min(attempt, 30),
    Math.max(policy.baseMs, offlineMs),
  );
  return Math.floor(random() * ceilingMs);
}
