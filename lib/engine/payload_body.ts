import type { SensorIdentity } from "../fleet/identity.ts";
import { type EnvironmentState, nextEnvironmentReading } from "../fleet/telemetry.ts";

/**
 * The identity members every payload carries, as JSON members without braces:
 * `"deviceId":"…","model":"…","firmware":"…"`. Made once per sensor.
 */
export function identityJson(identity: SensorIdentity): string {
  return `"deviceId":${JSON.stringify(identity.deviceId)},"model":${
    JSON.stringify(identity.model)
  },"firmware":${JSON.stringify(identity.firmware)}`;
}

/**
 * Advances a sensor's environment state to `epochMs` and returns the reading as JSON
 * members without braces: `"temperatureC":21.4,"humidityPct":48.1,...`.
 */
export function formatReadingJson(
  state: EnvironmentState,
  epochMs: number,
): string {
  const reading = nextEnvironmentReading(state, epochMs);
  return `"temperatureC":${reading.temperatureC},"humidityPct":${reading.humidityPct},"pressureHpa":${reading.pressureHpa},"batteryPct":${reading.batteryPct}`;
}
