/**
 * The `energy-meter` device profile: a single-phase household meter on a 230 V grid.
 * The current follows a daily load curve (standby, a morning and an evening peak) with
 * appliances switching on and off; the voltage wanders with the grid and sags a little
 * under load; energy is the running integral of the reported power.
 *
 * @module
 */

import type { DeviceProfile } from "../device_profile.ts";
import { nextNormal, type RandomState, seedFor } from "../random.ts";
import { clamp, drawBetween, driftTowardZero } from "../random_walk.ts";

/**
 * What one meter remembers between readings; made by `energyMeterProfile.createState`,
 * advanced only by `energyMeterProfile.nextReadingJson`.
 */
export interface EnergyMeterState extends RandomState {
  /** Time of the previous reading in epoch ms; NaN before the first reading. */
  lastReadingMs: number;
  /** Energy counted so far before rounding, in kWh. */
  energyKwh: number;
  /** The power of the previous reading, in W (0 before the first). */
  lastPowerW: number;
  /** The grid voltage at this meter with no load, in V. */
  nominalVoltageV: number;
  /** The grid's current departure from the nominal voltage, in V. */
  voltageDeviationV: number;
  /** The current drawn around the clock (fridge, standby), in A. */
  baseLoadA: number;
  /** The extra current at the top of the morning peak, in A. */
  morningPeakA: number;
  /** Time of day (UTC) of the morning peak, in ms since midnight. */
  morningPeakMsOfDay: number;
  /** The extra current at the top of the evening peak, in A. */
  eveningPeakA: number;
  /** Time of day (UTC) of the evening peak, in ms since midnight. */
  eveningPeakMsOfDay: number;
  /** Appliances' current departure from the daily curve, as a natural log of its factor. */
  loadDeviationLog: number;
  /** The power factor this household's appliances settle at. */
  meanPowerFactor: number;
  /** The current departure from the mean power factor. */
  powerFactorDeviation: number;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

// A stream number of its own, so these draws never repeat another per-sensor stream
// seeded from the same run seed and index.
const ENERGY_METER_STREAM = 0x454d54;

// EN 50160: 230 V ±10 %.
const MIN_VOLTAGE_V = 207;
const MAX_VOLTAGE_V = 253;
const VOLTAGE_DEVIATION_SD_V = 3;
const VOLTAGE_DEVIATION_TIME_CONSTANT_MS = 20 * MINUTE_MS;
const VOLTAGE_NOISE_SD_V = 0.3;
// The service cable's resistance: the voltage sags this much per ampere drawn.
const LINE_RESISTANCE_OHM = 0.05;

// A 63 A main fuse bounds what a household can draw.
const MIN_CURRENT_A = 0.05;
const MAX_CURRENT_A = 63;
const MORNING_PEAK_WIDTH_MS = 1.5 * HOUR_MS;
const EVENING_PEAK_WIDTH_MS = 2.5 * HOUR_MS;
const LOAD_DEVIATION_SD_LOG = 0.3;
const MAX_LOAD_DEVIATION_LOG = 1;
const LOAD_DEVIATION_TIME_CONSTANT_MS = 10 * MINUTE_MS;
const CURRENT_NOISE_SD_FRACTION = 0.02;

const MIN_POWER_FACTOR = 0.8;
const MAX_POWER_FACTOR = 1;
const POWER_FACTOR_DEVIATION_SD = 0.02;
const POWER_FACTOR_TIME_CONSTANT_MS = 30 * MINUTE_MS;
const POWER_FACTOR_NOISE_SD = 0.003;

/** A bell-shaped daily peak of height 1 at `peakMsOfDay`, wrapping around midnight. */
function dailyPeak(msOfDay: number, peakMsOfDay: number, widthMs: number): number {
  let offsetMs = msOfDay - peakMsOfDay;
  if (offsetMs > DAY_MS / 2) offsetMs -= DAY_MS;
  else if (offsetMs < -DAY_MS / 2) offsetMs += DAY_MS;
  const scaled = offsetMs / widthMs;
  return Math.exp(-0.5 * scaled * scaled);
}

function createEnergyMeterState(runSeed: number, index: number): EnergyMeterState {
  const random: RandomState = { randomState: seedFor(runSeed, index, ENERGY_METER_STREAM) };
  // One literal with every field in one order, so all states share one hidden class.
  return {
    randomState: random.randomState,
    lastReadingMs: NaN,
    // A meter installed some years ago.
    energyKwh: drawBetween(random, 100, 40_000),
    lastPowerW: 0,
    // Near the transformer or at the end of a long feeder.
    nominalVoltageV: drawBetween(random, 225, 236),
    voltageDeviationV: 0,
    baseLoadA: drawBetween(random, 0.3, 3),
    morningPeakA: drawBetween(random, 2, 10),
    morningPeakMsOfDay: drawBetween(random, 6 * HOUR_MS, 9 * HOUR_MS),
    eveningPeakA: drawBetween(random, 4, 15),
    eveningPeakMsOfDay: drawBetween(random, 17 * HOUR_MS, 21 * HOUR_MS),
    loadDeviationLog: 0,
    meanPowerFactor: drawBetween(random, 0.86, 0.97),
    powerFactorDeviation: 0,
  };
}

function nextEnergyMeterReadingJson(state: EnergyMeterState, epochMs: number): string {
  const previousMs = state.lastReadingMs;
  // NaN (no reading yet) compares false, so a first reading has no elapsed time.
  const elapsedMs = epochMs > previousMs ? epochMs - previousMs : 0;
  if (elapsedMs > 0 || Number.isNaN(previousMs)) state.lastReadingMs = epochMs;

  state.loadDeviationLog = clamp(
    driftTowardZero(
      state,
      state.loadDeviationLog,
      elapsedMs,
      LOAD_DEVIATION_TIME_CONSTANT_MS,
      LOAD_DEVIATION_SD_LOG,
    ),
    -MAX_LOAD_DEVIATION_LOG,
    MAX_LOAD_DEVIATION_LOG,
  );
  const msOfDay = ((epochMs % DAY_MS) + DAY_MS) % DAY_MS;
  const dailyLoadA = state.baseLoadA +
    state.morningPeakA * dailyPeak(msOfDay, state.morningPeakMsOfDay, MORNING_PEAK_WIDTH_MS) +
    state.eveningPeakA * dailyPeak(msOfDay, state.eveningPeakMsOfDay, EVENING_PEAK_WIDTH_MS);
  const currentA = clamp(
    dailyLoadA * Math.exp(state.loadDeviationLog) *
      (1 + CURRENT_NOISE_SD_FRACTION * nextNormal(state)),
    MIN_CURRENT_A,
    MAX_CURRENT_A,
  );

  state.voltageDeviationV = driftTowardZero(
    state,
    state.voltageDeviationV,
    elapsedMs,
    VOLTAGE_DEVIATION_TIME_CONSTANT_MS,
    VOLTAGE_DEVIATION_SD_V,
  );
  const voltageV = clamp(
    state.nominalVoltageV + state.voltageDeviationV - LINE_RESISTANCE_OHM * currentA +
      VOLTAGE_NOISE_SD_V * nextNormal(state),
    MIN_VOLTAGE_V,
    MAX_VOLTAGE_V,
  );

  state.powerFactorDeviation = driftTowardZero(
    state,
    state.powerFactorDeviation,
    elapsedMs,
    POWER_FACTOR_TIME_CONSTANT_MS,
    POWER_FACTOR_DEVIATION_SD,
  );
  const powerFactor = clamp(
    state.meanPowerFactor + state.powerFactorDeviation +
      POWER_FACTOR_NOISE_SD * nextNormal(state),
    MIN_POWER_FACTOR,
    MAX_POWER_FACTOR,
  );

  // Power comes from the rounded figures, so a reader's V × A × pf matches it.
  const roundedVoltageV = Math.round(voltageV * 10) / 10;
  const roundedCurrentA = Math.round(currentA * 100) / 100;
  const roundedPowerFactor = Math.round(powerFactor * 1000) / 1000;
  const powerW = Math.round(roundedVoltageV * roundedCurrentA * roundedPowerFactor * 10) / 10;
  // The trapezoid rule: the power is taken to change evenly between two readings.
  state.energyKwh += ((state.lastPowerW + powerW) / 2) * (elapsedMs / HOUR_MS) / 1000;
  state.lastPowerW = powerW;

  return `"energyKwh":${
    Math.round(state.energyKwh * 1000) / 1000
  },"powerW":${powerW},"voltageV":${roundedVoltageV},"currentA":${roundedCurrentA},"powerFactor":${roundedPowerFactor}`;
}

/**
 * Readings `"energyKwh":…,"powerW":…,"voltageV":…,"currentA":…,"powerFactor":…`:
 * energy counted in kWh (3 decimals, never falls), real power in W (1 decimal; the
 * product of the three figures after it), voltage in V (1 decimal, 207 to 253),
 * current in A (2 decimals, 0.05 to 63) and power factor (3 decimals, 0.8 to 1).
 */
export const energyMeterProfile: DeviceProfile<EnergyMeterState> = Object.freeze({
  name: "energy-meter",
  createState: createEnergyMeterState,
  nextReadingJson: nextEnergyMeterReadingJson,
});
