/**
 * The `environment` device profile: the climate sensor of `telemetry.ts` (temperature,
 * humidity, pressure, battery) as a {@linkcode DeviceProfile}.
 *
 * @module
 */

import type { DeviceProfile } from "../device_profile.ts";
import {
  createEnvironmentState,
  type EnvironmentState,
  nextEnvironmentReading,
} from "../telemetry.ts";

/**
 * Readings `"temperatureC":…,"humidityPct":…,"pressureHpa":…,"batteryPct":…` in °C
 * (2 decimals), percent (2 decimals), hPa (2 decimals) and percent (1 decimal).
 */
export const environmentProfile: DeviceProfile<EnvironmentState> = Object.freeze({
  name: "environment",
  createState: createEnvironmentState,
  nextReadingJson(state: EnvironmentState, epochMs: number): string {
    const reading = nextEnvironmentReading(state, epochMs);
    return `"temperatureC":${reading.temperatureC},"humidityPct":${reading.humidityPct},"pressureHpa":${reading.pressureHpa},"batteryPct":${reading.batteryPct}`;
  },
});
