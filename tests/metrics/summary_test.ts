import assert from "node:assert/strict";
import { LatencyHistogram } from "../../lib/metrics/histogram.ts";
import { LATENCY_NAMES } from "../../lib/metrics/latency_names.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";
import {
  buildSummary,
  judgeGenerator,
  type RunFacts,
  SUMMARY_SCHEMA_VERSION,
} from "../../lib/metrics/summary.ts";

const STARTED_AT_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

const HEALTHY: RunFacts["health"] = {
  workers: 1,
  cpuPercent: 40,
  cpuSeconds: 26,
  rssBytes: 180_000_000,
  peakRssBytes: 200_000_000,
  eventLoopLagP99Ms: 3.2,
  wallSeconds: 65,
};

function factsFixture(overrides: Partial<RunFacts> = {}): RunFacts {
  return {
    version: "0.1.0",
    runId: "0a1b2c3d",
    startedAtMs: STARTED_AT_MS,
    endedAtMs: STARTED_AT_MS + 65_000.4,
    interrupted: false,
    aborted: null,
    broker: { url: "mqtt://127.0.0.1:1883", embedded: false },
    config: { sensors: 100, intervalMs: 1_000, password: "***" },
    neverConnected: 2,
    notAttempted: 0,
    targetPerSec: 100,
    holdWindow: { sent: 500, acked: 400, received: 450, ms: 10_000 },
    probe: true,
    health: HEALTHY,
    ...overrides,
  };
}

/** A 100-sensor run: 98 connected, 1,500 sent, acks, e2e, lateness and 3 timeline seconds. */
function metricsFixture(): RunMetrics {
  const metrics = new RunMetrics(100);
  for (let i = 0; i < 98; i++) metrics.recordConnected(2_000 + i * 10, false);
  metrics.recordDisconnected();
  metrics.recordConnected(4_000, true);
  metrics.recordConnectFailed("connectRefused", "connection refused");
  metrics.recordConnectFailed("connectRefused", "connection refused");
  for (let second = 1; second <= 3; second++) {
    metrics.messages.scheduled += 500;
    metrics.messages.sent += 500;
    metrics.messages.received += 490;
    for (let i = 0; i < 400; i++) metrics.recordAck(1_000 + i * second);
    for (let i = 0; i < 490; i++) metrics.recordE2e(3_000 + i * second);
    for (let i = 0; i < 500; i++) metrics.histograms.lateness.recordUs(100 + i);
    metrics.closeSecond(second);
  }
  metrics.messages.lost = 30;
  metrics.messages.backpressured = 4;
  metrics.messages.duplicates = 2;
  metrics.messages.reordered = 1;
  metrics.recordError("publishFailed", "socket closed");
  return metrics;
}

Deno.test("buildSummary() writes exactly the top-level keys of the JSON contract", () => {
  const summary = buildSummary(metricsFixture(), factsFixture());
  assert.deepEqual(Object.keys(summary).sort(), [
    "aborted",
    "broker",
    "commands",
    "config",
    "connections",
    "durationMs",
    "endedAt",
    "errorSamples",
    "fleets",
    "generator",
    "histograms",
    "interrupted",
    "latencyMs",
    "ledger",
    "messages",
    "overflow",
    "rates",
    "runId",
    "schemaVersion",
    "startedAt",
    "thresholds",
    "timeline",
    "tool",
  ]);
  assert.equal(summary.schemaVersion, 1);
  assert.equal(SUMMARY_SCHEMA_VERSION, 1);
  assert.deepEqual(summary.tool, { name: "iotload", version: "0.1.0" });
  assert.deepEqual(summary.thresholds, []);
});

Deno.test("buildSummary() writes start and end as ISO 8601 and the duration in whole ms", () => {
  const summary = buildSummary(metricsFixture(), factsFixture({ interrupted: true }));
  assert.equal(summary.startedAt, "2026-01-02T03:04:05.678Z");
  assert.equal(summary.endedAt, "2026-01-02T03:05:10.678Z");
  assert.equal(summary.durationMs, 65_000);
  assert.equal(summary.interrupted, true);
  assert.equal(summary.aborted, null);
  assert.deepEqual(summary.config, { sensors: 100, intervalMs: 1_000, password: "***" });
  assert.deepEqual(summary.broker, { url: "mqtt://127.0.0.1:1883", embedded: false });
});

Deno.test("buildSummary() reports connections with never-connected sensors as failed", () => {
  const { connections } = buildSummary(metricsFixture(), factsFixture());
  assert.deepEqual(connections, {
    target: 100,
    connected: 98,
    peak: 98,
    failed: 2,
    notAttempted: 0,
    attempts: 101,
    attemptsFailed: 2,
    disconnects: 1,
    reconnects: 1,
    churned: 0,
    errors: { connectRefused: 2, publishFailed: 1 },
    failedDevices: {},
  });
});

Deno.test("buildSummary() copies every message counter", () => {
  const metrics = metricsFixture();
  const { messages } = buildSummary(metrics, factsFixture());
  assert.deepEqual(messages, {
    scheduled: 1_500,
    sent: 1_500,
    acked: 1_200,
    failed: 0,
    backpressured: 4,
    offlineDropped: 0,
    offlineBuffered: 0,
    foreign: 0,
    received: 1_470,
    lost: 30,
    duplicates: 2,
    reordered: 1,
  });
  // A snapshot: later recording does not change a built summary.
  metrics.messages.sent++;
  assert.equal(messages.sent, 1_500);
});

Deno.test("buildSummary() computes rates over the hold window only", () => {
  // Hold: from sent 500 / acked 400 / received 450 to the end, over 10 s.
  const { rates } = buildSummary(
    metricsFixture(),
    factsFixture({ targetPerSec: 33.333_33 }),
  );
  assert.deepEqual(rates, {
    targetPerSec: 33.3,
    sentPerSec: 100,
    ackedPerSec: 80,
    receivedPerSec: 102,
    windowMs: 10_000,
  });
  const short = buildSummary(
    metricsFixture(),
    factsFixture({ holdWindow: { sent: 0, acked: 0, received: 0, ms: 3_000 } }),
  );
  assert.equal(short.rates.sentPerSec, 500);
  assert.equal(short.rates.ackedPerSec, 400);
  assert.equal(short.rates.receivedPerSec, 490);
});

Deno.test("buildSummary() reports rates as 0 when the run never reached its hold phase", () => {
  const { rates } = buildSummary(
    metricsFixture(),
    factsFixture({ holdWindow: { sent: 0, acked: 0, received: 0, ms: 0 } }),
  );
  assert.equal(rates.sentPerSec, 0);
  assert.equal(rates.ackedPerSec, 0);
  assert.equal(rates.receivedPerSec, 0);
  assert.equal(rates.targetPerSec, 100);
});

Deno.test("buildSummary() gives latency stats with every field for each histogram", () => {
  const metrics = metricsFixture();
  const { latencyMs } = buildSummary(metrics, factsFixture());
  for (const name of LATENCY_NAMES) {
    assert.deepEqual(
      Object.keys(latencyMs[name]).sort(),
      ["count", "max", "mean", "min", "p50", "p90", "p99", "p999"],
      name,
    );
    assert.deepEqual(latencyMs[name], metrics.histograms[name].statsMs(), name);
  }
  assert.equal(latencyMs.connect.count, 99);
  assert.equal(latencyMs.ack.count, 1_200);
  assert.equal(latencyMs.e2e.count, 1_470);
  assert.equal(latencyMs.lateness.count, 1_500);
  assert.ok(latencyMs.ack.min >= 0.999 && latencyMs.ack.min <= 1.001, `${latencyMs.ack.min}`);
  assert.ok(latencyMs.e2e.p50 > latencyMs.ack.p50);
});

Deno.test("buildSummary() histograms decode to the same counts and stats", () => {
  const metrics = metricsFixture();
  const summary = buildSummary(metrics, factsFixture());
  for (const name of LATENCY_NAMES) {
    assert.equal(typeof summary.histograms[name], "string", name);
    const decoded = LatencyHistogram.decode(summary.histograms[name]);
    assert.equal(decoded.count, metrics.histograms[name].count, name);
    assert.deepEqual(decoded.statsMs(), summary.latencyMs[name], name);
  }
  assert.deepEqual(summary.overflow, {
    connect: 0,
    ack: 0,
    e2e: 0,
    lateness: 0,
    reconnect: 0,
    command: 0,
  });
});

Deno.test("buildSummary() counts values above a histogram's range in overflow", () => {
  const metrics = new RunMetrics(1);
  metrics.recordAck(metrics.histograms.ack.highestUs * 2);
  metrics.recordAck(10);
  const summary = buildSummary(metrics, factsFixture());
  assert.deepEqual(summary.overflow, {
    connect: 0,
    ack: 1,
    e2e: 0,
    lateness: 0,
    reconnect: 0,
    command: 0,
  });
  assert.equal(LatencyHistogram.decode(summary.histograms.ack).count, 2);
});

Deno.test("buildSummary() copies the timeline points with every field", () => {
  const metrics = metricsFixture();
  const { timeline } = buildSummary(metrics, factsFixture());
  assert.equal(timeline.length, 3);
  assert.deepEqual(timeline, metrics.timeline);
  assert.notEqual(timeline, metrics.timeline);
  for (const point of timeline) {
    assert.deepEqual(Object.keys(point).sort(), [
      "ackP50Ms",
      "ackP99Ms",
      "acked",
      "connectP50Ms",
      "connectP99Ms",
      "connected",
      "cpuPercent",
      "e2eP50Ms",
      "e2eP99Ms",
      "errors",
      "errorsByCategory",
      "eventLoopLagMs",
      "latenessP50Ms",
      "latenessP99Ms",
      "received",
      "sent",
      "stage",
      "t",
    ]);
  }
  assert.deepEqual(timeline.map((point) => point.t), [1, 2, 3]);
  assert.deepEqual(timeline.map((point) => point.sent), [500, 500, 500]);
  assert.equal(timeline[0].errors, 2);
  assert.ok(timeline[2].ackP99Ms > timeline[0].ackP99Ms);
});

Deno.test("buildSummary() reports the generator's health and verdict", () => {
  const { generator } = buildSummary(metricsFixture(), factsFixture());
  assert.deepEqual(generator, {
    workers: 1,
    cpuPercent: 40,
    cpuSeconds: 26,
    rssBytes: 180_000_000,
    peakRssBytes: 200_000_000,
    eventLoopLagP99Ms: 3.2,
    verdict: "ok",
    verdictReasons: [],
  });
});

Deno.test("buildSummary() round-trips through JSON unchanged", () => {
  const metrics = metricsFixture();
  metrics.histograms.lateness.recordUs(80_000);
  const summary = buildSummary(
    metrics,
    factsFixture({ aborted: "broker refused: not authorized" }),
  );
  assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary);
});

Deno.test("buildSummary() ledger balances when sent = received + lost", () => {
  const metrics = metricsFixture();
  assert.deepEqual(buildSummary(metrics, factsFixture({ markers: 1 })).ledger, {
    probe: true,
    balanced: true,
    note: "sent = received + lost",
    markers: 1,
  });
  metrics.messages.received += 3;
  const unbalanced = buildSummary(metrics, factsFixture()).ledger;
  assert.equal(unbalanced.balanced, false);
  assert.match(unbalanced.note, /sent \(1500\) != received \(1473\) \+ lost \(30\)/);
});

Deno.test("buildSummary() ledger says nothing about balance without a probe", () => {
  const { ledger } = buildSummary(metricsFixture(), factsFixture({ probe: false }));
  assert.equal(ledger.probe, false);
  assert.equal(ledger.balanced, null);
  assert.match(ledger.note, /probe off/);
});

Deno.test("buildSummary() judges the generator bound when lateness p99 > 50 ms", () => {
  const metrics = metricsFixture();
  for (let i = 0; i < 100; i++) metrics.histograms.lateness.recordUs(80_000);
  const { generator, latencyMs } = buildSummary(metrics, factsFixture());
  assert.ok(latencyMs.lateness.p99 > 50);
  assert.equal(generator.verdict, "generator-bound");
  assert.equal(generator.verdictReasons.length, 1);
  assert.match(generator.verdictReasons[0], /lateness p99 80\.\d+ ms > 50 ms/);
});

Deno.test("judgeGenerator() is ok at exactly the bounds", () => {
  assert.deepEqual(judgeGenerator(50, { ...HEALTHY, eventLoopLagP99Ms: 50, cpuPercent: 90 }), {
    status: "ok",
    reasons: [],
  });
  assert.equal(judgeGenerator(50.001, HEALTHY).status, "generator-bound");
});

Deno.test("judgeGenerator() flags event-loop lag and CPU saturation with reasons", () => {
  const verdict = judgeGenerator(10, {
    ...HEALTHY,
    eventLoopLagP99Ms: 120,
    cpuPercent: 195,
    workers: 2,
  });
  assert.equal(verdict.status, "generator-bound");
  assert.equal(verdict.reasons.length, 2);
  assert.match(verdict.reasons[0], /event loop lagged: p99 120 ms > 50 ms/);
  assert.match(verdict.reasons[1], /CPU saturated: 195% of 2 core\(s\)/);
  // 170% over two workers is within 90% per core.
  assert.equal(judgeGenerator(10, { ...HEALTHY, cpuPercent: 170, workers: 2 }).status, "ok");
});

Deno.test("judgeGenerator() ignores CPU for runs shorter than 5 s", () => {
  const busy = { ...HEALTHY, cpuPercent: 100 };
  assert.equal(judgeGenerator(1, { ...busy, wallSeconds: 4.9 }).status, "ok");
  assert.equal(judgeGenerator(1, { ...busy, wallSeconds: 5 }).status, "generator-bound");
  // Lateness still counts in a short run.
  assert.equal(judgeGenerator(60, { ...busy, wallSeconds: 2 }).status, "generator-bound");
});
