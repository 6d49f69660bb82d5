/** What the scheduler needs from time; injected so tests run without sleeping. */
export interface Clock {
  /** Monotonic time in milliseconds (fractional allowed); only differences are meaningful. */
  nowMs(): number;
  /** Calls `callback` once after `delayMs` milliseconds (0 or less: as soon as possible); returns a handle. */
  setTimer(callback: () => void, delayMs: number): number;
  /** Cancels a timer from {@linkcode Clock.setTimer}; unknown or already-run handles are ignored. */
  clearTimer(handle: number): void;
}

/**
 * The real clock: `performance.now()` milliseconds (monotonic, counted from process
 * start, so not wall-clock time) with `setTimeout`/`clearTimeout` timers.
 */
export const SYSTEM_CLOCK: Clock = {
  nowMs: () => performance.now(),
  // Deno 2.9 returns a Node-style Timeout object; its number value is the id that
  // clearTimeout accepts, which keeps handles plain numbers.
  setTimer: (callback, delayMs) => Number(setTimeout(callback, delayMs)),
  clearTimer: (handle) => clearTimeout(handle),
};

interface ManualTimer {
  dueMs: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to, for tests: time starts at `startMs`
 * (default 0 ms) and {@linkcode ManualClock.advanceMs} runs due timers.
 */
export class ManualClock implements Clock {
  #nowMs: number;
  #nextHandle = 1;
  // Map iteration follows insertion (= handle) order, which breaks due-time ties.
  readonly #timers = new Map<number, ManualTimer>();

  /** Creates a clock reading `startMs` milliseconds (default 0). */
  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  /** Current manual time in milliseconds. */
  nowMs(): number {
    return this.#nowMs;
  }

  /** Schedules `callback` at now + `delayMs` ms (negative or NaN delays count as 0). */
  setTimer(callback: () => void, delayMs: number): number {
    const handle = this.#nextHandle++;
    const dueMs = this.#nowMs + (delayMs > 0 ? delayMs : 0);
    this.#timers.set(handle, { dueMs, callback });
    return handle;
  }

  /** Cancels a pending timer; unknown handles are ignored. */
  clearTimer(handle: number): void {
    this.#timers.delete(handle);
  }

  /**
   * Moves time forward by `ms` milliseconds, running every timer due on the way in
   * due order (ties in the order they were set), with the clock reading each timer's
   * due time while it runs; timers set by those callbacks run too if they fall due
   * within the advance.
   */
  advanceMs(ms: number): void {
    if (!(ms >= 0)) {
      throw new RangeError(
        `advanceMs(): expected a duration >= 0 ms, got ${ms}`,
      );
    }
    const targetMs = this.#nowMs + ms;
    for (;;) {
      let nextHandle = 0;
      let nextDueMs = Infinity;
      for (const [handle, timer] of this.#timers) {
        if (timer.dueMs < nextDueMs) {
          nextHandle = handle;
          nextDueMs = timer.dueMs;
        }
      }
      if (nextDueMs > targetMs) break;
      const timer = this.#timers.get(nextHandle)!;
      this.#timers.delete(nextHandle);
      this.#nowMs = nextDueMs;
      timer.callback();
    }
    this.#nowMs = targetMs;
  }

  /** Number of timers set and neither run nor cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }
}
