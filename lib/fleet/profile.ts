/**
 * Device profiles: what a sensor's readings look like, and the registry that maps a
 * {@linkcode ProfileName} to its profile.
 *
 * A profile keeps each sensor's memory in a small plain state object (number fields
 * only, one shape per profile) and turns one tick into a JSON fragment with a few
 * random draws and `Math` calls: it runs thousands of times a second per worker.
 *
 * @module
 */

import type { ProfileName } from "../config/scenario.ts";
import { doorProfile } from "./profiles/door.ts";
import { energyMeterProfile } from "./profiles/energy_meter.ts";
import { environmentProfile } from "./profiles/environment.ts";
import { gpsTrackerProfile } from "./profiles/gps_tracker.ts";
import { vibrationProfile } from "./profiles/vibration.ts";

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

const PROFILES: Readonly<Record<ProfileName, DeviceProfile>> = Object.freeze({
  "environment": environmentProfile,
  "gps-tracker": gpsTrackerProfile,
  "energy-meter": energyMeterProfile,
  "vibration": vibrationProfile,
  "door": doorProfile,
});

/** The built-in profile called `name`. */
export function profileFor(name: ProfileName): DeviceProfile {
  return PROFILES[name];
}
