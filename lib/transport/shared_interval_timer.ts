/** The timer pair MQTT.js accepts as `timerVariant` (its keepalive interval). */
export interface IntervalTimer {
  /** Calls `callback` every `everyMs` until cleared; returns a handle. */
  set(callback: () => void, everyMs: number): number;
  /** Stops an interval from set(). */
  clear(handle: number | null | undefined): void;
}

/** How often the shared timer checks what is due, in ms. */
const TICK_MS = 250;

/**
 * One timer for every connection's keepalive interval, instead of one native interval
 * each. MQTT.js clears and re-arms its keepalive interval on every packet it sends, so
 * with thousands of connections this saves a native timer per connection and per
 * publish. Intervals fire on a 250 ms grid (keepalive is counted in seconds).
 */
export function createSharedIntervalTimer(): IntervalTimer {
  const entries = new Map<number, { callback: () => void; everyMs: number; dueMs: number }>();
  let nextHandle = 1;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const tick = () => {
    const nowMs = performance.now();
    for (const entry of entries.values()) {
      if (entry.dueMs > nowMs) continue;
      entry.dueMs += entry.everyMs * Math.max(1, Math.ceil((nowMs - entry.dueMs) / entry.everyMs));
      entry.callback();
    }
  };
  return {
    set(callback, everyMs) {
      const handle = nextHandle++;
      entries.set(handle, { callback, everyMs, dueMs: performance.now() + everyMs });
      if (ticker === undefined) ticker = setInterval(tick, TICK_MS);
      return handle;
    },
    clear(handle) {
      if (handle === null || handle === undefined) return;
      entries.delete(handle);
      if (entries.size === 0 && ticker !== undefined) {
        clearInterval(ticker);
        ticker = undefined;
      }
    },
  };
}
