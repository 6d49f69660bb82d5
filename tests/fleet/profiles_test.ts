import assert from "node:assert/strict";
import { PROFILE_NAMES, type ProfileName } from "../../lib/config/scenario.ts";
import { profileFor } from "../../lib/fleet/profile.ts";
import { gpsTrackerProfile } from "../../lib/fleet/profiles/gps_tracker.ts";
import {
  createEnvironmentState,
  nextEnvironmentReading,
} from "../../lib/fleet/profiles/environment.ts";

const START_MS = Date.UTC(2025, 5, 1, 0, 0, 0);
const STEP_MS = 5_000;
const HOUR_MS = 3_600_000;
const STEPS = 10_000;
const SENSORS: readonly [runSeed: number, index: number][] = [
  [1, 0],
  [1, 1],
  [42, 999],
  [7, 12_345],
  [-3, 5],
];
const EARTH_RADIUS_KM = 6371.0088;
const MAX_SPEED_KMH = 130;

type Reading = Record<string, unknown>;
type Check = (value: unknown) => boolean;

function between(min: number, max: number): Check {
  return (value) => typeof value === "number" && value >= min && value <= max;
}

function from(min: number, maxExcluded: number): Check {
  return (value) => typeof value === "number" && value >= min && value < maxExcluded;
}

function integerBetween(min: number, max: number): Check {
  return (value) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

const isBoolean: Check = (value) => typeof value === "boolean";

interface Expectation {
  /** Every member's check, in the documented member order. */
  members: Record<string, Check>;
  /** Members that never decrease. */
  rising: string[];
  /** Members that never increase. */
  falling: string[];
}

const EXPECTATIONS: Record<ProfileName, Expectation> = {
  "environment": {
    members: {
      temperatureC: between(-40, 85),
      humidityPct: between(0, 100),
      pressureHpa: between(950, 1050),
      batteryPct: between(0, 100),
    },
    rising: [],
    falling: ["batteryPct"],
  },
  "gps-tracker": {
    members: {
      lat: between(-90, 90),
      lon: from(-180, 180),
      speedKmh: between(0, MAX_SPEED_KMH),
      headingDeg: from(0, 360),
      odometerKm: between(0, Number.MAX_VALUE),
      satellites: integerBetween(4, 14),
      batteryPct: between(0, 100),
    },
    rising: ["odometerKm"],
    falling: ["batteryPct"],
  },
  "energy-meter": {
    members: {
      energyKwh: between(0, Number.MAX_VALUE),
      powerW: between(0, 253 * 63),
      voltageV: between(207, 253),
      currentA: between(0, 63),
      powerFactor: between(0.8, 1),
    },
    rising: ["energyKwh"],
    falling: [],
  },
  "vibration": {
    members: {
      rmsMmS: between(0.1, 50),
      peakMmS: between(0.1, 150),
      temperatureC: between(40, 80),
      anomaly: isBoolean,
    },
    rising: [],
    falling: [],
  },
  "door": {
    members: {
      open: isBoolean,
      changes: integerBetween(1, Number.MAX_SAFE_INTEGER),
      batteryPct: between(0, 100),
    },
    rising: ["changes"],
    falling: ["batteryPct"],
  },
};

/** The raw results of `steps` ticks `STEP_MS` apart, null included. */
function readJsonSeries(
  name: ProfileName,
  runSeed: number,
  index: number,
  steps = STEPS,
): (string | null)[] {
  const profile = profileFor(name);
  const state = profile.createState(runSeed, index);
  return Array.from(
    { length: steps },
    (_, step) => profile.nextReadingJson(state, START_MS + step * STEP_MS),
  );
}

/** The readings of `steps` ticks, parsed; ticks without a reading are left out. */
function readSeries(name: ProfileName, runSeed: number, index: number, steps = STEPS): Reading[] {
  return readJsonSeries(name, runSeed, index, steps)
    .filter((json) => json !== null)
    .map((json) => JSON.parse(`{${json}}`));
}

/** Great-circle distance between two points given in degrees, in km. */
function haversineKm(latA: number, lonA: number, latB: number, lonB: number): number {
  const toRad = Math.PI / 180;
  const dLat = (latB - latA) * toRad;
  const dLon = (lonB - lonA) * toRad;
  const h = Math.sin(dLat / 2) ** 2 +
    Math.cos(latA * toRad) * Math.cos(latB * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

Deno.test("profileFor() returns a profile named after each name in PROFILE_NAMES", () => {
  for (const name of PROFILE_NAMES) {
    const profile = profileFor(name);
    assert.equal(profile.name, name);
    assert.equal(typeof profile.createState, "function");
    assert.equal(typeof profile.nextReadingJson, "function");
  }
});

for (const name of PROFILE_NAMES) {
  const { members, rising, falling } = EXPECTATIONS[name];
  const keys = Object.keys(members);

  Deno.test(`profileFor("${name}") gives the same series for the same seed and index`, () => {
    assert.deepEqual(readJsonSeries(name, 42, 7, 1_000), readJsonSeries(name, 42, 7, 1_000));
    assert.notDeepEqual(readJsonSeries(name, 42, 7, 1_000), readJsonSeries(name, 42, 8, 1_000));
    assert.notDeepEqual(readJsonSeries(name, 42, 7, 1_000), readJsonSeries(name, 43, 7, 1_000));
  });

  Deno.test(`profileFor("${name}") readings parse with exactly the documented members in order`, () => {
    for (const json of readJsonSeries(name, 3, 3, 2_000)) {
      if (json === null) continue;
      assert.deepEqual(Object.keys(JSON.parse(`{${json}}`)), keys, json);
    }
  });

  Deno.test(`profileFor("${name}") readings stay in range over 10,000 steps of 5 s`, () => {
    for (const [runSeed, index] of SENSORS) {
      for (const reading of readSeries(name, runSeed, index)) {
        for (const key of keys) {
          assert.ok(members[key](reading[key]), `${key} ${reading[key]} (${runSeed}/${index})`);
        }
      }
    }
  });

  Deno.test(`profileFor("${name}") counters never decrease and the battery never rises`, () => {
    for (const [runSeed, index] of SENSORS) {
      const series = readSeries(name, runSeed, index);
      for (let step = 1; step < series.length; step++) {
        for (const key of rising) {
          assert.ok((series[step][key] as number) >= (series[step - 1][key] as number), key);
        }
        for (const key of falling) {
          assert.ok((series[step][key] as number) <= (series[step - 1][key] as number), key);
        }
      }
    }
  });

  Deno.test(`profileFor("${name}") moves no counter on a repeated or earlier time`, () => {
    const profile = profileFor(name);
    const state = profile.createState(9, 9);
    const readings: Reading[] = [];
    // Enough ticks for an event-driven device to report a few times.
    for (let step = 0; step < 2_000; step++) {
      const late = START_MS + HOUR_MS + step * STEP_MS;
      for (const epochMs of [late, late, late - HOUR_MS]) {
        const json = profile.nextReadingJson(state, epochMs);
        if (json !== null) readings.push(JSON.parse(`{${json}}`));
      }
    }
    assert.ok(readings.length > 0);
    for (let step = 1; step < readings.length; step++) {
      for (const key of rising) {
        assert.ok((readings[step][key] as number) >= (readings[step - 1][key] as number), key);
      }
      for (const key of falling) {
        assert.ok((readings[step][key] as number) <= (readings[step - 1][key] as number), key);
      }
    }
  });

  Deno.test(`profileFor("${name}") readings vary rather than stay constant`, () => {
    const series = readSeries(name, 2, 8);
    // A battery may not move a whole rounding step in 14 hours; everything else must.
    for (const key of keys.filter((key) => key !== "batteryPct")) {
      assert.ok(new Set(series.map((reading) => reading[key])).size > 1, key);
    }
    const distinct = new Set(series.map((reading) => JSON.stringify(reading))).size;
    assert.ok(distinct > series.length / 2, `${distinct} of ${series.length}`);
  });
}

Deno.test('profileFor("environment") reports what nextEnvironmentReading() reads', () => {
  const state = profileFor("environment").createState(5, 6);
  const reference = createEnvironmentState(5, 6);
  for (let step = 0; step < 100; step++) {
    const epochMs = START_MS + step * STEP_MS;
    const json = profileFor("environment").nextReadingJson(state, epochMs);
    assert.deepEqual(JSON.parse(`{${json}}`), { ...nextEnvironmentReading(reference, epochMs) });
  }
});

Deno.test('profileFor("gps-tracker") never moves farther than 130 km/h allows', () => {
  // Rounding to 5 decimals moves each position by up to about a metre.
  const maxStepKm = (MAX_SPEED_KMH * STEP_MS) / HOUR_MS + 0.005;
  for (const [runSeed, index] of SENSORS) {
    const series = readSeries("gps-tracker", runSeed, index);
    let moved = 0;
    for (let step = 1; step < series.length; step++) {
      const a = series[step - 1];
      const b = series[step];
      const stepKm = haversineKm(
        a.lat as number,
        a.lon as number,
        b.lat as number,
        b.lon as number,
      );
      assert.ok(stepKm <= maxStepKm, `${stepKm} km in one step`);
      if (stepKm > 0) moved++;
    }
    assert.ok(moved > STEPS / 10, `moved in ${moved} steps`);
  }
});

Deno.test('profileFor("gps-tracker") stops now and then, and stays near home', () => {
  for (const [runSeed, index] of SENSORS) {
    const series = readSeries("gps-tracker", runSeed, index);
    const stopped = series.filter((reading) => reading.speedKmh === 0).length;
    assert.ok(stopped > 0 && stopped < STEPS, `stopped in ${stopped} steps`);
    const first = series[0];
    for (const reading of series) {
      const fromStartKm = haversineKm(
        first.lat as number,
        first.lon as number,
        reading.lat as number,
        reading.lon as number,
      );
      assert.ok(fromStartKm < 100, `${fromStartKm} km from the start`);
    }
  }
});

Deno.test('profileFor("gps-tracker") wraps longitude across the antimeridian', () => {
  const state = gpsTrackerProfile.createState(1, 0);
  state.homeLatDeg = state.latDeg = 10;
  state.homeLonDeg = state.lonDeg = 179.999;
  let east = 0;
  let west = 0;
  let previous: Reading | null = null;
  for (let step = 0; step < STEPS; step++) {
    const reading = JSON.parse(
      `{${gpsTrackerProfile.nextReadingJson(state, START_MS + step * STEP_MS)}}`,
    );
    assert.ok(reading.lon >= -180 && reading.lon < 180, `lon ${reading.lon}`);
    if (reading.lon > 0) east++;
    else west++;
    if (previous !== null) {
      const stepKm = haversineKm(
        previous.lat as number,
        previous.lon as number,
        reading.lat,
        reading.lon,
      );
      assert.ok(stepKm <= (MAX_SPEED_KMH * STEP_MS) / HOUR_MS + 0.005, `${stepKm} km`);
    }
    previous = reading;
  }
  assert.ok(east > 0 && west > 0, `${east} east, ${west} west`);
});

Deno.test('profileFor("energy-meter") reports power as V × A × pf and integrates it into energy', () => {
  for (const [runSeed, index] of SENSORS) {
    const series = readSeries("energy-meter", runSeed, index);
    for (let step = 0; step < series.length; step++) {
      const { powerW, voltageV, currentA, powerFactor } = series[step] as Record<string, number>;
      assert.ok(Math.abs(powerW - voltageV * currentA * powerFactor) <= 0.05 + 1e-9, `${powerW} W`);
      if (step === 0) continue;
      const previous = series[step - 1] as Record<string, number>;
      const expectedKwh = ((previous.powerW + powerW) / 2) * (STEP_MS / HOUR_MS) / 1000;
      // Both energies are rounded to the Wh.
      const gainedKwh = (series[step].energyKwh as number) - previous.energyKwh;
      assert.ok(Math.abs(gainedKwh - expectedKwh) <= 0.0011, `${gainedKwh} kWh`);
    }
  }
});

Deno.test('profileFor("energy-meter") draws more current in the evening than at night', () => {
  // Appliances move any one meter a lot, so compare fleet averages.
  const sensors = 200;
  const profile = profileFor("energy-meter");
  let nightCurrentA = 0;
  let eveningCurrentA = 0;
  for (let index = 0; index < sensors; index++) {
    const state = profile.createState(4, index);
    const night = JSON.parse(`{${profile.nextReadingJson(state, START_MS + 3 * HOUR_MS)}}`);
    const evening = JSON.parse(`{${profile.nextReadingJson(state, START_MS + 19 * HOUR_MS)}}`);
    nightCurrentA += night.currentA / sensors;
    eveningCurrentA += evening.currentA / sensors;
  }
  assert.ok(eveningCurrentA > 2 * nightCurrentA, `${eveningCurrentA} A vs ${nightCurrentA} A`);
});

Deno.test('profileFor("vibration") flags rare anomalies that multiply the vibration', () => {
  for (const [runSeed, index] of SENSORS) {
    const series = readSeries("vibration", runSeed, index);
    const anomalous = series.filter((reading) => reading.anomaly === true);
    const normal = series.filter((reading) => reading.anomaly === false);
    const share = anomalous.length / series.length;
    assert.ok(share >= 0.0001 && share <= 0.05, `anomalous share ${share}`);
    const meanRms = (readings: Reading[]) =>
      readings.reduce((sum, reading) => sum + (reading.rmsMmS as number), 0) / readings.length;
    assert.ok(meanRms(anomalous) > 2.5 * meanRms(normal), `${meanRms(anomalous)} mm/s`);
    assert.ok(Math.max(...normal.map((reading) => reading.rmsMmS as number)) < 8);
  }
});

Deno.test('profileFor("vibration") keeps the peak 1.4 to 3 times the RMS', () => {
  for (const reading of readSeries("vibration", 6, 6)) {
    const rmsMmS = reading.rmsMmS as number;
    const peakMmS = reading.peakMmS as number;
    // The peak is rounded to 0.01 mm/s after the crest factor is applied.
    assert.ok(peakMmS >= 1.4 * rmsMmS - 0.005 && peakMmS <= 3 * rmsMmS + 0.005, `${peakMmS}`);
  }
});

Deno.test('profileFor("door") reports on few ticks, one change at a time, alternating', () => {
  for (const [runSeed, index] of SENSORS) {
    const raw = readJsonSeries("door", runSeed, index);
    const reports = raw.filter((json) => json !== null).length;
    assert.ok(reports > 0 && reports < STEPS / 2, `${reports} reports`);
    const series = readSeries("door", runSeed, index);
    for (let step = 1; step < series.length; step++) {
      assert.equal(series[step].open, !series[step - 1].open);
      assert.equal(series[step].changes, (series[step - 1].changes as number) + 1);
    }
    assert.equal(series[0].changes, 1);
  }
});

Deno.test('profileFor("door") reports at most one change after a long silence', () => {
  const profile = profileFor("door");
  const state = profile.createState(8, 8);
  profile.nextReadingJson(state, START_MS);
  const json = profile.nextReadingJson(state, START_MS + 24 * HOUR_MS);
  assert.ok(json !== null);
  assert.equal(JSON.parse(`{${json}}`).changes, 1);
});
