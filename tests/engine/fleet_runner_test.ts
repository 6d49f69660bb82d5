/**
 * FleetRunner on a manual clock, its sensors connected through in-memory streams to an
 * aedes broker on this thread: no sockets, no sleeping (only turns of the event loop
 * for the streams), so the schedule can be checked to the millisecond.
 *
 * @module
 */
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { type AedesServer, startAedesServer } from "../../lib/broker/aedes_server.ts";
import { applyOverrides } from "../../lib/config/apply_overrides.ts";
import { DEFAULT_SCENARIO, type Scenario } from "../../lib/config/scenario.ts";
import { parseScenarioText } from "../../lib/config/scenario_file.ts";
import { ManualClock } from "../../lib/engine/clock.ts";
import { FleetRunner } from "../../lib/engine/fleet_runner.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";
import { inMemoryTarget } from "../helpers/in_memory_target.ts";

async function settle(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
}

function scenarioOf(values: Record<string, string>): Scenario {
  return applyOverrides(DEFAULT_SCENARIO, [{
    source: "flag",
    values: { url: "mqtt://127.0.0.1:1883", "protocol-version": "4", ...values },
  }]);
}

interface Harness extends AsyncDisposable {
  readonly runner: FleetRunner;
  readonly metrics: RunMetrics;
  readonly clock: ManualClock;
  /** Moves the clock `totalMs` on in `stepMs` steps, letting the streams run after each. */
  advance(totalMs: number, stepMs?: number): Promise<void>;
}

async function harness(scenario: Scenario): Promise<Harness> {
  const broker: AedesServer = await startAedesServer("127.0.0.1", 0);
  const clock = new ManualClock();
  const metrics = new RunMetrics(10, scenario.fleets.length);
  const target = inMemoryTarget(broker);
  const runner = new FleetRunner({
    scenario,
    target,
    metrics,
    clock,
    toEpochMs: (clockMs) => Date.UTC(2030, 0, 1) + clockMs,
    random: () => 0.5,
    runId: "0a1b2c3d",
  });
  const advance = async (totalMs: number, stepMs = 10) => {
    for (let elapsedMs = 0; elapsedMs < totalMs; elapsedMs += stepMs) {
      clock.advanceMs(stepMs);
      await settle();
    }
  };
  return {
    runner,
    metrics,
    clock,
    advance,
    [Symbol.asyncDispose]: async () => {
      const disconnected = runner.disconnect(100);
      await advance(200);
      await disconnected;
      await broker.close();
      // MQTT.js closes its stores on a 0 ms timer of its own.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

Deno.test("FleetRunner connects every sensor and sends each on its grid, exactly on time", async () => {
  await using fleet = await harness(scenarioOf({ sensors: "10", interval: "1s" }));
  fleet.runner.start();
  await fleet.advance(100);
  assert.equal(fleet.runner.settledCount, 10);
  assert.equal(fleet.metrics.connections.connected, 10);
  assert.equal(fleet.runner.phase, "running");
  await fleet.advance(3_000);
  // Ten sensors every second over three seconds, each on its own phase: 30 sends, give
  // or take the ones whose phase falls in the first 100 ms or the last step.
  const { scheduled, sent, offlineDropped, backpressured } = fleet.metrics.messages;
  assert.ok(sent >= 28 && sent <= 32, `sent ${sent}`);
  assert.equal(scheduled, sent + offlineDropped + backpressured);
  assert.deepEqual(fleet.metrics.fleets[0].messages.sent, sent);
  // The wheel's slots are 2 ms: no send is later than one slot plus one clock step.
  assert.ok(fleet.metrics.histograms.lateness.statsMs().max <= 12, "on time");
});

Deno.test("FleetRunner holds every connect back while asked (the probe is away), then lets them go", async () => {
  await using fleet = await harness(scenarioOf({ sensors: "4", interval: "500ms" }));
  fleet.runner.holdConnects(true);
  fleet.runner.start();
  await fleet.advance(2_000, 50);
  // Held at the gate, no sensor has tried yet: nothing is due, nothing is failed.
  assert.equal(fleet.runner.settledCount, 0);
  assert.equal(fleet.metrics.messages.scheduled, 0);
  fleet.runner.holdConnects(false);
  await fleet.advance(3_000, 50);
  assert.equal(fleet.metrics.connections.connected, 4);
  assert.ok(fleet.metrics.messages.sent > 0);
});

function scenarioFromFile(yaml: string): Scenario {
  return parseScenarioText(
    `broker: { url: "mqtt://127.0.0.1:1883", protocolVersion: 4 }\n${yaml}`,
    "t.yaml",
    {},
  );
}

Deno.test("FleetRunner follows the stage plan: connects up to a stage's target, lets go below it", async () => {
  await using fleet = await harness(scenarioFromFile(
    "fleets: [{ count: 10, interval: 1s }]\n" +
      "stages: [{ duration: 1s, target: 10 }, { duration: 1s, target: 10 }, { duration: 1s, target: 4 }]",
  ));
  fleet.runner.start();
  await fleet.advance(1_500, 50);
  assert.equal(fleet.metrics.connections.connected, 10);
  assert.equal(fleet.runner.stage, 2);
  await fleet.advance(1_600, 50);
  assert.equal(fleet.metrics.connections.connected, 4, "a sensor let go is no lost connection");
  assert.equal(fleet.metrics.connections.disconnects, 0);
});

Deno.test("FleetRunner churns: a sensor drops uncleanly with its Poisson chance and comes back", async () => {
  // 3,600 drops per sensor per hour: a chance of 1 - e^-1 (63%) per 1 s check; the
  // injected random of 0.5 makes every sensor drop at the first check.
  await using fleet = await harness(scenarioFromFile(
    "fleets: [{ count: 5, interval: 1s, churn: { perSensorPerHour: 3600, offline: 300ms } }]",
  ));
  fleet.runner.start();
  await fleet.advance(1_050, 50);
  assert.equal(fleet.metrics.connections.churned, 5);
  await fleet.advance(700, 50);
  assert.equal(fleet.metrics.connections.connected, 5, "back after 300 ms offline");
  assert.equal(fleet.metrics.connections.reconnects, 5);
});
