import assert from "node:assert/strict";
import mqtt from "mqtt";
import { fleetArgs } from "../helpers/fault_fixtures.ts";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto, startTestBroker } from "../helpers/test_broker.ts";

Deno.test("iotload run reconciles the ledger: QoS 1 loses nothing and received equals sent", async () => {
  await using broker = await startTestBroker();
  const root = `ledger-${crypto.randomUUID().slice(0, 8)}`;
  const result = await runCli(
    fleetArgs(broker.url, root, [
      "-c",
      "30",
      "-i",
      "200ms",
      "-d",
      "3s",
      "-q",
      "1",
      "--threshold",
      "lost==0",
    ]),
  );
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.messages.lost, 0);
  assert.equal(summary.messages.received, summary.messages.sent);
  assert.equal(summary.ledger.balanced, true);
  assert.deepEqual(summary.thresholds, [{ expression: "lost==0", actual: 0, ok: true }]);
  assert.ok(summary.latencyMs.e2e.count > 0);
});

Deno.test("iotload run counts a forged duplicate and a skipped seq exactly once each, and other runs' messages apart", async () => {
  await using broker = await startTestBroker();
  const root = `forge-${crypto.randomUUID().slice(0, 8)}`;
  const topic = `${root}/3/telemetry`; // 10 sensors: ids 0 to 9
  const forger = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  try {
    let firstReal: Buffer | null = null;
    forger.on("message", (_topic, payload) => firstReal ??= payload);
    await forger.subscribeAsync(topic, { qos: 1 });
    const result = await runCli(
      fleetArgs(broker.url, root, ["-c", "10", "-i", "200ms", "-d", "3s", "-q", "1"]),
      {
        onStderr: {
          text: "running",
          run: () => {
            void (async () => {
              while (firstReal === null) await new Promise((resolve) => setTimeout(resolve, 20));
              // A replay of a real message: one duplicate.
              await forger.publishAsync(topic, firstReal, { qos: 1 });
              // Another device of the same run on the topic skips seq 1: one loss.
              const { run } = JSON.parse(firstReal.toString());
              const forged = (seq: number) =>
                JSON.stringify({ sensorId: "forged", seq, ts: Date.now(), run });
              await forger.publishAsync(topic, forged(0), { qos: 1 });
              await forger.publishAsync(topic, forged(2), { qos: 1 });
              // A message of another run, and one that is not iotload's: foreign.
              const other = JSON.stringify({ sensorId: "3", seq: 0, ts: Date.now(), run: "other" });
              await forger.publishAsync(topic, other, { qos: 1 });
              await forger.publishAsync(topic, "not json", { qos: 1 });
            })();
          },
        },
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.messages.duplicates, 1);
    assert.equal(summary.messages.lost, 1);
    assert.equal(summary.messages.received, summary.messages.sent + 2);
    assert.equal(summary.messages.foreign, 2);
    assert.match(summary.runId, /^[0-9a-f]{8}$/);
    assert.equal(summary.ledger.balanced, false);
  } finally {
    await forger.endAsync();
  }
});

Deno.test("iotload run exits 1 when a threshold fails and the JSON says why", async () => {
  await using broker = await startTestBroker();
  const root = `thr-${crypto.randomUUID().slice(0, 8)}`;
  const result = await runCli(
    fleetArgs(broker.url, root, [
      "-c",
      "10",
      "-i",
      "200ms",
      "-d",
      "2s",
      "--threshold",
      "lost==0",
      "--threshold",
      "e2e.p99<1us",
    ]),
  );
  assert.equal(result.code, 1, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.thresholds.length, 2);
  assert.equal(summary.thresholds[0].ok, true);
  assert.equal(summary.thresholds[1].expression, "e2e.p99<1us");
  assert.equal(summary.thresholds[1].ok, false);
  assert.ok(summary.thresholds[1].actual > 0.001);
});

Deno.test("iotload run shows a broker stall as ack and e2e latency, not as a lower rate", async () => {
  await using broker = await startMosquitto();
  const root = `stall-${crypto.randomUUID().slice(0, 8)}`;
  const stallMs = 2_000;
  let resumeTimer: ReturnType<typeof setTimeout> | undefined;
  const result = await runCli(
    fleetArgs(broker.url, root, [
      "-c",
      "20",
      "-i",
      "100ms",
      "-d",
      "6s",
      "-q",
      "1",
      "--max-inflight",
      "100",
    ]),
    {
      onStderr: {
        text: "running",
        run: () => {
          broker.pause();
          resumeTimer = setTimeout(() => broker.resume(), stallMs);
        },
      },
      timeoutMs: 60_000,
    },
  );
  clearTimeout(resumeTimer);
  broker.resume();
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  const m = summary.messages;
  assert.ok(summary.latencyMs.ack.p99 >= stallMs * 0.9, `ack p99 ${summary.latencyMs.ack.p99}`);
  assert.ok(summary.latencyMs.e2e.p99 >= stallMs * 0.9, `e2e p99 ${summary.latencyMs.e2e.p99}`);
  assert.equal(m.scheduled, m.sent + m.backpressured + m.offlineDropped);
  assert.equal(m.backpressured + m.offlineDropped, 0, "the stall did not silently lower the rate");
  assert.equal(m.acked, m.sent);
});

Deno.test("iotload run --probe-connections 3 shares the subscription and still loses nothing", async () => {
  await using broker = await startTestBroker();
  const root = `share-${crypto.randomUUID().slice(0, 8)}`;
  const result = await runCli(
    fleetArgs(broker.url, root, [
      "-c",
      "30",
      "-i",
      "200ms",
      "-d",
      "3s",
      "-q",
      "1",
      "--probe-connections",
      "3",
    ]),
  );
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.messages.duplicates, 0, "a shared subscription delivers each message once");
  assert.equal(summary.messages.lost, 0);
  assert.equal(summary.messages.received, summary.messages.sent);
});

Deno.test("iotload run with --retain does not count an earlier run's retained messages as its own", async () => {
  await using broker = await startTestBroker();
  const root = `retain-${crypto.randomUUID().slice(0, 8)}`;
  const args = fleetArgs(broker.url, root, [
    "-c",
    "5",
    "-i",
    "200ms",
    "-d",
    "2s",
    "-q",
    "1",
    "--retain",
  ]);
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  const { messages, ledger } = JSON.parse(second.stdout);
  // Each topic still holds the first run's last message, delivered on subscribing.
  assert.equal(messages.foreign, 5, JSON.stringify(messages));
  assert.equal(messages.duplicates, 0, JSON.stringify(messages));
  assert.equal(messages.reordered, 0, JSON.stringify(messages));
  assert.equal(messages.received, messages.sent);
  assert.equal(ledger.balanced, true);
});

Deno.test("iotload run stops with a clear error when the probe's shared subscription delivers nothing", async () => {
  // The embedded broker (aedes) has no shared subscriptions: the probe's marker never
  // comes back, which would otherwise read as 100% loss.
  const result = await runCli(["run", "-c", "5", "-d", "2s", "--probe-connections", "3", "--json"]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(
    result.stderr,
    /^error: the probe's subscription to \$share\/.* delivered nothing: .*may not support shared subscriptions/m,
  );
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.connections.errors.probeUndelivered, 1);
  assert.equal(summary.messages.sent, 0, "no sensor started");
});
