/**
 * ProbeSubscriber against an aedes broker on this thread, over in-memory streams: what
 * it counts as received, duplicate, reordered and foreign, and what it reports lost.
 *
 * @module
 */
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { startAedesServer } from "../../lib/broker/aedes_server.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";
import { ProbeSubscriber } from "../../lib/probe/probe_subscriber.ts";
import { createMqttClient, endClient } from "../../lib/transport/client_factory.ts";
import { encodeEnvelope } from "../../lib/transport/envelope.ts";
import { inMemoryTarget } from "../helpers/in_memory_target.ts";

const RUN_ID = "0a1b2c3d";

Deno.test("ProbeSubscriber counts its run's messages once each, the rest as foreign, and the gaps as lost", async () => {
  const broker = await startAedesServer("127.0.0.1", 0);
  const target = inMemoryTarget(broker);
  const metrics = new RunMetrics(2, 1);
  const probe = new ProbeSubscriber({
    target,
    topicFilters: ["sensors/+/telemetry"],
    qos: 1,
    connections: 1,
    clientIdPrefix: "probe-test",
    runId: RUN_ID,
    metrics,
    fleetOfSensor: () => 0,
    epochNowMs: () => 1_000_250,
    connectTimeoutMs: 5_000,
  });
  const sender = createMqttClient(target, { clientId: "sender", clean: true });
  try {
    await probe.start();
    await new Promise<void>((resolve) => {
      sender.once("connect", () => resolve());
      sender.connect();
    });
    const send = (sensorId: string, seq: number, runId: string | undefined) =>
      sender.publishAsync(
        `sensors/${sensorId}/telemetry`,
        encodeEnvelope(sensorId, seq, 1_000_000, "", runId),
        { qos: 1 },
      );
    // Sensor 01: 0, 2, 1 (reordered), 2 again (duplicate); 3 never comes.
    for (const seq of [0, 2, 1, 2]) await send("01", seq, RUN_ID);
    // Sensor 02: one message, then one of another run and one with no run at all.
    await send("02", 0, RUN_ID);
    await send("02", 1, "ffffffff");
    await sender.publishAsync("sensors/02/telemetry", "not iotload's", { qos: 1 });
    await waitFor(() => metrics.messages.received + metrics.messages.foreign >= 6);
    await waitFor(() => metrics.messages.duplicates === 1);
    assert.equal(metrics.messages.received, 4);
    assert.equal(metrics.messages.duplicates, 1);
    assert.equal(metrics.messages.reordered, 1);
    assert.equal(metrics.messages.foreign, 2);
    assert.equal(metrics.fleets[0].messages.received, 4);
    // Every message is 250 ms old when it arrives, by the probe's clock.
    assert.equal(metrics.histograms.e2e.count, 4);
    const lost: [string, number][] = [];
    const totals = probe.ledger.totals(
      new Map([["01", 4], ["02", 1]]),
      (sensorId, count) => lost.push([sensorId, count]),
    );
    assert.equal(totals.lost, 1);
    assert.deepEqual(lost, [["01", 1]]);
  } finally {
    await endClient(sender, 1_000);
    await probe.stop(1_000);
    await broker.close();
  }
});

/** Lets the in-memory streams run, a turn of the event loop at a time, until `done()` holds. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    if (turn === 10_000) throw new Error("the probe never got there");
    await new Promise((resolve) => setImmediate(resolve));
  }
}
