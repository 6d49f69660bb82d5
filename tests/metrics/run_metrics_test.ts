import assert from "node:assert/strict";
import { LatencyHistogram } from "../../lib/metrics/histogram.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";

/** p99 in ms the way a timeline point reports it, from a reference histogram. */
function p99Ms(valuesUs: readonly number[]): number {
  const reference = new LatencyHistogram();
  for (const valueUs of valuesUs) reference.recordUs(valueUs);
  return Math.round(reference.percentileUs(99)) / 1000;
}

/** Asserts `actualMs` is `expectedMs` within HDR's 3-significant-digit resolution. */
function assertNearMs(actualMs: number, expectedMs: number): void {
  assert.ok(Math.abs(actualMs - expectedMs) <= expectedMs / 1_000, `${actualMs} vs ${expectedMs}`);
}

Deno.test("RunMetrics starts empty with the target connection count", () => {
  const metrics = new RunMetrics(250);
  assert.deepEqual(metrics.connections, {
    target: 250,
    connected: 0,
    peak: 0,
    attempts: 0,
    attemptsFailed: 0,
    disconnects: 0,
    reconnects: 0,
    churned: 0,
  });
  assert.ok(Object.values(metrics.messages).every((count) => count === 0));
  assert.deepEqual(metrics.errors, {});
  assert.equal(metrics.errorCount, 0);
  assert.deepEqual(metrics.timeline, []);
});

Deno.test("RunMetrics.recordConnected() tracks connected, peak, attempts and reconnects", () => {
  const metrics = new RunMetrics(3);
  metrics.recordConnected(1_500, false);
  metrics.recordConnected(2_500, false);
  metrics.recordConnected(3_500, false);
  assert.equal(metrics.connections.connected, 3);
  assert.equal(metrics.connections.peak, 3);
  assert.equal(metrics.connections.attempts, 3);
  assert.equal(metrics.connections.reconnects, 0);
  assert.equal(metrics.histograms.connect.count, 3);
  assertNearMs(metrics.histograms.connect.statsMs().max, 3.5);

  metrics.recordDisconnected();
  metrics.recordDisconnected();
  assert.equal(metrics.connections.connected, 1);
  assert.equal(metrics.connections.disconnects, 2);
  assert.equal(metrics.connections.peak, 3);

  metrics.recordConnected(900, true);
  assert.equal(metrics.connections.connected, 2);
  assert.equal(metrics.connections.peak, 3, "peak stays at the most ever open");
  assert.equal(metrics.connections.attempts, 4);
  assert.equal(metrics.connections.reconnects, 1);
  assert.equal(metrics.histograms.connect.count, 4);
});

Deno.test("RunMetrics.recordConnectFailed() counts the attempt, the failure and the error", () => {
  const metrics = new RunMetrics(2);
  metrics.recordConnectFailed("connectRefused", "connection refused");
  metrics.recordConnectFailed("connectRefused", "connection refused");
  metrics.recordConnectFailed("connectTimeout", "no CONNACK within 10 s");
  assert.equal(metrics.connections.attempts, 3);
  assert.equal(metrics.connections.attemptsFailed, 3);
  assert.equal(metrics.connections.connected, 0);
  assert.equal(metrics.histograms.connect.count, 0);
  assert.deepEqual(metrics.errors, { connectRefused: 2, connectTimeout: 1 });
  assert.equal(metrics.errorCount, 3);
  assert.deepEqual(metrics.errorSamples, [
    "connectRefused: connection refused",
    "connectTimeout: no CONNACK within 10 s",
  ]);
});

Deno.test("RunMetrics.recordError() counts by category, with an optional count", () => {
  const metrics = new RunMetrics(1);
  metrics.recordError("publishFailed", "socket closed");
  metrics.recordError("publishFailed", "socket closed", 4);
  metrics.recordError("ackTimeout", "no PUBACK within 10 s", 2);
  assert.deepEqual(metrics.errors, { publishFailed: 5, ackTimeout: 2 });
  assert.equal(metrics.errorCount, 7);
  assert.deepEqual(metrics.errorSamples, [
    "publishFailed: socket closed",
    "ackTimeout: no PUBACK within 10 s",
  ]);
});

Deno.test("RunMetrics.recordError() keeps at most 5 distinct samples, first ones first", () => {
  const metrics = new RunMetrics(1);
  for (let i = 0; i < 8; i++) {
    metrics.recordError("networkError", `failure ${i}`);
    metrics.recordError("networkError", `failure ${i}`);
  }
  assert.deepEqual(metrics.errorSamples, [
    "networkError: failure 0",
    "networkError: failure 1",
    "networkError: failure 2",
    "networkError: failure 3",
    "networkError: failure 4",
  ]);
  assert.equal(metrics.errors.networkError, 16);
  assert.equal(metrics.errorCount, 16);

  // The same message under another category is a distinct sample.
  const mixed = new RunMetrics(1);
  mixed.recordError("disconnected", "lost");
  mixed.recordError("publishFailed", "lost");
  assert.deepEqual(mixed.errorSamples, ["disconnected: lost", "publishFailed: lost"]);
});

Deno.test("RunMetrics.recordAck() and recordE2e() feed the whole-run histograms", () => {
  const metrics = new RunMetrics(1);
  metrics.recordAck(2_000);
  metrics.recordAck(4_000);
  metrics.recordE2e(7_000);
  assert.equal(metrics.messages.acked, 2);
  assert.equal(metrics.histograms.ack.count, 2);
  assert.equal(metrics.histograms.e2e.count, 1);
  assertNearMs(metrics.histograms.e2e.statsMs().p50, 7);
  // recordE2e() measures; the probe counts receptions itself.
  assert.equal(metrics.messages.received, 0);
});

Deno.test("RunMetrics.closeSecond() returns per-second deltas, not totals", () => {
  const metrics = new RunMetrics(10);
  metrics.recordConnected(1_000, false);
  metrics.recordConnected(1_000, false);
  metrics.messages.sent += 100;
  for (let i = 0; i < 40; i++) metrics.recordAck(1_000);
  metrics.messages.received += 90;
  metrics.recordError("publishFailed", "x", 3);

  const first = metrics.closeSecond(1);
  assert.deepEqual(
    { ...first, ackP50Ms: 0, ackP99Ms: 0, connectP50Ms: 0, connectP99Ms: 0 },
    {
      t: 1,
      connected: 2,
      sent: 100,
      acked: 40,
      received: 90,
      errors: 3,
      ackP50Ms: 0,
      ackP99Ms: 0,
      e2eP50Ms: 0,
      e2eP99Ms: 0,
      latenessP50Ms: 0,
      latenessP99Ms: 0,
      connectP50Ms: 0,
      connectP99Ms: 0,
      stage: 0,
      errorsByCategory: { publishFailed: 3 },
      cpuPercent: 0,
      eventLoopLagMs: 0,
    },
  );

  metrics.recordDisconnected();
  metrics.messages.sent += 30;
  metrics.recordAck(1_000);
  metrics.messages.received += 25;
  const second = metrics.closeSecond(2);
  assert.equal(second.t, 2);
  assert.equal(second.connected, 1);
  assert.equal(second.sent, 30);
  assert.equal(second.acked, 1);
  assert.equal(second.received, 25);
  assert.equal(second.errors, 0);

  const third = metrics.closeSecond(3);
  assert.deepEqual(third, {
    t: 3,
    connected: 1,
    sent: 0,
    acked: 0,
    received: 0,
    errors: 0,
    ackP50Ms: 0,
    ackP99Ms: 0,
    e2eP50Ms: 0,
    e2eP99Ms: 0,
    latenessP50Ms: 0,
    latenessP99Ms: 0,
    connectP50Ms: 0,
    connectP99Ms: 0,
    stage: 0,
    errorsByCategory: {},
    cpuPercent: 0,
    eventLoopLagMs: 0,
  });
  assert.deepEqual(metrics.timeline, [first, second, third]);
  assert.equal(metrics.messages.sent, 130, "totals are not reset");
});

Deno.test("RunMetrics.closeSecond() reports each second's own p99, reset between seconds", () => {
  const metrics = new RunMetrics(1);
  const slowAcksUs = [...new Array(98).fill(5_000), 250_000, 250_000];
  for (const valueUs of slowAcksUs) metrics.recordAck(valueUs);
  metrics.recordE2e(40_000);
  const first = metrics.closeSecond(1);
  assert.equal(first.ackP99Ms, p99Ms(slowAcksUs));
  assertNearMs(first.ackP99Ms, 250);
  assertNearMs(first.e2eP99Ms, 40);

  const fastAcksUs = new Array(100).fill(3_000);
  for (const valueUs of fastAcksUs) metrics.recordAck(valueUs);
  const second = metrics.closeSecond(2);
  assert.equal(second.ackP99Ms, p99Ms(fastAcksUs));
  assertNearMs(second.ackP99Ms, 3);
  assert.equal(second.e2eP99Ms, 0, "no e2e this second");

  // Connects and lateness get a median and a p99 per second too.
  metrics.recordConnected(12_000, false);
  metrics.histograms.lateness.recordUs(700);
  const third = metrics.closeSecond(3);
  assertNearMs(third.connectP50Ms, 12);
  assertNearMs(third.latenessP99Ms, 0.7);
  assert.equal(third.ackP99Ms, 0, "no ack this second");

  // The whole-run histogram keeps every second.
  assert.equal(metrics.histograms.ack.count, 200);
  assertNearMs(metrics.histograms.ack.statsMs().max, 250);
});
