import assert from "node:assert/strict";
import { UsageError } from "../../lib/config/usage_error.ts";
import { compareSummaries, parseFailOn } from "../../lib/report/compare.ts";
import { formatComparisonTable } from "../../lib/report/compare_table.ts";
import { fixtureSummary } from "../helpers/summary_fixture.ts";

const rowOf = (comparison: ReturnType<typeof compareSummaries>, metric: string) => {
  const row = comparison.rows.find((candidate) => candidate.metric === metric);
  assert.ok(row !== undefined, `no row ${metric}`);
  return row;
};

Deno.test("compareSummaries() calls a change a regression or an improvement only beyond the noise band", () => {
  const base = fixtureSummary({ e2eUs: new Array(300).fill(10_000), cpuSeconds: 2 });
  const slower = fixtureSummary({ e2eUs: new Array(300).fill(12_000), cpuSeconds: 2.06 });
  const comparison = compareSummaries(base, slower, 5);
  const e2e = rowOf(comparison, "e2e.p99");
  // HDR's 3 significant digits: within 0.1%.
  assert.ok(Math.abs(e2e.base! - 10) < 0.011 && Math.abs(e2e.new! - 12) < 0.013);
  assert.ok(Math.abs(e2e.changePct! - 20) < 0.5, String(e2e.changePct));
  assert.equal(e2e.verdict, "regression");
  // +3% CPU is inside ±5%.
  assert.equal(rowOf(comparison, "generator.cpuSeconds").verdict, "within noise");
  assert.equal(rowOf(comparison, "rates.sentPerSec").verdict, "same");
  const faster = compareSummaries(slower, base, 5);
  assert.equal(rowOf(faster, "e2e.p99").verdict, "improvement");
  // A wider band swallows the same change.
  assert.equal(rowOf(compareSummaries(base, slower, 25), "e2e.p99").verdict, "within noise");
});

Deno.test("compareSummaries() lists every error category of either run and marks figures one run lacks", () => {
  const base = fixtureSummary({ errors: { ackTimeout: 2 } });
  const next = fixtureSummary({ errors: { connectRefused: 5 }, ackUs: new Array(300).fill(900) });
  const comparison = compareSummaries(base, next, 5);
  const refused = rowOf(comparison, "connections.errors.connectRefused");
  assert.deepEqual([refused.base, refused.new, refused.changePct, refused.verdict], [
    0,
    5,
    null,
    "regression",
  ]);
  assert.equal(rowOf(comparison, "connections.errors.ackTimeout").verdict, "improvement");
  // The base had no acks (QoS 0): nothing to compare.
  assert.equal(rowOf(comparison, "ack.p99").verdict, "not in both");
  assert.equal(rowOf(comparison, "ack.p99").base, null);
});

Deno.test("compareSummaries() evaluates --fail-on gates by the change in percent", () => {
  const base = fixtureSummary({ e2eUs: new Array(300).fill(10_000) });
  const next = fixtureSummary({ e2eUs: new Array(300).fill(12_000) });
  const gates = ["e2e.p99>+10%", "e2e.p99>+30%", "rates.sentPerSec<-5%", "latencyMs.e2e.max>+10%"]
    .map(parseFailOn);
  const results = compareSummaries(base, next, 5, gates).failOn;
  assert.deepEqual(results.map((gate) => gate.ok), [false, true, true, false]);
});

Deno.test("compareSummaries() names the settings two runs differ in, fleet by fleet", () => {
  const base = fixtureSummary({ config: { durationMs: 60_000 } });
  const next = fixtureSummary({
    config: { durationMs: 30_000, fleets: [{ ...base.config.fleets as object, qos: 1 }] },
  });
  const differ = compareSummaries(base, next, 5).settingsDiffer;
  assert.ok(differ.includes("durationMs: 60000 → 30000"), differ.join("; "));
});

Deno.test("parseFailOn() refuses what is no gate, naming it", () => {
  for (
    const [gate, problem] of [
      ["e2e.p99>10ms", /expected METRIC>\+N% or METRIC<-N%/],
      ["e2e.p99", /expected METRIC/],
      ["bogus.p99>+5%", /--fail-on "bogus\.p99>\+5%": unknown metric/],
    ] as const
  ) {
    assert.throws(
      () => parseFailOn(gate),
      (error: unknown) => error instanceof UsageError && problem.test(error.message),
      gate,
    );
  }
});

Deno.test("formatComparisonTable() shows both values, the change and the verdict per row", () => {
  const base = fixtureSummary({ runId: "aaaaaaaa", e2eUs: new Array(300).fill(10_000) });
  const next = fixtureSummary({ runId: "bbbbbbbb", e2eUs: new Array(300).fill(12_000) });
  const text = formatComparisonTable(
    compareSummaries(base, next, 5, [parseFailOn("e2e.p99>+10%")]),
    false,
  );
  assert.match(
    text,
    /^iotload compare: base aaaaaaaa \(2026-12-01 10:00:00Z\) → new bbbbbbbb .*; noise ±5%$/m,
  );
  assert.match(text, /^ {2}e2e\.p99 +10\.0 ms +12\.0 ms +\+20\.0% +regression$/m);
  assert.match(text, /^FAIL --fail-on e2e\.p99>\+10% \(change \+20\.0%\)$/m);
});
