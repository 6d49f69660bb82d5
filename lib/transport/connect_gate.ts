/** The time functions the gate needs (structurally the engine's Clock). */
export interface GateClock {
  /** Monotonic time in ms. */
  nowMs(): number;
  /** Runs `callback` after `delayMs`; returns a handle for clearTimer. */
  setTimer(callback: () => void, delayMs: number): number;
  /** Cancels a timer from setTimer. */
  clearTimer(handle: number): void;
}

/** Options of a {@linkcode ConnectGate}. */
export interface ConnectGateOptions {
  /** New connection attempts started per second at most. */
  readonly ratePerSec: number;
  /** Connection attempts in flight (TCP start to CONNACK or failure) at most. */
  readonly concurrency: number;
  /** Time source. */
  readonly clock: GateClock;
}

/**
 * Paces connection attempts: at most `ratePerSec` starts per second and at most
 * `concurrency` in flight, first come first served.
 *
 * Every attempt (first connects and reconnects) goes through one gate, so a broker
 * restart is met by a paced ramp and the broker's listen backlog (Mosquitto: 100) is
 * not overrun.
 */
export class ConnectGate {
  readonly #ratePerSec: number;
  readonly #concurrency: number;
  readonly #clock: GateClock;
  readonly #waiters: Array<{ granted: () => void; deferred?: () => void }> = [];
  #head = 0;
  #inFlight = 0;
  #tokens: number;
  readonly #burst: number;
  #lastRefillMs: number;
  #timer: number | undefined;
  #held = false;

  /** Creates a gate; no timer runs until someone waits. */
  constructor(options: ConnectGateOptions) {
    this.#ratePerSec = options.ratePerSec;
    this.#concurrency = options.concurrency;
    this.#clock = options.clock;
    // A burst of 1% of a second's rate keeps starts smooth without a timer per start.
    this.#burst = Math.max(1, Math.floor(options.ratePerSec / 100));
    this.#tokens = this.#burst;
    this.#lastRefillMs = options.clock.nowMs();
  }

  /** Attempts currently holding a slot. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Attempts waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  /**
   * Calls `onGranted` when the caller may start an attempt; it must call release()
   * after. While the gate is held, `onDeferred` (when given) is called instead, so the
   * caller can wait out a backoff of its own rather than queue for the release.
   */
  acquire(onGranted: () => void, onDeferred?: () => void): void {
    if (this.#held && onDeferred !== undefined) {
      onDeferred();
      return;
    }
    this.#waiters.push({ granted: onGranted, deferred: onDeferred });
    this.#pump();
  }

  /** Frees the slot of a finished attempt (connected or failed). */
  release(): void {
    this.#inFlight--;
    this.#pump();
  }

  /**
   * Holds every waiting and later attempt back (`true`) until called with `false`;
   * attempts already granted go on.
   */
  hold(held: boolean): void {
    this.#held = held;
    if (!held) {
      this.#pump();
      return;
    }
    // Those who can wait elsewhere go back to their backoff; the rest keep their place.
    const waiting = this.#waiters.splice(this.#head);
    this.#waiters.length = 0;
    this.#head = 0;
    for (const waiter of waiting) {
      if (waiter.deferred === undefined) this.#waiters.push(waiter);
    }
    for (const waiter of waiting) waiter.deferred?.();
  }

  /** Drops every waiter and stops the timer (waiters are never called). */
  close(): void {
    this.#waiters.length = 0;
    this.#head = 0;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #pump(): void {
    if (this.#held) return;
    this.#refill();
    while (
      this.waiting > 0 && this.#inFlight < this.#concurrency &&
      this.#tokens >= 1
    ) {
      this.#tokens--;
      this.#inFlight++;
      const { granted } = this.#waiters[this.#head++];
      if (this.#head === this.#waiters.length) {
        this.#waiters.length = 0;
        this.#head = 0;
      }
      granted();
    }
    if (
      this.waiting > 0 && this.#inFlight < this.#concurrency &&
      this.#timer === undefined
    ) {
      const waitMs = Math.max(
        1,
        Math.ceil(((1 - this.#tokens) * 1000) / this.#ratePerSec),
      );
      this.#timer = this.#clock.setTimer(() => {
        this.#timer = undefined;
        this.#pump();
      }, waitMs);
    }
  }

  #refill(): void {
    const nowMs = this.#clock.nowMs();
    const earned = ((nowMs - this.#lastRefillMs) * this.#ratePerSec) / 1000;
    this.#tokens = Math.min(this.#burst, this.#tokens + earned);
    this.#lastRefillMs = nowMs;
  }
}
