import assert from "node:assert/strict";
import type { SecondFact } from "../../lib/metrics/facts.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";
import {
  type DefiniteFailure,
  failsForGood,
  ThresholdWatch,
} from "../../lib/report/threshold_watch.ts";
import { parseThreshold } from "../../lib/report/thresholds.ts";
import { runCli } from "../helpers/run_cli.ts";

function secondOf(metrics: RunMetrics, t: number): SecondFact {
  return {
    kind: "second",
    runId: "0a1b2c3d",
    phase: "running",
    elapsedMs: t * 1000,
    durationMs: 60_000,
    phaseElapsedMs: t * 1000,
    sensors: 10,
    settled: 10,
    errorsTotal: metrics.errorCount,
    point: metrics.closeSecond(t),
    totals: metrics.totals(),
    health: { cpuSeconds: 0, rssBytes: 0, eventLoopLagMs: 0 },
  };
}

Deno.test("failsForGood() holds for growing counts under an upper limit, not for what may recover", () => {
  const judged = (expression: string) => failsForGood(parseThreshold(expression));
  for (
    const expression of [
      "failed==0",
      "duplicates<5",
      "connections.errors.ackTimeout<=3",
      "connections.attemptsFailed<100",
    ]
  ) {
    assert.equal(judged(expression), true, expression);
  }
  for (
    const expression of [
      "e2e.p99<250ms",
      "lost==0",
      "failed<1%",
      "sent>100",
      "rates.sentPerSec>=100",
      "connections.connected<5",
    ]
  ) {
    assert.equal(judged(expression), false, expression);
  }
});

Deno.test("ThresholdWatch reports the first second a watched count passes its limit, once", () => {
  const failures: DefiniteFailure[] = [];
  const watch = new ThresholdWatch(
    ["failed<3", "e2e.p99<1ms", "connections.errors.ackTimeout==0"].map((text) =>
      parseThreshold(text)
    ),
    (failure) => failures.push(failure),
  );
  const metrics = new RunMetrics(10);
  metrics.messages.failed = 2;
  watch.onFact(secondOf(metrics, 1));
  assert.equal(failures.length, 0);
  metrics.recordError("ackTimeout", "late", 1);
  watch.onFact(secondOf(metrics, 2));
  metrics.messages.failed = 9;
  watch.onFact(secondOf(metrics, 3));
  assert.equal(failures.length, 1);
  assert.equal(failures[0].tSec, 2);
  assert.deepEqual(failures[0].result, {
    expression: "connections.errors.ackTimeout==0",
    actual: 1,
    ok: false,
  });
});

Deno.test("iotload run --abort-on-fail stops at a definite failure, writes the summary and exits 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iotload-abort-" });
  try {
    const result = await runCli([
      "run",
      "--sensors",
      "20",
      "--interval",
      "500ms",
      "--duration",
      "60s",
      "--threshold",
      "connections.attempts<10",
      "--threshold",
      "e2e.p99<1ms",
      "--abort-on-fail",
      "--out",
      `${dir}/summary.json`,
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /warning: abort on fail: e2e\.p99<1ms is judged at the end only/);
    assert.match(
      result.stderr,
      /note: threshold connections\.attempts<10 failed at \d+s \(20\): stopping the run/,
    );
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
    assert.match(summary.aborted, /^threshold connections\.attempts<10 failed at \d+s/);
    assert.ok(summary.durationMs < 20_000, `ran ${summary.durationMs} ms of 60 s`);
    assert.equal(summary.interrupted, false);
    // The drain still ran: every sent message is accounted for.
    assert.equal(summary.ledger.balanced, true);
    assert.equal(summary.thresholds[0].ok, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
