/**
 * Shared steps of the device profiles' simulations: uniform draws, clamping and a
 * mean-reverting random walk, all advancing a per-sensor {@linkcode RandomState} in
 * place.
 *
 * @module
 */

import { nextNormal, nextRandom, type RandomState } from "./random.ts";

/**
 * A uniform number in [`min`, `max`), in the unit of `min` and `max`, advancing `state`
 * by one draw.
 */
export function drawBetween(state: RandomState, min: number, max: number): number {
  return min + (max - min) * nextRandom(state);
}

/**
 * `value` held within [`min`, `max`] (all in one unit, `min` not above `max`); NaN
 * passes through unchanged.
 */
export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/**
 * One step of a mean-reverting (Ornstein–Uhlenbeck) walk with mean 0, exact for any
 * elapsed time, so the spread stays `sdAtRest` however often it is sampled.
 *
 * `value` and `sdAtRest` share a unit, which the result keeps; `elapsedMs` (the time
 * since the previous step, 0 or more) and `timeConstantMs` (the time in which a
 * departure shrinks to 1/e of itself, above 0) are in ms. Advances `state` by four
 * draws.
 */
export function driftTowardZero(
  state: RandomState,
  value: number,
  elapsedMs: number,
  timeConstantMs: number,
  sdAtRest: number,
): number {
  const keep = Math.exp(-elapsedMs / timeConstantMs);
  return value * keep + sdAtRest * Math.sqrt(1 - keep * keep) * nextNormal(state);
}
