/**
 * The shape of a device profile: what a sensor's readings look like.
 *
 * A profile keeps each sensor's memory in a small plain state object (number fields
 * only, one shape per profile) and turns one tick into a JSON fragment with a few
 * random draws and `Math` calls: it runs thousands of times a second per worker.
 *
 * @module
 */

import type { ProfileName } from "../config/scenario.ts";

/** How one kind of device produces its readings; `State` is its per-sensor memory. */
export interface DeviceProfile<State = unknown> {
  /** The name scenarios use for this profile. */
  readonly name: ProfileName;
  /** Per-sensor state, reproducible from the run seed and the sensor's global index. */
  createState(runSeed: number, index: number): State;
  /**
   * Advances the state to `epochMs` (ms since the Unix epoch, the send's intended time)
   * and returns the reading as JSON object members without braces, e.g.
   * `"temperatureC":21.43,"humidityPct":48.1`, or null when an event-driven device has
   * nothing to say at this tick (the caller then sends nothing).
   */
  nextReadingJson(state: State, epochMs: number): string | null;
}
