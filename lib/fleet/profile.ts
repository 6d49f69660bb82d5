/**
 * The registry of built-in device profiles: maps a {@linkcode ProfileName} to its
 * {@linkcode DeviceProfile}.
 *
 * @module
 */

import type { ProfileName } from "../config/scenario.ts";
import type { DeviceProfile } from "./device_profile.ts";
import { doorProfile } from "./profiles/door.ts";
import { energyMeterProfile } from "./profiles/energy_meter.ts";
import { environmentProfile } from "./profiles/environment.ts";
import { gpsTrackerProfile } from "./profiles/gps_tracker.ts";
import { vibrationProfile } from "./profiles/vibration.ts";

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
