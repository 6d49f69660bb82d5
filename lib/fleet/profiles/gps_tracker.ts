/**
 * The `gps-tracker` device profile: a vehicle tracker that drives around its home base
 * in legs (drive for a while, stop for a while), at speeds that change no faster than
 * a car accelerates and brakes, along a heading that turns smoothly.
 *
 * @module
 */

import type { DeviceProfile } from "../device_profile.ts";
import { nextRandom, type RandomState, seedFor } from "../random.ts";
import { clamp, drawBetween, driftTowardZero } from "../random_walk.ts";

/**
 * What one tracker remembers between readings; made by `gpsTrackerProfile.createState`,
 * advanced only by `gpsTrackerProfile.nextReadingJson`.
 */
export interface GpsTrackerState extends RandomState {
  /** Time of the previous reading in epoch ms; NaN before the first reading. */
  lastReadingMs: number;
  /** Latitude of the home base, in degrees (-60 to 60). */
  homeLatDeg: number;
  /** Longitude of the home base, in degrees (-180 to 180). */
  homeLonDeg: number;
  /** Distance from home beyond which the driver heads back, in km. */
  roamRadiusKm: number;
  /** Current latitude before rounding, in degrees. */
  latDeg: number;
  /** Current longitude before rounding, in degrees, within [-180, 180). */
  lonDeg: number;
  /** Current heading before rounding, in degrees clockwise from north, within [0, 360). */
  headingDeg: number;
  /** How fast the road bends, in degrees per second (positive turns right). */
  turnRateDegPerS: number;
  /** Current speed before rounding, in km/h. */
  speedKmh: number;
  /** The speed the driver aims for on the current leg, in km/h. */
  cruiseSpeedKmh: number;
  /** Traffic's current departure from the cruise speed, in km/h. */
  speedDeviationKmh: number;
  /** Driving time left before the next stop, in ms. */
  driveRemainingMs: number;
  /** Standing time left in the current stop, in ms; 0 while driving. */
  stopRemainingMs: number;
  /** This driver's mean driving time between stops, in ms. */
  meanDriveMs: number;
  /** This driver's mean stop length beyond the shortest stop, in ms. */
  meanStopMs: number;
  /** Distance driven before rounding, in km. */
  odometerKm: number;
  /** Satellites in view before rounding. */
  satelliteLevel: number;
  /** The satellites this tracker usually sees (its antenna and sky). */
  typicalSatellites: number;
  /** Current battery charge before rounding, in percent. */
  batteryPct: number;
  /** How fast this tracker's battery drains, in percent per hour. */
  batteryDrainPctPerHour: number;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DEG_TO_RAD = Math.PI / 180;
const RAD_TO_DEG = 180 / Math.PI;

// A stream number of its own, so these draws never repeat another per-sensor stream
// seeded from the same run seed and index.
const GPS_TRACKER_STREAM = 0x475053;

// The mean Earth radius (IUGG): positions move on a sphere of this size.
const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEG = EARTH_RADIUS_KM * DEG_TO_RAD;
// Keeps the east-west step finite at the poles (which trackers never reach: they stay
// within tens of km of a home below 60°).
const MIN_COS_LAT = 0.01;

const MAX_SPEED_KMH = 130;
// A brisk car: 0-100 km/h in about 11 s; braking at about 3.5 m/s².
const MAX_ACCELERATION_KMH_PER_S = 9;
const MAX_DECELERATION_KMH_PER_S = 12.6;
// Road bends are taken at no more than about 2.5 m/s² sideways, so fast legs curve
// gently and slow ones may turn sharply.
const MAX_LATERAL_ACCELERATION_M_PER_S2 = 2.5;
const TURN_RATE_SD_DEG_PER_S = 3;
const TURN_RATE_TIME_CONSTANT_MS = 20 * SECOND_MS;
const SPEED_DEVIATION_SD_KMH = 8;
const SPEED_DEVIATION_TIME_CONSTANT_MS = MINUTE_MS;
// Past its roam radius a driver turns for home, closing the angle within a minute or so.
const HOMING_TIME_CONSTANT_MS = 30 * SECOND_MS;
// Even a short stop (a traffic light) lasts this long.
const MIN_STOP_MS = 10 * SECOND_MS;

const MIN_SATELLITES = 4;
const MAX_SATELLITES = 14;
const SATELLITE_SD = 1.5;
const SATELLITE_TIME_CONSTANT_MS = 2 * MINUTE_MS;

/** An exponentially distributed number with mean `mean`. */
function drawExponential(state: RandomState, mean: number): number {
  return -mean * Math.log(1 - nextRandom(state));
}

/** A cruise speed for a new leg: town streets more often than highways. */
function drawCruiseSpeedKmh(state: RandomState): number {
  const u = nextRandom(state);
  return 25 + 95 * u * u;
}

/** `degrees` wrapped into [-180, 180). */
function wrapSigned(degrees: number): number {
  return degrees - 360 * Math.floor((degrees + 180) / 360);
}

function createGpsTrackerState(runSeed: number, index: number): GpsTrackerState {
  const random: RandomState = { randomState: seedFor(runSeed, index, GPS_TRACKER_STREAM) };
  const homeLatDeg = drawBetween(random, -60, 60);
  const homeLonDeg = drawBetween(random, -180, 180);
  const roamRadiusKm = drawBetween(random, 3, 30);
  // Start somewhere in the home area rather than on the home point itself.
  const startNorthKm = drawBetween(random, -1, 1) * roamRadiusKm * 0.5;
  const startEastKm = drawBetween(random, -1, 1) * roamRadiusKm * 0.5;
  const latDeg = homeLatDeg + startNorthKm / KM_PER_DEG;
  const lonDeg = wrapSigned(
    homeLonDeg + startEastKm / (KM_PER_DEG * Math.cos(homeLatDeg * DEG_TO_RAD)),
  );
  const headingDeg = drawBetween(random, 0, 360);
  // Between about three and thirty minutes of driving between stops, and stops of
  // about half a minute to five minutes.
  const meanDriveMs = drawBetween(random, 3, 30) * MINUTE_MS;
  const meanStopMs = drawBetween(random, 0.3, 5) * MINUTE_MS;
  const cruiseSpeedKmh = drawCruiseSpeedKmh(random);
  // About a third of the fleet starts parked, the rest on the road.
  const parked = nextRandom(random) < 0.3;
  const typicalSatellites = drawBetween(random, 7, 11);
  // One literal with every field in one order, so all states share one hidden class.
  return {
    randomState: random.randomState,
    lastReadingMs: NaN,
    homeLatDeg,
    homeLonDeg,
    roamRadiusKm,
    latDeg,
    lonDeg,
    headingDeg,
    turnRateDegPerS: 0,
    speedKmh: parked ? 0 : cruiseSpeedKmh,
    cruiseSpeedKmh,
    speedDeviationKmh: 0,
    driveRemainingMs: drawExponential(random, meanDriveMs),
    stopRemainingMs: parked ? MIN_STOP_MS + drawExponential(random, meanStopMs) : 0,
    meanDriveMs,
    meanStopMs,
    // A used vehicle: up to 200,000 km already on the clock.
    odometerKm: drawBetween(random, 0, 200_000),
    satelliteLevel: typicalSatellites,
    typicalSatellites,
    batteryPct: drawBetween(random, 60, 100),
    batteryDrainPctPerHour: drawBetween(random, 0.01, 0.05),
  };
}

/** The speed the driver aims for now, in km/h, moving the drive/stop legs on. */
function advanceLegs(state: GpsTrackerState, elapsedMs: number): number {
  if (state.stopRemainingMs > 0) {
    // A stop's clock runs only once the vehicle stands still.
    if (state.speedKmh > 0) return 0;
    state.stopRemainingMs -= elapsedMs;
    if (state.stopRemainingMs > 0) return 0;
    state.stopRemainingMs = 0;
    state.driveRemainingMs = drawExponential(state, state.meanDriveMs);
    state.cruiseSpeedKmh = drawCruiseSpeedKmh(state);
    state.speedDeviationKmh = 0;
  } else {
    state.driveRemainingMs -= elapsedMs;
    if (state.driveRemainingMs <= 0) {
      state.stopRemainingMs = MIN_STOP_MS + drawExponential(state, state.meanStopMs);
      return 0;
    }
  }
  state.speedDeviationKmh = driftTowardZero(
    state,
    state.speedDeviationKmh,
    elapsedMs,
    SPEED_DEVIATION_TIME_CONSTANT_MS,
    SPEED_DEVIATION_SD_KMH,
  );
  return clamp(state.cruiseSpeedKmh + state.speedDeviationKmh, 5, MAX_SPEED_KMH);
}

/** Turns the heading for a step driven at `meanSpeedKmh` (above 0) for `elapsedMs`. */
function steer(state: GpsTrackerState, meanSpeedKmh: number, elapsedMs: number): void {
  const speedMPerS = meanSpeedKmh / 3.6;
  const maxTurnRateDegPerS = (MAX_LATERAL_ACCELERATION_M_PER_S2 / speedMPerS) * RAD_TO_DEG;
  let headingDeg = state.headingDeg +
    clamp(state.turnRateDegPerS, -maxTurnRateDegPerS, maxTurnRateDegPerS) *
      (elapsedMs / SECOND_MS);

  // Flat offsets are accurate enough over a roam radius of tens of km.
  const northKm = (state.homeLatDeg - state.latDeg) * KM_PER_DEG;
  const eastKm = wrapSigned(state.homeLonDeg - state.lonDeg) * KM_PER_DEG *
    Math.cos(state.latDeg * DEG_TO_RAD);
  if (northKm * northKm + eastKm * eastKm > state.roamRadiusKm * state.roamRadiusKm) {
    const homeBearingDeg = Math.atan2(eastKm, northKm) * RAD_TO_DEG;
    headingDeg += wrapSigned(homeBearingDeg - headingDeg) *
      (1 - Math.exp(-elapsedMs / HOMING_TIME_CONSTANT_MS));
  }
  state.headingDeg = headingDeg - 360 * Math.floor(headingDeg / 360);
}

function nextGpsTrackerReadingJson(state: GpsTrackerState, epochMs: number): string {
  const previousMs = state.lastReadingMs;
  // NaN (no reading yet) compares false, so a first reading has no elapsed time.
  const elapsedMs = epochMs > previousMs ? epochMs - previousMs : 0;
  if (elapsedMs > 0 || Number.isNaN(previousMs)) state.lastReadingMs = epochMs;

  const targetSpeedKmh = advanceLegs(state, elapsedMs);
  const elapsedS = elapsedMs / SECOND_MS;
  const startSpeedKmh = state.speedKmh;
  const endSpeedKmh = clamp(
    targetSpeedKmh,
    startSpeedKmh - MAX_DECELERATION_KMH_PER_S * elapsedS,
    startSpeedKmh + MAX_ACCELERATION_KMH_PER_S * elapsedS,
  );
  state.speedKmh = endSpeedKmh < 0 ? 0 : endSpeedKmh;
  // Constant acceleration over the step: the mean speed gives the distance exactly.
  const meanSpeedKmh = (startSpeedKmh + state.speedKmh) / 2;

  state.turnRateDegPerS = driftTowardZero(
    state,
    state.turnRateDegPerS,
    elapsedMs,
    TURN_RATE_TIME_CONSTANT_MS,
    TURN_RATE_SD_DEG_PER_S,
  );
  if (meanSpeedKmh > 0) {
    steer(state, meanSpeedKmh, elapsedMs);
    const distanceKm = meanSpeedKmh * (elapsedMs / HOUR_MS);
    const headingRad = state.headingDeg * DEG_TO_RAD;
    const cosLat = Math.cos(state.latDeg * DEG_TO_RAD);
    state.latDeg = clamp(
      state.latDeg + (distanceKm * Math.cos(headingRad)) / KM_PER_DEG,
      -90,
      90,
    );
    state.lonDeg = wrapSigned(
      state.lonDeg +
        (distanceKm * Math.sin(headingRad)) / (KM_PER_DEG * Math.max(cosLat, MIN_COS_LAT)),
    );
    state.odometerKm += distanceKm;
  }

  state.satelliteLevel = state.typicalSatellites + driftTowardZero(
    state,
    state.satelliteLevel - state.typicalSatellites,
    elapsedMs,
    SATELLITE_TIME_CONSTANT_MS,
    SATELLITE_SD,
  );
  state.batteryPct = Math.max(
    0,
    state.batteryPct - state.batteryDrainPctPerHour * (elapsedMs / HOUR_MS),
  );

  // Rounding can carry a value onto the open end of its range; fold it back.
  let lonDeg = Math.round(state.lonDeg * 1e5) / 1e5;
  if (lonDeg >= 180) lonDeg -= 360;
  let headingDeg = Math.round(state.headingDeg * 10) / 10;
  if (headingDeg >= 360) headingDeg -= 360;
  const satellites = Math.round(clamp(state.satelliteLevel, MIN_SATELLITES, MAX_SATELLITES));
  return `"lat":${Math.round(state.latDeg * 1e5) / 1e5},"lon":${lonDeg},"speedKmh":${
    Math.round(state.speedKmh * 10) / 10
  },"headingDeg":${headingDeg},"odometerKm":${
    Math.round(state.odometerKm * 1000) / 1000
  },"satellites":${satellites},"batteryPct":${Math.round(state.batteryPct * 10) / 10}`;
}

/**
 * Readings `"lat":…,"lon":…,"speedKmh":…,"headingDeg":…,"odometerKm":…,"satellites":…,
 * "batteryPct":…`: position in degrees (5 decimals, about a metre; lat within
 * [-90, 90], lon within [-180, 180)), speed in km/h (1 decimal, 0 to 130), heading in
 * degrees clockwise from north (1 decimal, [0, 360)), odometer in km (3 decimals,
 * never falls), satellites in view (4 to 14) and battery in percent (1 decimal,
 * never rises).
 */
export const gpsTrackerProfile: DeviceProfile<GpsTrackerState> = Object.freeze({
  name: "gps-tracker",
  createState: createGpsTrackerState,
  nextReadingJson: nextGpsTrackerReadingJson,
});
