import assert from "node:assert/strict";
import type { SecondFact } from "../../lib/metrics/facts.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";
import { PrometheusExporter } from "../../lib/report/prometheus_exporter.ts";

/** The second fact of a run whose metrics are `metrics`. */
function secondOf(metrics: RunMetrics): SecondFact {
  return {
    kind: "second",
    runId: "0a1b2c3d",
    phase: "running",
    elapsedMs: 3_000,
    durationMs: 10_000,
    phaseElapsedMs: 2_000,
    sensors: 2,
    settled: 2,
    errorsTotal: metrics.errorCount,
    point: metrics.closeSecond(3),
    totals: metrics.totals(),
    health: { cpuSeconds: 1.25, rssBytes: 90_000_000, eventLoopLagMs: 3 },
    stage: "1/2",
  };
}

Deno.test("PrometheusExporter shows the run's totals with the summary's counts", async () => {
  const exporter = new PrometheusExporter();
  assert.match(await exporter.text(), /^iotload_messages_total\{kind="sent"\} 0$/m);
  const metrics = new RunMetrics(2);
  metrics.recordConnected(2_000, false);
  metrics.recordConnected(40_000, false);
  metrics.messages.sent = 120;
  metrics.messages.offlineDropped = 3;
  metrics.messages.duplicates = 2;
  for (let i = 0; i < 100; i++) metrics.recordAck(800);
  metrics.recordError("ackTimeout", "late", 4);
  exporter.onFact(secondOf(metrics));
  const text = await exporter.text();
  for (
    const line of [
      "iotload_connections 2",
      "iotload_connection_attempts_total 2",
      'iotload_messages_total{kind="sent"} 120',
      'iotload_messages_total{kind="acked"} 100',
      'iotload_messages_total{kind="offline_dropped"} 3',
      'iotload_messages_total{kind="duplicate"} 2',
      'iotload_errors_total{category="ackTimeout"} 4',
      'iotload_ack_seconds_bucket{le="0.0005"} 0',
      'iotload_ack_seconds_bucket{le="0.001"} 100',
      'iotload_ack_seconds_bucket{le="+Inf"} 100',
      "iotload_ack_seconds_count 100",
      'iotload_connect_seconds_bucket{le="0.0025"} 1',
      'iotload_connect_seconds_bucket{le="0.05"} 2',
      "iotload_generator_cpu_seconds_total 1.25",
      "iotload_generator_rss_bytes 90000000",
      "iotload_generator_event_loop_lag_seconds 0.003",
      'iotload_run_info{run_id="0a1b2c3d",phase="running",stage="1/2"} 1',
    ]
  ) {
    assert.ok(text.split("\n").includes(line), `missing: ${line}`);
  }
  assert.match(text, /^iotload_ack_seconds_sum 0\.08\d*$/m);
  assert.match(text, /^# HELP iotload_e2e_seconds intended send time to reception by the probe$/m);
  assert.match(text, /^# TYPE iotload_e2e_seconds histogram$/m);
});
