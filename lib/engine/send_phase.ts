/**
 * Where in its period each sensor sends. A fleet's sensors are spread over one interval
 * by the golden-ratio sequence (sensor `j` at `offset + j * 0.618...` of it, modulo 1,
 * the offset given by the seed), on a grid fixed at the start of the run: a sensor
 * that connects late joins its own place on the grid instead of starting its period at
 * its CONNACK. So the offered load in the hold is steady whatever the ramp-up was (a
 * ramp that lasts no whole number of intervals used to bunch the sends into 2x bursts),
 * and because every first `k` sensors of the sequence are spread evenly too, the load
 * grows smoothly while they connect in index order.
 *
 * @module
 */

/** The golden ratio's fractional part: consecutive multiples of it fill [0, 1) evenly. */
const GOLDEN_FRACTION = (Math.sqrt(5) - 1) / 2;

/**
 * The phase of a fleet's sensor number `fleetIndex`, as a fraction of its period in
 * [0, 1): the golden-ratio sequence turned by `offset` (in [0, 1)).
 */
export function phaseFraction(fleetIndex: number, offset: number): number {
  const fraction = offset + fleetIndex * GOLDEN_FRACTION;
  return fraction - Math.floor(fraction);
}

/**
 * The first time at or after `nowMs` on the grid `originMs + phaseMs + k * periodMs`
 * (k a whole number, 0 or more): when a sensor that has just connected sends first.
 */
export function firstDueOnGridMs(
  originMs: number,
  phaseMs: number,
  periodMs: number,
  nowMs: number,
): number {
  const firstMs = originMs + phaseMs;
  if (nowMs <= firstMs) return firstMs;
  return firstMs + Math.ceil((nowMs - firstMs) / periodMs) * periodMs;
}
