import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";
import {
  assertMessageAccounting,
  delay,
  fleetArgs,
  parseSummary,
  uniqueRoot,
} from "../helpers/fault_fixtures.ts";

const SENSORS = 200;
const DOWNTIME_MS = 3_000;

Deno.test("iotload run reconnects every sensor after a broker restart, with jittered backoff", async () => {
  await using broker = await startMosquitto();
  const root = uniqueRoot("restart");
  let outage: Promise<void> | undefined;
  const result = await runCli(
    fleetArgs(broker.url, root, ["-c", `${SENSORS}`, "-i", "500ms", "-d", "12s", "-q", "1"]),
    {
      onStderr: {
        text: "running",
        run: () => {
          outage = (async () => {
            await broker.kill();
            await delay(DOWNTIME_MS);
            await broker.restart();
          })();
        },
      },
      timeoutMs: 45_000,
    },
  );
  assert.ok(outage !== undefined, `the run never reached "running": ${result.stderr}`);
  await outage;
  assert.equal(result.code, 0, result.stderr);
  const summary = parseSummary(result);
  const { connections, messages } = summary;
  const figures = JSON.stringify({ connections, messages, errorSamples: summary.errorSamples });

  assertMessageAccounting(summary, 1);
  assert.ok(messages.offlineDropped > 0, `sends while offline are counted: ${figures}`);
  assert.ok(connections.disconnects >= SENSORS, `every sensor saw the loss: ${figures}`);

  // The outage shows in the timeline as a trough; the way back up is spread over
  // several seconds by the backoff's full jitter, not one thundering-herd second.
  const connected = summary.timeline.map((point) => point.connected);
  const troughAt = connected.lastIndexOf(Math.min(...connected));
  assert.ok(connected[troughAt] < SENSORS, `the outage shows in the timeline: ${connected}`);
  const rises = connected.slice(troughAt + 1).map((count, i) => count - connected[troughAt + i]);
  const risingSeconds = rises.filter((rise) => rise > 0);
  assert.ok(risingSeconds.length >= 2, `reconnects spread over seconds: ${connected}`);
  assert.ok(
    Math.max(...risingSeconds) < SENSORS,
    `not every sensor came back in the same second: ${connected}`,
  );

  assert.ok(connections.reconnects >= SENSORS, `every sensor reconnected: ${figures}`);
  assert.equal(connections.connected, SENSORS, `the whole fleet is back at the end: ${figures}`);
});

Deno.test("iotload run shows a broker stall as backpressure and ack latency, and still ends on time", async () => {
  await using broker = await startMosquitto();
  const root = uniqueRoot("stall");
  const durationMs = 8_000;
  const stallMs = 3_000;
  let stall: Promise<void> | undefined;
  const started = performance.now();
  const result = await runCli(
    fleetArgs(broker.url, root, [
      "-c",
      "20",
      "-i",
      "100ms",
      "-d",
      `${durationMs}ms`,
      "-q",
      "1",
      "--max-inflight",
      "4",
    ]),
    {
      onStderr: {
        text: "running",
        run: () => {
          stall = (async () => {
            broker.pause();
            try {
              await delay(stallMs);
            } finally {
              broker.resume();
            }
          })();
        },
      },
      timeoutMs: 45_000,
    },
  );
  const wallMs = performance.now() - started;
  assert.ok(stall !== undefined, `the run never reached "running": ${result.stderr}`);
  await stall;
  assert.equal(result.code, 0, result.stderr);
  assert.ok(wallMs < durationMs + 20_000, `the run ended on time: ${Math.round(wallMs)} ms`);
  const summary = parseSummary(result);
  const m = summary.messages;
  const figures = JSON.stringify({ messages: m, ack: summary.latencyMs.ack });
  assert.ok(m.backpressured > 0 || m.failed > 0, `the in-flight window held: ${figures}`);
  assert.ok(summary.latencyMs.ack.p99 >= 2_500, `the stall shows as ack latency: ${figures}`);
  assertMessageAccounting(summary, 1);
});
