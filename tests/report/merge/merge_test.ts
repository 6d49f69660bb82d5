import assert from "node:assert/strict";
import { UsageError } from "../../../lib/config/usage_error.ts";
import { LatencyHistogram } from "../../../lib/metrics/histogram.ts";
import { runLengthEncode, type ShardSection } from "../../../lib/metrics/shard_result.ts";
import type { Summary } from "../../../lib/metrics/summary.ts";
import { SequenceLedger } from "../../../lib/probe/ledger.ts";
import { mergeLedgers } from "../../../lib/report/merge/merge_ledger.ts";
import { mergeShardSummaries } from "../../../lib/report/merge/merge_summaries.ts";
import { mergeTimelines } from "../../../lib/report/merge/merge_timeline.ts";
import { formatSummaryTable } from "../../../lib/report/summary_table.ts";
import { fixtureSummary } from "../../helpers/summary_fixture.ts";

/** A seeded generator of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function section(
  index: number,
  count: number,
  sensors: [number, number][],
  sent: number[],
  ledger: SequenceLedger,
): ShardSection {
  return {
    index,
    count,
    scenarioHash: "h1",
    startAt: null,
    startSkewMs: null,
    sensors,
    sentCounts: runLengthEncode(sent),
    receivedSeqs: Object.fromEntries(ledger.receivedRanges()),
    duplicates: ledger.totals().duplicates,
  };
}

Deno.test("merged ledgers count what one probe would: received, lost and duplicates across probes", () => {
  // 6 sensors, 2 shards of 3, each sensor sent 10; three probes share the deliveries.
  const random = seeded(7);
  const probes = [new SequenceLedger(), new SequenceLedger()];
  const single = new SequenceLedger();
  const sent = new Map<string, number>();
  for (let sensor = 0; sensor < 6; sensor++) {
    sent.set(String(sensor), 10);
    for (let seq = 0; seq < 10; seq++) {
      const roll = random();
      if (roll < 0.1) continue; // lost
      const probe = probes[Math.floor(random() * 2)];
      probe.observe(String(sensor), seq);
      single.observe(String(sensor), seq);
      if (roll > 0.9) {
        // Delivered again, to either probe.
        const again = probes[Math.floor(random() * 2)];
        again.observe(String(sensor), seq);
        single.observe(String(sensor), seq);
      }
    }
  }
  const merged = mergeLedgers([
    section(0, 2, [[0, 3]], [10, 10, 10], probes[0]),
    section(1, 2, [[3, 6]], [10, 10, 10], probes[1]),
  ], [4, 2]);
  const expected = single.totals(sent);
  assert.equal(merged.received, expected.received);
  assert.equal(merged.lost, expected.lost);
  assert.equal(merged.duplicates, expected.duplicates);
  assert.equal(merged.received + merged.lost, 60);
  assert.equal(merged.fleets[0].received + merged.fleets[1].received, merged.received);
  assert.equal(merged.fleets[0].lost + merged.fleets[1].lost, merged.lost);
});

Deno.test("a sensor no probe heard from is lost whole; seqs above its sent count are no loss", () => {
  const probe = new SequenceLedger();
  probe.observe("0", 0);
  probe.observe("0", 1);
  probe.observe("0", 5);
  const merged = mergeLedgers([section(0, 1, [[0, 2]], [4, 3], probe)], [2]);
  // Sensor 0: sent 4, received 0, 1 (and 5, not sent by it): 2 lost; sensor 1: 3 lost.
  assert.deepEqual(
    { received: merged.received, lost: merged.lost, duplicates: merged.duplicates },
    { received: 3, lost: 5, duplicates: 0 },
  );
});

function shardSummary(
  index: number,
  count: number,
  e2eUs: number[],
  overrides: Partial<Summary> = {},
): Summary {
  const summary = fixtureSummary({ runId: "run1", e2eUs, sentPerSecond: e2eUs.length / 3 });
  const ledger = new SequenceLedger();
  return {
    ...summary,
    ledger: { ...summary.ledger, probe: false },
    shard: section(index, count, [[index * 10, index * 10 + 10]], Array(10).fill(0), ledger),
    ...overrides,
  };
}

Deno.test("merged histograms equal the histogram of every value, percentile for percentile", () => {
  const random = seeded(42);
  for (let trial = 0; trial < 5; trial++) {
    const values = Array.from(
      { length: 3 * 300 },
      () => Math.round(200 + random() ** 3 * 2_000_000),
    );
    const all = new LatencyHistogram();
    for (const value of values) all.recordUs(value);
    const parts = [0, 1, 2].map((index) =>
      shardSummary(index, 3, values.slice(index * 300, index * 300 + 300))
    );
    const merged = mergeShardSummaries(
      parts.map((summary, n) => ({ source: `shard-${n}.json`, summary })),
    ).summary;
    assert.deepEqual(merged.latencyMs.e2e, all.statsMs());
    assert.equal(merged.latencyMs.e2e.count, values.length);
    assert.equal(LatencyHistogram.decode(merged.histograms.e2e).count, values.length);
  }
});

Deno.test("merge refuses shards of different runs or scenarios, and results that are no shard's", () => {
  const a = shardSummary(0, 2, [1000, 2000, 3000]);
  const otherRun = { ...shardSummary(1, 2, [1000, 2000, 3000]), runId: "run2" };
  assert.throws(
    () => mergeShardSummaries([{ source: "a", summary: a }, { source: "b", summary: otherRun }]),
    /b is of run run2, a of run run1: merge the shards of one run/,
  );
  const other = shardSummary(1, 2, [1000, 2000, 3000]);
  const otherScenario = { ...other, shard: { ...other.shard!, scenarioHash: "h2" } };
  assert.throws(
    () =>
      mergeShardSummaries([{ source: "a", summary: a }, { source: "b", summary: otherScenario }]),
    /b ran another scenario than a/,
  );
  const { shard: _shard, ...plain } = a;
  assert.throws(
    () => mergeShardSummaries([{ source: "p", summary: plain as Summary }]),
    UsageError,
  );
});

Deno.test("a missing shard makes the merge incomplete; a shard given twice counts once", () => {
  const a = shardSummary(0, 3, [1000, 2000, 3000]);
  const c = shardSummary(2, 3, [1000, 2000, 3000]);
  const { summary, warnings } = mergeShardSummaries([
    { source: "a", summary: a },
    { source: "a again", summary: a },
    { source: "c", summary: c },
  ]);
  assert.deepEqual(summary.shards?.missing, [1]);
  assert.equal(summary.shards?.incomplete, true);
  assert.deepEqual(summary.shards?.duplicated, [0]);
  assert.equal(summary.messages.sent, a.messages.sent + c.messages.sent);
  assert.match(warnings[0], /shard 0\/3 was given more than once/);
  const changed = { ...a, messages: { ...a.messages, sent: 1 } };
  assert.throws(
    () => mergeShardSummaries([{ source: "a", summary: a }, { source: "b", summary: changed }]),
    /a and b are both shard 0 with different results/,
  );
});

Deno.test("timelines are aligned on the wall clock and their seconds added up", () => {
  const point = (t: number, sent: number, p99: number) => ({
    t,
    connected: 1,
    sent,
    acked: 0,
    received: 0,
    errors: 0,
    ackP50Ms: 0,
    ackP99Ms: p99,
    e2eP50Ms: 0,
    e2eP99Ms: 0,
    latenessP50Ms: 0,
    latenessP99Ms: 0,
    connectP50Ms: 0,
    connectP99Ms: 0,
    stage: 0,
    errorsByCategory: { ackTimeout: 1 },
    cpuPercent: 10,
    eventLoopLagMs: 1,
  });
  const merged = mergeTimelines([
    { startedAtMs: 10_000, points: [point(1, 5, 3), point(2, 5, 3)] },
    // Started a second later: its second 1 is the first's second 2.
    { startedAtMs: 11_020, points: [point(1, 7, 9)] },
  ]);
  assert.deepEqual(merged.map((p) => [p.t, p.sent, p.connected, p.ackP99Ms]), [
    [1, 5, 1, 3],
    [2, 12, 2, 9],
  ]);
  assert.deepEqual(merged[1].errorsByCategory, { ackTimeout: 2 });
});

Deno.test("the table of a merged summary names its shards, the missing ones and the worst generator", () => {
  const a = shardSummary(0, 3, [1000, 2000, 3000]);
  const c = shardSummary(2, 3, [1000, 2000, 3000]);
  const { summary } = mergeShardSummaries([{ source: "a", summary: a }, {
    source: "c",
    summary: c,
  }]);
  const table = formatSummaryTable(summary, { color: false });
  assert.match(table, /\nShards\n {2}merged {11}2 of 3 \(scenario h1\)\n {2}missing {10}1\n/);
  assert.match(table, /worst generator {2}shard \d: ok/);
  assert.match(
    formatSummaryTable(a, { color: false }),
    /\nShard\n {2}shard {12}0\/3 \(scenario h1\)/,
  );
});
