import assert from "node:assert/strict";
import type { Summary } from "../../lib/metrics/summary.ts";
import { brokerRateBetween } from "./broker_counter.ts";
import { holdWindow, medianMetrics, selectCases } from "./cases.ts";

function summaryWith(fields: {
  startedAt: string;
  target: number;
  failed: number;
  connectedByTick: number[];
  windowMs: number;
}): Summary {
  return {
    startedAt: fields.startedAt,
    connections: { target: fields.target, failed: fields.failed },
    timeline: fields.connectedByTick.map((connected, i) => ({ t: i + 1, connected })),
    rates: { windowMs: fields.windowMs },
  } as unknown as Summary;
}

Deno.test("holdWindow() starts at the second the ramp-up ended and lasts rates.windowMs", () => {
  const summary = summaryWith({
    startedAt: "2026-01-01T00:00:00.000Z",
    target: 100,
    failed: 2,
    connectedByTick: [40, 98, 98],
    windowMs: 5_000,
  });
  const startMs = Date.parse("2026-01-01T00:00:00.000Z");
  assert.deepEqual(holdWindow(summary), { fromMs: startMs + 2_000, toMs: startMs + 7_000 });
});

Deno.test("holdWindow() is null when the ramp-up never ended", () => {
  const summary = summaryWith({
    startedAt: "2026-01-01T00:00:00.000Z",
    target: 100,
    failed: 0,
    connectedByTick: [40, 60],
    windowMs: 0,
  });
  assert.deepEqual(holdWindow(summary), null);
});

Deno.test("medianMetrics() takes each metric's median, leaving nulls out", () => {
  const median = medianMetrics([
    { rssMB: 110, cpuSeconds: 2, brokerReceived: null },
    { rssMB: 100, cpuSeconds: 4, brokerReceived: null },
    { rssMB: 130, cpuSeconds: null, brokerReceived: null },
  ]);
  assert.deepEqual(median, { rssMB: 110, cpuSeconds: 3, brokerReceived: null });
});

Deno.test("brokerRateBetween() divides the counter's growth by the time between refreshes", () => {
  const updates = [
    { atMs: 0, count: 0 },
    { atMs: 2_000, count: 100_000 },
    { atMs: 4_000, count: 500_000 },
    { atMs: 6_000, count: 900_000 },
  ];
  assert.deepEqual(brokerRateBetween(updates, 1_000, 6_500), 200_000);
  assert.deepEqual(brokerRateBetween(updates, 1_000, 3_000), null);
});

Deno.test("selectCases() keeps benchmark order and names unknown cases", () => {
  assert.deepEqual(selectCases(["schedule", "seed"]).map((c) => c.name), ["seed", "schedule"]);
  assert.throws(() => selectCases(["sede"]), /unknown case sede/);
});
