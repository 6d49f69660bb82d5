import assert from "node:assert/strict";
import { METRIC_SECTIONS } from "../../lib/metrics/metric_paths.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";
import { buildSummary } from "../../lib/metrics/summary.ts";
import { evaluateThresholds, parseThreshold } from "../../lib/report/thresholds.ts";

const README = await Deno.readTextFile(new URL("../../README.md", import.meta.url));

function summaryOfAnEmptyRun() {
  return buildSummary(new RunMetrics(10), {
    version: "0.0.0",
    runId: "0a1b2c3d",
    startedAtMs: 0,
    endedAtMs: 1_000,
    interrupted: false,
    aborted: null,
    broker: { url: "mqtt://127.0.0.1:1883", embedded: false },
    config: {},
    neverConnected: 0,
    notAttempted: 0,
    targetPerSec: 10,
    holdWindow: { sent: 0, acked: 0, received: 0, ms: 1_000 },
    probe: true,
    health: {
      workers: 1,
      cpuPercent: 1,
      cpuSeconds: 0.1,
      rssBytes: 1,
      peakRssBytes: 1,
      eventLoopLagP99Ms: 1,
      wallSeconds: 1,
    },
  });
}

Deno.test("every number of the summary's sections is a metric path, and every metric path a number", () => {
  const summary = summaryOfAnEmptyRun() as unknown as Record<string, Record<string, unknown>>;
  for (const [section, metrics] of Object.entries(METRIC_SECTIONS)) {
    const numbers = Object.entries(summary[section])
      .filter(([, value]) => typeof value === "number")
      .map(([name]) => name);
    assert.deepEqual(Object.keys(metrics).sort(), numbers.sort(), section);
  }
});

Deno.test("a threshold accepts every metric path and finds its value in a summary", () => {
  const summary = summaryOfAnEmptyRun();
  for (const [section, metrics] of Object.entries(METRIC_SECTIONS)) {
    for (const name of Object.keys(metrics)) {
      const [result] = evaluateThresholds([parseThreshold(`${section}.${name}>=0`)], summary);
      assert.equal(result.ok, true, `${section}.${name}: ${JSON.stringify(result)}`);
    }
  }
});

Deno.test("README names every metric path", () => {
  for (const [section, metrics] of Object.entries(METRIC_SECTIONS)) {
    for (const name of Object.keys(metrics)) {
      assert.ok(README.includes(`\`${section}.${name}\``), `README lacks \`${section}.${name}\``);
    }
  }
});
