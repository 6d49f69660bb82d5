/**
 * Where in its period each sensor sends. A fleet's sensors are spread evenly over one
 * interval (sensor `j` of `n` at `j / n` of it, the whole fleet turned by an offset the
 * seed gives), on a grid fixed at the start of the run: a sensor that connects late
 * joins its own place on the grid instead of starting its period at its CONNACK. So
 * the offered load in the hold is steady whatever the ramp-up was (a ramp that lasts
 * no whole number of intervals used to bunch the sends into 2x bursts).
 *
 * @module
 */

/**
 * The phase of sensor `fleetIndex` of a fleet of `fleetSize`, as a fraction of its
 * period in [0, 1): evenly spread, turned by `offset` (in [0, 1)).
 */
export function phaseFraction(fleetIndex: number, fleetSize: number, offset: number): number {
  const fraction = fleetIndex / fleetSize + offset;
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
