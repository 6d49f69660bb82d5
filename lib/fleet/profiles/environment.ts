/**
 * The `environment` device profile: temperature, humidity, pressure and battery
 * readings that drift like a real indoor/outdoor climate sensor.
 *
 * Each sensor keeps a small plain state (ten numbers, its generator included), and a
 * reading costs a few random draws and a few `Math` calls: no faker, no closures.
 *
 * @module
 */

import { nextNormal, type RandomState, seedFor } from "../random.ts";
import { clamp, drawBetween, driftTowardZero } from "../random_walk.ts";
import type { DeviceProfile } from "../device_profile.ts";
/** One environment reading, rounded as a real sensor would report it. */
export interface EnvironmentReading {
  /** Air temperature in °C, 2 decimals, within -40 to 85. */
  temperatureC: number;
  /** Relative humidity in percent, 2 decimals, within 0 to 100. */
  humidityPct: number;
  /** Air pressure in hPa, 2 decimals, within 950 to 1050. */
  pressureHpa: number;
  /** Battery charge in percent, 1 decimal, within 0 to 100; it never rises. */
  batteryPct: number;
}

/**
 * What one sensor remembers between environment readings; made by
 * {@linkcode createEnvironmentState}, advanced only by
 * {@linkcode nextEnvironmentReading}.
 */
export interface EnvironmentState extends RandomState {
  /** Time of the previous reading in epoch ms; NaN before the first reading. */
  lastReadingMs: number;
  /** The temperature the daily cycle swings around, in °C. */
  baseTemperatureC: number;
  /** Half the daily temperature swing, in °C. */
  temperatureAmplitudeC: number;
  /** Time of day (UTC) of the daily temperature peak, in ms since midnight. */
  temperaturePeakMsOfDay: number;
  /** The weather's current departure from the daily cycle, in °C. */
  temperatureDeviationC: number;
  /** Relative humidity at the base temperature, in percent. */
  baseHumidityPct: number;
  /** Current air pressure before rounding, in hPa. */
  pressureHpa: number;
  /** Current battery charge before rounding, in percent. */
  batteryPct: number;
  /** How fast this sensor's battery drains, in percent per hour. */
  batteryDrainPctPerHour: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// A stream number of its own, so these draws never repeat another per-sensor
// stream seeded from the same run seed and index.
const ENVIRONMENT_STREAM = 0x454e56;

// The ranges of a common consumer climate sensor (such as the Bosch BME280), with
// pressure held to what weather does at sea level.
const MIN_TEMPERATURE_C = -40;
const MAX_TEMPERATURE_C = 85;
const MIN_PRESSURE_HPA = 950;
const MAX_PRESSURE_HPA = 1050;

// Weather moves the temperature about 1.5 °C off its daily cycle for hours at a
// time; pressure wanders about 8 hPa around the standard atmosphere over days.
const TEMPERATURE_DEVIATION_SD_C = 1.5;
const TEMPERATURE_DEVIATION_TIME_CONSTANT_MS = 2 * HOUR_MS;
const MEAN_PRESSURE_HPA = 1013.25;
const PRESSURE_SD_HPA = 8;
const PRESSURE_TIME_CONSTANT_MS = DAY_MS;

// At constant moisture, relative humidity falls roughly 3 points for each °C of
// warming around room conditions.
const HUMIDITY_PCT_PER_C = 3;

const TEMPERATURE_NOISE_SD_C = 0.05;
const HUMIDITY_NOISE_SD_PCT = 0.3;

function roundTo2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The environment state of sensor `index` in run `runSeed` (integers): its own
 * climate, pressure and battery, reproducible from the pair.
 */
export function createEnvironmentState(
  runSeed: number,
  index: number,
): EnvironmentState {
  const random: RandomState = {
    randomState: seedFor(runSeed, index, ENVIRONMENT_STREAM),
  };
  const baseTemperatureC = drawBetween(random, 8, 26);
  const temperatureAmplitudeC = drawBetween(random, 1, 6);
  // Mid-afternoon, give or take two hours.
  const temperaturePeakMsOfDay = drawBetween(
    random,
    13 * HOUR_MS,
    17 * HOUR_MS,
  );
  const temperatureDeviationC = TEMPERATURE_DEVIATION_SD_C * nextNormal(random);
  const baseHumidityPct = drawBetween(random, 35, 70);
  const pressureHpa = clamp(
    MEAN_PRESSURE_HPA + PRESSURE_SD_HPA * nextNormal(random),
    MIN_PRESSURE_HPA,
    MAX_PRESSURE_HPA,
  );
  const batteryPct = drawBetween(random, 55, 100);
  // Between about two and nine months from full to empty.
  const batteryDrainPctPerHour = drawBetween(random, 0.015, 0.07);
  // One literal with every field in one order, so all states share one hidden class.
  return {
    randomState: random.randomState,
    lastReadingMs: NaN,
    baseTemperatureC,
    temperatureAmplitudeC,
    temperaturePeakMsOfDay,
    temperatureDeviationC,
    baseHumidityPct,
    pressureHpa,
    batteryPct,
    batteryDrainPctPerHour,
  };
}

/**
 * The reading of a sensor at `nowMs` (epoch ms; the daily cycle follows its UTC time
 * of day), advancing `state` by the time since its previous reading. A first
 * reading, or a time earlier than the previous one, moves nothing but the noise.
 */
export function nextEnvironmentReading(
  state: EnvironmentState,
  nowMs: number,
): EnvironmentReading {
  const previousMs = state.lastReadingMs;
  // NaN (no reading yet) compares false, so a first reading has no elapsed time.
  const elapsedMs = nowMs > previousMs ? nowMs - previousMs : 0;
  if (elapsedMs > 0 || Number.isNaN(previousMs)) state.lastReadingMs = nowMs;

  state.temperatureDeviationC = driftTowardZero(
    state,
    state.temperatureDeviationC,
    elapsedMs,
    TEMPERATURE_DEVIATION_TIME_CONSTANT_MS,
    TEMPERATURE_DEVIATION_SD_C,
  );
  state.pressureHpa = clamp(
    MEAN_PRESSURE_HPA + driftTowardZero(
      state,
      state.pressureHpa - MEAN_PRESSURE_HPA,
      elapsedMs,
      PRESSURE_TIME_CONSTANT_MS,
      PRESSURE_SD_HPA,
    ),
    MIN_PRESSURE_HPA,
    MAX_PRESSURE_HPA,
  );
  state.batteryPct = Math.max(
    0,
    state.batteryPct - state.batteryDrainPctPerHour * (elapsedMs / HOUR_MS),
  );

  const msOfDay = ((nowMs % DAY_MS) + DAY_MS) % DAY_MS;
  const dailyAngle = (2 * Math.PI * (msOfDay - state.temperaturePeakMsOfDay)) /
    DAY_MS;
  const warmingC = state.temperatureAmplitudeC * Math.cos(dailyAngle) +
    state.temperatureDeviationC;
  const temperatureC = state.baseTemperatureC + warmingC +
    TEMPERATURE_NOISE_SD_C * nextNormal(state);
  const humidityPct = state.baseHumidityPct - HUMIDITY_PCT_PER_C * warmingC +
    HUMIDITY_NOISE_SD_PCT * nextNormal(state);

  return {
    temperatureC: roundTo2(
      clamp(temperatureC, MIN_TEMPERATURE_C, MAX_TEMPERATURE_C),
    ),
    humidityPct: roundTo2(clamp(humidityPct, 0, 100)),
    pressureHpa: roundTo2(state.pressureHpa),
    batteryPct: Math.round(state.batteryPct * 10) / 10,
  };
}

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
