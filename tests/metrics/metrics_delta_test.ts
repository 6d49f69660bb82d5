import assert from "node:assert/strict";
import { applyDelta, DeltaTaker } from "../../lib/metrics/metrics_delta.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";

/** What a worker records in one second: two fleets, connects, sends, acks, an error. */
function recordSecond(metrics: RunMetrics, second: number): void {
  metrics.recordConnected(1_000 + second, false);
  metrics.recordAck(2_000 + second);
  metrics.recordError("ackTimeout", "late");
  metrics.messages.sent += 10;
  metrics.messages.scheduled += 12;
  metrics.messages.backpressured += 2;
  metrics.histograms.lateness.recordUs(300 + second);
  const [first, other] = metrics.fleets;
  first.messages.sent += 7;
  first.histograms.ack.recordUs(2_000 + second);
  other.messages.sent += 3;
  other.histograms.connect.recordUs(1_000 + second);
}

Deno.test("applyDelta() merges a worker's deltas exactly: totals, per fleet, histograms", () => {
  const worker = new RunMetrics(100, 2);
  const main = new RunMetrics(100, 2);
  const reference = new RunMetrics(100, 2);
  const deltas = new DeltaTaker(worker);
  for (let second = 0; second < 3; second++) {
    recordSecond(worker, second);
    recordSecond(reference, second);
    applyDelta(main, deltas.take());
  }
  assert.deepEqual(main.messages, reference.messages);
  assert.equal(main.connections.connected, 3);
  assert.equal(main.connections.peak, 3);
  assert.deepEqual(main.errors, { ackTimeout: 3 });
  assert.deepEqual(main.errorSamples, ["ackTimeout: late"]);
  assert.deepEqual(main.histograms.ack.statsMs(), reference.histograms.ack.statsMs());
  assert.deepEqual(main.histograms.lateness.statsMs(), reference.histograms.lateness.statsMs());
  for (const n of [0, 1]) {
    assert.deepEqual(main.fleets[n].messages, reference.fleets[n].messages, `fleet ${n}`);
    for (const name of ["connect", "ack", "lateness"] as const) {
      assert.deepEqual(
        main.fleets[n].histograms[name].statsMs(),
        reference.fleets[n].histograms[name].statsMs(),
        `fleet ${n} ${name}`,
      );
    }
  }
  // A delta with nothing new adds nothing.
  applyDelta(main, deltas.take());
  assert.deepEqual(main.messages, reference.messages);
});
