/**
 * A staged run's sensors, moved to the stage plan: k6-style stages say how many
 * sensors are connected and how fast they publish at each moment.
 *
 * @module
 */

import type { StageSpec } from "../config/scenario.ts";
import type { Clock } from "./clock.ts";
import { stagePositionAt } from "./stage_plan.ts";

/** How often a staged run checks the stage plan, in ms. */
export const STAGE_CHECK_MS = 100;

/** Relative change of the stage rate factor that re-times the sensors. */
const RATE_STEP = 0.02;

/** The sensors a stage plan moves, indexed from 0 within this process. */
export interface StagedSensors {
  /** Sensors of this process. */
  readonly count: number;
  /** Position of this thread's first sensor among its process's (the plan counts across all). */
  readonly firstIndex: number;
  /** Starts sensor `index` (connects it and lets it publish). */
  start(index: number): void;
  /** Switches sensor `index` off: the plan no longer wants it. */
  stop(index: number): void;
  /** The publish rate as a multiple of each fleet's own, now. */
  readonly rateFactor: number;
  /** Re-times every sensor for a new rate factor. */
  setRateFactor(factor: number): void;
}

/**
 * Follows the stage plan every {@linkcode STAGE_CHECK_MS}: starts sensors in index
 * order up to the plan's target and stops the highest ones above it, and moves the
 * rate factor when it changed by more than 2%.
 */
export class StageFollower {
  readonly #stages: readonly StageSpec[];
  readonly #sensors: StagedSensors;
  readonly #clock: Clock;
  #stage = 0;
  #active = 0;
  #startMs = 0;
  #timer: number | undefined;

  /** A follower of `stages` over `sensors`, timed by `clock`. */
  constructor(stages: readonly StageSpec[], sensors: StagedSensors, clock: Clock) {
    this.#stages = stages;
    this.#sensors = sensors;
    this.#clock = clock;
  }

  /** 1-based number of the current stage; 0 before the first check. */
  get stage(): number {
    return this.#stage;
  }

  /** Sensors started by the plan and not stopped. */
  get active(): number {
    return this.#active;
  }

  /** Follows the plan from now on: the first check at once. */
  start(): void {
    this.#startMs = this.#clock.nowMs();
    const follow = () => {
      this.follow(this.#clock.nowMs() - this.#startMs);
      this.#timer = this.#clock.setTimer(follow, STAGE_CHECK_MS);
    };
    follow();
  }

  /** Stops following; sensors stay as they are. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** Moves the sensors to where the plan is `elapsedMs` after its start. */
  follow(elapsedMs: number): void {
    const { stage, targetSensors, rateFactor } = stagePositionAt(this.#stages, elapsedMs);
    this.#stage = stage;
    const sensors = this.#sensors;
    // A rate change re-times every scheduled sensor; small drifts are not worth it.
    const current = sensors.rateFactor;
    if (Math.abs(rateFactor - current) > current * RATE_STEP) sensors.setRateFactor(rateFactor);
    const wanted = Math.min(Math.max(0, targetSensors - sensors.firstIndex), sensors.count);
    while (this.#active < wanted) sensors.start(this.#active++);
    while (this.#active > wanted) sensors.stop(--this.#active);
  }
}
