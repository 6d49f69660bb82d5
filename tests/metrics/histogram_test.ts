import assert from "node:assert/strict";
import { DEFAULT_HIGHEST_US, LatencyHistogram } from "../../lib/metrics/histogram.ts";

// HDR with 3 significant digits keeps every value within 0.1% of what was recorded.
function assertWithinHdrPrecision(actual: number, expected: number): void {
  assert.ok(
    Math.abs(actual - expected) <= expected * 0.001,
    `expected ${actual} to be within 0.1% of ${expected}`,
  );
}

function filledWith(
  values: Iterable<number>,
  highestUs?: number,
): LatencyHistogram {
  const histogram = new LatencyHistogram(highestUs);
  for (const valueUs of values) histogram.recordUs(valueUs);
  return histogram;
}

function range(fromUs: number, toUs: number): number[] {
  return Array.from({ length: toUs - fromUs + 1 }, (_, i) => fromUs + i);
}

Deno.test("percentileUs() matches known data within 3 significant digits", () => {
  const histogram = filledWith(range(1, 10_000));
  assert.equal(histogram.count, 10_000);
  assertWithinHdrPrecision(histogram.percentileUs(50), 5_000);
  assertWithinHdrPrecision(histogram.percentileUs(90), 9_000);
  assertWithinHdrPrecision(histogram.percentileUs(99), 9_900);
  assertWithinHdrPrecision(histogram.percentileUs(99.9), 9_990);
  assertWithinHdrPrecision(histogram.percentileUs(100), 10_000);
  assert.equal(histogram.percentileUs(0), 1);
});

Deno.test("statsMs() reports milliseconds rounded to whole microseconds", () => {
  const stats = filledWith(range(1, 10_000)).statsMs();
  assert.equal(stats.count, 10_000);
  assert.equal(stats.min, 0.001);
  assertWithinHdrPrecision(stats.p50, 5);
  assertWithinHdrPrecision(stats.p90, 9);
  assertWithinHdrPrecision(stats.p99, 9.9);
  assertWithinHdrPrecision(stats.p999, 9.99);
  assertWithinHdrPrecision(stats.max, 10);
  assertWithinHdrPrecision(stats.mean, 5.0005);
  for (const valueMs of Object.values(stats)) {
    assert.equal(Math.round(valueMs * 1000) / 1000, valueMs);
  }
});

Deno.test("statsMs() of an empty histogram is all zeros", () => {
  const histogram = new LatencyHistogram();
  assert.deepEqual(histogram.statsMs(), {
    count: 0,
    min: 0,
    p50: 0,
    p90: 0,
    p99: 0,
    p999: 0,
    max: 0,
    mean: 0,
  });
  assert.equal(histogram.percentileUs(99), 0);
  assert.equal(histogram.overflowCount, 0);
});

Deno.test("recordUs() rounds fractions and records negatives as 0", () => {
  const histogram = filledWith([-5, 1.4, 2.6]);
  assert.equal(histogram.count, 3);
  assert.equal(histogram.percentileUs(0), 0);
  assert.equal(histogram.percentileUs(50), 1);
  assert.equal(histogram.percentileUs(100), 3);
});

Deno.test("recordUs() counts values above the range as overflow and clamps them", () => {
  const histogram = filledWith([10, 999_999, 5_000_000, Infinity], 1_000_000);
  assert.equal(histogram.count, 4);
  assert.equal(histogram.overflowCount, 2);
  assertWithinHdrPrecision(histogram.percentileUs(100), 1_000_000);
  assert.equal(histogram.highestUs, 1_000_000);
});

Deno.test("recordUs() rejects NaN", () => {
  assert.throws(() => new LatencyHistogram().recordUs(NaN), RangeError);
});

Deno.test("new LatencyHistogram() defaults to a 1 h range", () => {
  assert.equal(DEFAULT_HIGHEST_US, 3_600_000_000);
  const histogram = filledWith([DEFAULT_HIGHEST_US, DEFAULT_HIGHEST_US + 1]);
  assert.equal(histogram.overflowCount, 1);
  assert.throws(() => new LatencyHistogram(1), RangeError);
});

Deno.test("merge() equals one histogram fed all values", () => {
  const valuesUs = range(1, 20_000).map((i) => (i * 7919) % 3_000_017);
  const whole = filledWith(valuesUs, 2_000_000);
  const first = filledWith(valuesUs.slice(0, 7_000), 2_000_000);
  const second = filledWith(valuesUs.slice(7_000), 2_000_000);
  first.merge(second);
  assert.deepEqual(first.statsMs(), whole.statsMs());
  assert.equal(first.count, whole.count);
  assert.equal(first.overflowCount, whole.overflowCount);
  assert.ok(first.overflowCount > 0);
  for (const p of [0, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) {
    assert.equal(first.percentileUs(p), whole.percentileUs(p));
  }
});

Deno.test("merge() rejects a histogram holding values above this range", () => {
  const narrow = new LatencyHistogram(1_000);
  const wide = filledWith([500_000]);
  assert.throws(() => narrow.merge(wide), RangeError);
});

Deno.test("reset() empties values and the overflow count", () => {
  const histogram = filledWith([1, 2, 5_000], 1_000);
  histogram.reset();
  assert.equal(histogram.count, 0);
  assert.equal(histogram.overflowCount, 0);
  assert.equal(histogram.statsMs().max, 0);
});

Deno.test("encode() and decode() round-trip the same stats", () => {
  const histogram = filledWith([
    0,
    1,
    3_003,
    10_001,
    1_234_567,
    DEFAULT_HIGHEST_US,
  ]);
  const decoded = LatencyHistogram.decode(histogram.encode());
  assert.deepEqual(decoded.statsMs(), histogram.statsMs());
  for (const p of [0, 50, 99, 100]) {
    assert.equal(decoded.percentileUs(p), histogram.percentileUs(p));
  }
});

Deno.test("encode() and decode() round-trip an empty histogram", () => {
  const decoded = LatencyHistogram.decode(new LatencyHistogram().encode());
  assert.equal(decoded.count, 0);
  assert.equal(decoded.statsMs().max, 0);
  decoded.recordUs(42);
  assert.equal(decoded.count, 1);
});

Deno.test("decode() result merges exactly with live histograms", () => {
  const first = filledWith(range(1, 5_000));
  const second = filledWith(range(5_001, 10_000));
  const merged = LatencyHistogram.decode(first.encode());
  merged.merge(LatencyHistogram.decode(second.encode()));
  assert.deepEqual(merged.statsMs(), filledWith(range(1, 10_000)).statsMs());
});

Deno.test("decode() uses the given range and rejects values above it", () => {
  const encoded = filledWith([5_000]).encode();
  assert.equal(LatencyHistogram.decode(encoded, 10_000).highestUs, 10_000);
  assert.throws(() => LatencyHistogram.decode(encoded, 1_000), RangeError);
});

Deno.test("decode() throws a clear error on malformed input", () => {
  assert.throws(
    () => LatencyHistogram.decode("not a histogram"),
    /cannot decode histogram/,
  );
  assert.throws(() => LatencyHistogram.decode(""), /cannot decode histogram/);
});
