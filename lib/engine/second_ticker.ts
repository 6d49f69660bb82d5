/**
 * The run's one-second beat: a tick each second while the run goes, numbered by whole
 * seconds since the run's start, and one last, partial second when it stops.
 *
 * @module
 */

import type { Clock } from "./clock.ts";

/** Time between two ticks, in ms. */
export const TICK_MS = 1_000;

/** What the ticker calls. */
export interface SecondHandlers {
  /** Each second: `tSec` is the second that just ended, counted from 1. */
  readonly tick: (tSec: number) => void;
  /** Once, at stop(): the part-second since the last tick, numbered like a tick. */
  readonly last: (tSec: number) => void;
}

/**
 * Ticks every {@linkcode TICK_MS} from start() until stop(). A tick's number is the
 * nearest whole second since `originMs`, so a late timer does not skip or repeat a
 * second; the last one rounds up, so it never repeats the tick before it.
 */
export class SecondTicker {
  readonly #clock: Clock;
  readonly #originMs: number;
  readonly #handlers: SecondHandlers;
  #timer: number | undefined;

  /** A ticker on `clock` counting seconds from `originMs` (clock ms). */
  constructor(clock: Clock, originMs: number, handlers: SecondHandlers) {
    this.#clock = clock;
    this.#originMs = originMs;
    this.#handlers = handlers;
  }

  /** Whether it ticks (started and not stopped). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts ticking: the first tick one second from now. */
  start(): void {
    const tick = () => {
      this.#timer = this.#clock.setTimer(tick, TICK_MS);
      this.#handlers.tick(Math.round(this.#elapsedMs() / 1000));
    };
    this.#timer = this.#clock.setTimer(tick, TICK_MS);
  }

  /** Stops ticking and closes the last part-second; only the first call does anything. */
  stop(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#handlers.last(Math.ceil(this.#elapsedMs() / 1000));
  }

  #elapsedMs(): number {
    return this.#clock.nowMs() - this.#originMs;
  }
}
