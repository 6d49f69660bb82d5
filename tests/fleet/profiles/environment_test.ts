import assert from "node:assert/strict";
import {
  createEnvironmentState,
  type EnvironmentReading,
  nextEnvironmentReading,
} from "../../../lib/fleet/profiles/environment.ts";

const START_MS = Date.UTC(2025, 5, 1, 0, 0, 0);
const STEP_MS = 5_000;
const HOUR_MS = 3_600_000;
const STEPS = 10_000;

function readSeries(
  runSeed: number,
  index: number,
  steps = STEPS,
): EnvironmentReading[] {
  const state = createEnvironmentState(runSeed, index);
  return Array.from(
    { length: steps },
    (_, step) => nextEnvironmentReading(state, START_MS + step * STEP_MS),
  );
}

function distinctCount(values: number[]): number {
  return new Set(values).size;
}

Deno.test("nextEnvironmentReading() stays in physical ranges over 10,000 steps", () => {
  for (
    const [runSeed, index] of [[1, 0], [1, 1], [42, 999], [7, 12_345], [-3, 5]]
  ) {
    for (const reading of readSeries(runSeed, index)) {
      const { temperatureC, humidityPct, pressureHpa, batteryPct } = reading;
      assert.ok(
        temperatureC >= -40 && temperatureC <= 85,
        `${temperatureC} °C`,
      );
      assert.ok(humidityPct >= 0 && humidityPct <= 100, `${humidityPct} %`);
      assert.ok(
        pressureHpa >= 950 && pressureHpa <= 1050,
        `${pressureHpa} hPa`,
      );
      assert.ok(batteryPct >= 0 && batteryPct <= 100, `${batteryPct} %`);
    }
  }
});

Deno.test("nextEnvironmentReading() rounds to 2 decimals, battery to 1", () => {
  for (const reading of readSeries(3, 3, 500)) {
    for (
      const value of [
        reading.temperatureC,
        reading.humidityPct,
        reading.pressureHpa,
      ]
    ) {
      assert.equal(Math.round(value * 100) / 100, value);
    }
    assert.equal(Math.round(reading.batteryPct * 10) / 10, reading.batteryPct);
  }
});

Deno.test("nextEnvironmentReading() never raises the battery and drains it over time", () => {
  for (const index of [0, 1, 2, 3]) {
    const series = readSeries(11, index);
    for (let step = 1; step < series.length; step++) {
      assert.ok(series[step].batteryPct <= series[step - 1].batteryPct);
    }
    assert.ok(series.at(-1)!.batteryPct < series[0].batteryPct);
  }
});

Deno.test("nextEnvironmentReading() never raises the battery when time goes backwards", () => {
  const state = createEnvironmentState(5, 5);
  const late = nextEnvironmentReading(state, START_MS + HOUR_MS);
  const early = nextEnvironmentReading(state, START_MS);
  assert.ok(early.batteryPct <= late.batteryPct);
});

Deno.test("nextEnvironmentReading() values vary rather than stay constant", () => {
  const series = readSeries(2, 8);
  assert.ok(distinctCount(series.map((r) => r.temperatureC)) > 100);
  assert.ok(distinctCount(series.map((r) => r.humidityPct)) > 100);
  assert.ok(distinctCount(series.map((r) => r.pressureHpa)) > 100);
  assert.ok(distinctCount(series.map((r) => r.batteryPct)) > 1);
});

Deno.test("nextEnvironmentReading() follows a daily temperature cycle with humidity moving against it", () => {
  // Weather moves any one sensor by degrees, so compare fleet averages: early
  // morning (06:00 UTC) against early afternoon (13:00 UTC).
  const sensors = 200;
  let morningTemperatureC = 0;
  let afternoonTemperatureC = 0;
  let morningHumidityPct = 0;
  let afternoonHumidityPct = 0;
  for (let index = 0; index < sensors; index++) {
    const state = createEnvironmentState(4, index);
    const morning = nextEnvironmentReading(state, START_MS + 6 * HOUR_MS);
    const afternoon = nextEnvironmentReading(state, START_MS + 13 * HOUR_MS);
    morningTemperatureC += morning.temperatureC / sensors;
    afternoonTemperatureC += afternoon.temperatureC / sensors;
    morningHumidityPct += morning.humidityPct / sensors;
    afternoonHumidityPct += afternoon.humidityPct / sensors;
  }
  assert.ok(afternoonTemperatureC - morningTemperatureC > 2);
  assert.ok(morningHumidityPct - afternoonHumidityPct > 6);
});

Deno.test("createEnvironmentState() gives the same readings for the same seed and index", () => {
  assert.deepEqual(readSeries(42, 7, 200), readSeries(42, 7, 200));
  assert.notDeepEqual(readSeries(42, 7, 200), readSeries(42, 8, 200));
  assert.notDeepEqual(readSeries(42, 7, 200), readSeries(43, 7, 200));
});
