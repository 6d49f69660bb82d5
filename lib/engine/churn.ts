/**
 * Churn: sensors of a churning fleet drop their connection now and then, at random,
 * and come back after their fleet's offline time.
 *
 * @module
 */

import type { FleetSpec } from "../config/scenario.ts";
import type { Clock } from "./clock.ts";

/** How often churn is rolled for each connected sensor, in ms. */
export const CHURN_CHECK_MS = 1_000;

/** The sensors churn acts on. */
export interface ChurnSensors {
  /** The fleet of each sensor, by index. */
  readonly fleetOf: ArrayLike<number>;
  /** The fleets, by fleet index. */
  readonly fleets: readonly FleetSpec[];
  /** Whether sensor `index` is connected now. */
  isConnected(index: number): boolean;
  /** Drops sensor `index` uncleanly; it reconnects after `offlineMs`. */
  drop(index: number, offlineMs: number): void;
}

/**
 * Rolls, once a second, for each connected sensor of a churning fleet, whether it
 * drops: with the chance its Poisson rate (`churnPerSensorPerHour`) gives for one
 * second, so over an hour a sensor drops that many times on average.
 */
export class Churn {
  readonly #sensors: ChurnSensors;
  readonly #clock: Clock;
  readonly #random: () => number;
  /** Per fleet: the chance a connected sensor drops in one check. */
  readonly #chances: readonly number[];
  #timer: number | undefined;

  /** Churn over `sensors`, timed by `clock`, rolled with `random` (in [0, 1)). */
  constructor(sensors: ChurnSensors, clock: Clock, random: () => number) {
    this.#sensors = sensors;
    this.#clock = clock;
    this.#random = random;
    this.#chances = sensors.fleets.map((fleet) =>
      1 - Math.exp(-(fleet.churnPerSensorPerHour * CHURN_CHECK_MS) / 3_600_000)
    );
  }

  /** Whether any fleet churns at all. */
  get active(): boolean {
    return this.#chances.some((chance) => chance > 0);
  }

  /** Rolls every second from now on, if any fleet churns. */
  start(): void {
    if (!this.active || this.#timer !== undefined) return;
    const roll = () => {
      this.roll();
      this.#timer = this.#clock.setTimer(roll, CHURN_CHECK_MS);
    };
    this.#timer = this.#clock.setTimer(roll, CHURN_CHECK_MS);
  }

  /** Stops rolling. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** One roll over every connected sensor of a churning fleet. */
  roll(): void {
    const sensors = this.#sensors;
    for (let index = 0; index < sensors.fleetOf.length; index++) {
      const fleet = sensors.fleetOf[index];
      const chance = this.#chances[fleet];
      if (chance === 0 || !sensors.isConnected(index)) continue;
      if (this.#random() < chance) sensors.drop(index, sensors.fleets[fleet].churnOfflineMs);
    }
  }
}
