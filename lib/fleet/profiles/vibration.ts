/**
 * The `vibration` device profile: a sensor on an industrial machine's bearing that
 * reports vibration velocity (ISO 10816 style RMS and peak, in mm/s) and the bearing's
 * temperature. Wear raises the vibration slowly until the machine is serviced; now and
 * then a fault (an impact, a loose part) multiplies it for a few readings.
 *
 * @module
 */

import type { DeviceProfile } from "../device_profile.ts";
import { nextInt, nextNormal, nextRandom, type RandomState, seedFor } from "../random.ts";
import { clamp, drawBetween } from "../random_walk.ts";

/**
 * What one sensor remembers between readings; made by `vibrationProfile.createState`,
 * advanced only by `vibrationProfile.nextReadingJson`.
 */
export interface VibrationState extends RandomState {
  /** Time of the previous reading in epoch ms; NaN before the first reading. */
  lastReadingMs: number;
  /** The velocity RMS of this machine when new, in mm/s. */
  baseRmsMmS: number;
  /** What wear has added to the velocity RMS so far, in mm/s. */
  wearMmS: number;
  /** How fast wear adds to the velocity RMS, in mm/s per day. */
  wearMmSPerDay: number;
  /** The wear at which the machine is serviced (wear back to 0), in mm/s. */
  serviceWearMmS: number;
  /** The machine's current load departure from normal, as a natural log of its factor. */
  loadDeviationLog: number;
  /** The crest factor (peak / RMS) this machine shows on average. */
  meanCrestFactor: number;
  /** The bearing temperature the machine settles at when new, in °C. */
  baseTemperatureC: number;
  /** The bearing temperature before noise and rounding, in °C. */
  temperatureC: number;
  /** The chance that a reading starts an anomaly, in [0, 1]. */
  anomalyChancePerReading: number;
  /** Anomalous readings still to come in the current anomaly; 0 when there is none. */
  anomalyReadingsLeft: number;
  /** How many times the normal vibration the current anomaly shows. */
  anomalyFactor: number;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;

// A stream number of its own, so these draws never repeat another per-sensor stream
// seeded from the same run seed and index.
const VIBRATION_STREAM = 0x564942;

// A healthy machine runs at 0.5-2 mm/s; ISO 10816-3 calls about 4.5 mm/s the point to
// act on, so machines are serviced before they get there.
const MIN_RMS_MM_S = 0.1;
const MAX_RMS_MM_S = 50;
const LOAD_DEVIATION_SD_LOG = 0.1;
const MAX_LOAD_DEVIATION_LOG = 0.3;
const LOAD_DEVIATION_TIME_CONSTANT_MS = 10 * MINUTE_MS;
const RMS_NOISE_SD_FRACTION = 0.05;

const MIN_CREST_FACTOR = 1.4;
const MAX_CREST_FACTOR = 3;
const CREST_FACTOR_NOISE_SD = 0.15;

const MIN_TEMPERATURE_C = 40;
const MAX_TEMPERATURE_C = 80;
// Friction warms a worn or heavily loaded bearing, and faults warm it further while
// they last.
const TEMPERATURE_C_PER_WEAR_MM_S = 2;
const TEMPERATURE_C_PER_LOAD_LOG = 20;
const ANOMALY_WARMING_C = 10;
const TEMPERATURE_TIME_CONSTANT_MS = 5 * MINUTE_MS;
const TEMPERATURE_NOISE_SD_C = 0.1;

const MIN_ANOMALY_READINGS = 2;
const MAX_ANOMALY_READINGS = 8;
const MIN_ANOMALY_FACTOR = 3;
const MAX_ANOMALY_FACTOR = 8;

function createVibrationState(runSeed: number, index: number): VibrationState {
  const random: RandomState = { randomState: seedFor(runSeed, index, VIBRATION_STREAM) };
  const baseRmsMmS = drawBetween(random, 0.5, 2);
  const serviceWearMmS = drawBetween(random, 3.5, 4.5) - baseRmsMmS;
  const baseTemperatureC = drawBetween(random, 45, 60);
  const wearMmS = drawBetween(random, 0, serviceWearMmS);
  // One literal with every field in one order, so all states share one hidden class.
  return {
    randomState: random.randomState,
    lastReadingMs: NaN,
    baseRmsMmS,
    wearMmS,
    // From a few weeks to a few months between services.
    wearMmSPerDay: drawBetween(random, 0.02, 0.2),
    serviceWearMmS,
    loadDeviationLog: 0,
    meanCrestFactor: drawBetween(random, 1.6, 2.4),
    baseTemperatureC,
    temperatureC: baseTemperatureC + TEMPERATURE_C_PER_WEAR_MM_S * wearMmS,
    // About one anomaly per 500 to 2,000 readings, evenly on a log scale.
    anomalyChancePerReading: 1 / (500 * Math.pow(4, nextRandom(random))),
    anomalyReadingsLeft: 0,
    anomalyFactor: 1,
  };
}

function nextVibrationReadingJson(state: VibrationState, epochMs: number): string {
  const previousMs = state.lastReadingMs;
  // NaN (no reading yet) compares false, so a first reading has no elapsed time.
  const elapsedMs = epochMs > previousMs ? epochMs - previousMs : 0;
  if (elapsedMs > 0 || Number.isNaN(previousMs)) state.lastReadingMs = epochMs;

  // Anomalies count readings rather than time, so their share of the readings is the
  // same whatever the interval.
  if (
    state.anomalyReadingsLeft === 0 && nextRandom(state) < state.anomalyChancePerReading
  ) {
    state.anomalyReadingsLeft = nextInt(state, MIN_ANOMALY_READINGS, MAX_ANOMALY_READINGS);
    state.anomalyFactor = drawBetween(state, MIN_ANOMALY_FACTOR, MAX_ANOMALY_FACTOR);
  }
  const anomaly = state.anomalyReadingsLeft > 0;
  if (anomaly) state.anomalyReadingsLeft--;

  state.wearMmS += state.wearMmSPerDay * (elapsedMs / DAY_MS);
  if (state.wearMmS >= state.serviceWearMmS) state.wearMmS = 0;

  const keep = Math.exp(-elapsedMs / LOAD_DEVIATION_TIME_CONSTANT_MS);
  state.loadDeviationLog = clamp(
    state.loadDeviationLog * keep +
      LOAD_DEVIATION_SD_LOG * Math.sqrt(1 - keep * keep) * nextNormal(state),
    -MAX_LOAD_DEVIATION_LOG,
    MAX_LOAD_DEVIATION_LOG,
  );
  const rmsMmS = clamp(
    (state.baseRmsMmS + state.wearMmS) * Math.exp(state.loadDeviationLog) *
      (1 + RMS_NOISE_SD_FRACTION * nextNormal(state)) * (anomaly ? state.anomalyFactor : 1),
    MIN_RMS_MM_S,
    MAX_RMS_MM_S,
  );
  const crestFactor = clamp(
    state.meanCrestFactor + CREST_FACTOR_NOISE_SD * nextNormal(state),
    MIN_CREST_FACTOR,
    MAX_CREST_FACTOR,
  );

  const targetTemperatureC = state.baseTemperatureC +
    TEMPERATURE_C_PER_WEAR_MM_S * state.wearMmS +
    TEMPERATURE_C_PER_LOAD_LOG * state.loadDeviationLog + (anomaly ? ANOMALY_WARMING_C : 0);
  const approach = 1 - Math.exp(-elapsedMs / TEMPERATURE_TIME_CONSTANT_MS);
  state.temperatureC += (targetTemperatureC - state.temperatureC) * approach;
  const temperatureC = clamp(
    state.temperatureC + TEMPERATURE_NOISE_SD_C * nextNormal(state),
    MIN_TEMPERATURE_C,
    MAX_TEMPERATURE_C,
  );

  const roundedRmsMmS = Math.round(rmsMmS * 100) / 100;
  return `"rmsMmS":${roundedRmsMmS},"peakMmS":${
    Math.round(roundedRmsMmS * crestFactor * 100) / 100
  },"temperatureC":${Math.round(temperatureC * 10) / 10},"anomaly":${anomaly}`;
}

/**
 * Readings `"rmsMmS":…,"peakMmS":…,"temperatureC":…,"anomaly":…`: vibration velocity
 * RMS and peak in mm/s (2 decimals; RMS 0.1 to 50, about 0.5 to 4.5 outside
 * anomalies; peak 1.4 to 3 times the RMS), bearing temperature in °C (1 decimal, 40 to
 * 80) and whether an anomaly is under way (RMS and peak 3 to 8 times normal).
 */
export const vibrationProfile: DeviceProfile<VibrationState> = Object.freeze({
  name: "vibration",
  createState: createVibrationState,
  nextReadingJson: nextVibrationReadingJson,
});
