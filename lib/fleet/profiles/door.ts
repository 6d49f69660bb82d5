/**
 * The `door` device profile: an event-driven door contact that reports only when the
 * door opens or closes.
 *
 * Changes follow a self-exciting Poisson process: a door opens at its own base rate
 * and, once open, closes at a much higher one; every change also adds a burst of extra
 * rate that dies away within seconds, so people walking through in a group show up as
 * runs of changes close together.
 *
 * @module
 */

import type { DeviceProfile } from "../device_profile.ts";
import { nextRandom, type RandomState, seedFor } from "../random.ts";
import { drawBetween } from "../random_walk.ts";

/**
 * What one door contact remembers between ticks; made by `doorProfile.createState`,
 * advanced only by `doorProfile.nextReadingJson`.
 */
export interface DoorState extends RandomState {
  /** Time of the previous tick in epoch ms; NaN before the first tick. */
  lastTickMs: number;
  /** 1 while the door is open, 0 while it is closed. */
  doorOpen: number;
  /** Changes reported since the start. */
  changes: number;
  /** How long this door stays closed on average, in ms (bursts aside). */
  meanClosedMs: number;
  /** How long this door stays open on average, in ms (bursts aside). */
  meanOpenMs: number;
  /** The extra rate of changes left from recent ones, in changes per ms. */
  burstRatePerMs: number;
  /** The extra rate each change adds, in changes per ms. */
  burstJumpPerMs: number;
  /** Current battery charge before rounding, in percent. */
  batteryPct: number;
  /** How fast the battery drains while idle, in percent per hour. */
  batteryDrainPctPerHour: number;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

// A stream number of its own, so these draws never repeat another per-sensor stream
// seeded from the same run seed and index.
const DOOR_STREAM = 0x444f52;

const BURST_TIME_CONSTANT_MS = 15 * SECOND_MS;
// Each radio message costs more than hours of sleep: at 0.0005 % a change, a full
// battery lasts about 200,000 changes.
const BATTERY_PCT_PER_CHANGE = 0.0005;

function createDoorState(runSeed: number, index: number): DoorState {
  const random: RandomState = { randomState: seedFor(runSeed, index, DOOR_STREAM) };
  // Evenly on a log scale: from a busy entrance (30 s) to a store room (10 min).
  const meanClosedMs = 30 * SECOND_MS * Math.pow(20, nextRandom(random));
  const meanOpenMs = drawBetween(random, 3, 30) * SECOND_MS;
  // Each change brings on average 0.3 to 0.8 further changes within the burst: below
  // 1, so bursts always end.
  const changesPerBurst = drawBetween(random, 0.3, 0.8);
  const doorOpen = nextRandom(random) < meanOpenMs / (meanOpenMs + meanClosedMs) ? 1 : 0;
  // One literal with every field in one order, so all states share one hidden class.
  return {
    randomState: random.randomState,
    lastTickMs: NaN,
    doorOpen,
    changes: 0,
    meanClosedMs,
    meanOpenMs,
    burstRatePerMs: 0,
    burstJumpPerMs: changesPerBurst / BURST_TIME_CONSTANT_MS,
    batteryPct: drawBetween(random, 50, 100),
    // Three to twelve years on a coin cell, idle.
    batteryDrainPctPerHour: drawBetween(random, 0.001, 0.004),
  };
}

function nextDoorReadingJson(state: DoorState, epochMs: number): string | null {
  const previousMs = state.lastTickMs;
  // NaN (no tick yet) compares false, so a first tick has no elapsed time.
  const elapsedMs = epochMs > previousMs ? epochMs - previousMs : 0;
  if (elapsedMs > 0 || Number.isNaN(previousMs)) state.lastTickMs = epochMs;

  state.batteryPct = Math.max(
    0,
    state.batteryPct - state.batteryDrainPctPerHour * (elapsedMs / HOUR_MS),
  );
  // The changes expected since the last tick: the base rate over the whole gap plus
  // the integral of the burst rate as it decays.
  const keep = Math.exp(-elapsedMs / BURST_TIME_CONSTANT_MS);
  const baseMeanMs = state.doorOpen === 1 ? state.meanOpenMs : state.meanClosedMs;
  const expectedChanges = elapsedMs / baseMeanMs +
    state.burstRatePerMs * BURST_TIME_CONSTANT_MS * (1 - keep);
  state.burstRatePerMs *= keep;
  // Poisson: the chance of no change is exp(-expected). A tick reports at most one.
  if (nextRandom(state) >= 1 - Math.exp(-expectedChanges)) return null;

  state.doorOpen = 1 - state.doorOpen;
  state.changes++;
  state.burstRatePerMs += state.burstJumpPerMs;
  state.batteryPct = Math.max(0, state.batteryPct - BATTERY_PCT_PER_CHANGE);
  return `"open":${state.doorOpen === 1},"changes":${state.changes},"batteryPct":${
    Math.round(state.batteryPct * 10) / 10
  }`;
}

/**
 * Readings `"open":…,"changes":…,"batteryPct":…` on the ticks when the door opened or
 * closed (null on the others): whether it is now open, the changes since the start
 * (each report adds one) and the battery in percent (1 decimal, never rises).
 */
export const doorProfile: DeviceProfile<DoorState> = Object.freeze({
  name: "door",
  createState: createDoorState,
  nextReadingJson: nextDoorReadingJson,
});
