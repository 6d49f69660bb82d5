import assert from "node:assert/strict";
import type { Summary } from "../../lib/metrics/summary.ts";
import {
  markOffsetsMs,
  measureRecovery,
  measureRssTrend,
  readLedger,
  restartOffsetsMs,
} from "./soak_analysis.ts";

const START = "2026-01-01T00:00:00.000Z";
const START_MS = Date.parse(START);

function timelineSummary(target: number, failed: number, connectedByTick: number[]) {
  return {
    startedAt: START,
    connections: { target, failed },
    timeline: connectedByTick.map((connected, i) => ({ t: i + 1, connected })),
  } as unknown as Summary;
}

Deno.test("measureRecovery() times half, 99% and all of the fleet back from the kill", () => {
  // Ticks at 1..10 s; the broker is killed at 3.5 s.
  const summary = timelineSummary(1_000, 0, [
    1_000,
    1_000,
    1_000,
    0,
    0,
    300,
    600,
    995,
    1_000,
    1_000,
  ]);
  const recovery = measureRecovery(summary, START_MS + 3_500, START_MS + 10_000);
  assert.deepEqual(recovery, {
    lowestConnected: 0,
    halfBackMs: 3_500,
    p99BackMs: 4_500,
    allBackMs: 5_500,
  });
});

Deno.test("measureRecovery() counts the fleet without never-connected sensors", () => {
  const summary = timelineSummary(100, 2, [98, 10, 98]);
  const recovery = measureRecovery(summary, START_MS + 1_200, START_MS + 3_000);
  assert.equal(recovery.allBackMs, 1_800);
});

Deno.test("measureRecovery() is null where the fleet never came back or no second followed", () => {
  const summary = timelineSummary(100, 0, [100, 10, 60]);
  const recovery = measureRecovery(summary, START_MS + 1_500, START_MS + 3_000);
  assert.deepEqual(recovery, {
    lowestConnected: 10,
    halfBackMs: 1_500,
    p99BackMs: null,
    allBackMs: null,
  });
  assert.equal(measureRecovery(summary, START_MS + 5_000, START_MS + 9_000).lowestConnected, null);
});

Deno.test("measureRssTrend() compares thirds of the readings after the first restart", () => {
  const marks = [0, 60, 120, 180, 240, 300, 360].map((s, i) => ({
    offsetMs: s * 1_000,
    rssKb: 100_000 + i * 1_000,
  }));
  // After 120 s: 103,000 .. 106,000 KiB; thirds of 4 are single readings.
  const flat = measureRssTrend(marks, 120_000);
  assert.equal(flat.samples, 4);
  assert.equal(flat.firstThirdKb, 103_000);
  assert.equal(flat.lastThirdKb, 106_000);
  assert.equal(flat.verdict, "no growth");
  assert.equal(Math.round(flat.slopeKbPerMin!), 1_000);

  const growing = marks.map((mark, i) => ({ ...mark, rssKb: 100_000 * (1 + i * 0.1) }));
  assert.equal(measureRssTrend(growing, 120_000).verdict, "growth");
});

Deno.test("measureRssTrend() needs three readings and skips unread ones", () => {
  const marks = [
    { offsetMs: 60_000, rssKb: 100 },
    { offsetMs: 90_000, rssKb: null },
    { offsetMs: 120_000, rssKb: 100 },
  ];
  assert.equal(measureRssTrend(marks, 30_000).verdict, "n/a");
  assert.equal(measureRssTrend(marks, 30_000).samples, 2);
});

Deno.test("readLedger() checks scheduled and sent against their parts", () => {
  const summary = {
    messages: {
      scheduled: 100,
      sent: 90,
      acked: 85,
      failed: 5,
      backpressured: 4,
      offlineDropped: 6,
      received: 84,
      lost: 6,
      duplicates: 1,
    },
    connections: { disconnects: 10, reconnects: 10 },
  } as unknown as Summary;
  const ledger = readLedger(summary);
  assert.equal(ledger.scheduledBalanced, true);
  assert.equal(ledger.sentBalanced, true);
  summary.messages.acked = 80;
  assert.equal(readLedger(summary).sentBalanced, false);
});

Deno.test("restartOffsetsMs() and markOffsetsMs() lay out the full and quick schedules", () => {
  assert.deepEqual(restartOffsetsMs(600_000, 120_000), [120_000, 240_000, 360_000, 480_000]);
  assert.deepEqual(restartOffsetsMs(90_000, 30_000), [30_000, 60_000]);
  assert.equal(markOffsetsMs(600_000, 60_000).length, 11);
  assert.deepEqual(markOffsetsMs(90_000, 15_000).at(-1), 90_000);
});
