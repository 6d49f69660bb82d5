import assert from "node:assert/strict";
import { DEFAULT_FLEET, type FleetSpec } from "../../lib/config/scenario.ts";
import { Churn, CHURN_CHECK_MS } from "../../lib/engine/churn.ts";
import { ManualClock } from "../../lib/engine/clock.ts";
import { createSeedableRandom } from "../../lib/fleet/random.ts";

/** Sensors of two fleets (the first `split` in fleet 0), all connected; drops are logged. */
function sensors(fleets: FleetSpec[], count: number, split: number) {
  const connected = new Array<boolean>(count).fill(true);
  const drops: { index: number; offlineMs: number }[] = [];
  return {
    connected,
    drops,
    fleetOf: Uint16Array.from({ length: count }, (_, index) => index < split ? 0 : 1),
    fleets,
    isConnected: (index: number) => connected[index],
    drop: (index: number, offlineMs: number) => {
      drops.push({ index, offlineMs });
      connected[index] = false;
    },
  };
}

Deno.test("Churn drops connected sensors of a churning fleet at their Poisson rate, and no others", () => {
  const churning = { ...DEFAULT_FLEET, churnPerSensorPerHour: 360, churnOfflineMs: 4_000 };
  const steady = { ...DEFAULT_FLEET, name: "steady" };
  const fleet = sensors([churning, steady], 2_000, 1_000);
  const clock = new ManualClock();
  const random = createSeedableRandom();
  random.seed(7);
  const churn = new Churn(fleet, clock, () => random.next());
  churn.start();
  // 360 per hour is 0.1 per second: over 10 s about one drop per churning sensor,
  // but a dropped sensor stays down here, so the share dropped is 1 - e^-1 ≈ 63%.
  clock.advanceMs(10 * CHURN_CHECK_MS);
  const dropped = fleet.drops.length;
  assert.ok(dropped > 560 && dropped < 700, `${dropped} drops`);
  assert.ok(fleet.drops.every(({ index }) => index < 1_000), "only the churning fleet drops");
  assert.ok(fleet.drops.every(({ offlineMs }) => offlineMs === 4_000));
  churn.stop();
  clock.advanceMs(10 * CHURN_CHECK_MS);
  assert.equal(fleet.drops.length, dropped, "no roll after stop()");
});

Deno.test("Churn skips disconnected sensors and starts no timer when no fleet churns", () => {
  const churning = { ...DEFAULT_FLEET, churnPerSensorPerHour: 3_600 };
  const fleet = sensors([churning, churning], 10, 10);
  fleet.connected.fill(false);
  const random = () => 0;
  new Churn(fleet, new ManualClock(), random).roll();
  assert.deepEqual(fleet.drops, []);
  const quiet = sensors([DEFAULT_FLEET, DEFAULT_FLEET], 10, 5);
  const clock = new ManualClock();
  const churn = new Churn(quiet, clock, random);
  assert.equal(churn.active, false);
  churn.start();
  clock.advanceMs(60_000);
  assert.deepEqual(quiet.drops, []);
});
