import assert from "node:assert/strict";
import type { SecondFact } from "../../lib/metrics/facts.ts";
import { TimelineFile, timelineFormatOf } from "../../lib/report/timeline_file.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";

const SECOND: SecondFact = {
  kind: "second",
  phase: "running",
  elapsedMs: 2_000.4,
  durationMs: 10_000,
  phaseElapsedMs: 1_000,
  sensors: 10,
  settled: 10,
  runId: "0a1b2c3d",
  errorsTotal: 0,
  totals: new RunMetrics(10).totals(),
  health: { cpuSeconds: 1.5, rssBytes: 80_000_000, eventLoopLagMs: 2 },
  point: {
    t: 2,
    connected: 10,
    sent: 20,
    acked: 19,
    received: 20,
    errors: 0,
    ackP50Ms: 0,
    ackP99Ms: 4.2,
    e2eP50Ms: 0,
    latenessP50Ms: 0,
    latenessP99Ms: 0,
    connectP50Ms: 0,
    connectP99Ms: 0,
    e2eP99Ms: 5.1,
    stage: 0,
    errorsByCategory: {},
    cpuPercent: 0,
    eventLoopLagMs: 0,
  },
};

Deno.test("timelineFormatOf() reads the format from the extension", () => {
  assert.equal(timelineFormatOf("run.ndjson"), "ndjson");
  assert.equal(timelineFormatOf("run.JSONL"), "ndjson");
  assert.equal(timelineFormatOf("out/run.csv"), "csv");
  assert.equal(timelineFormatOf("run.json"), null);
});

Deno.test("TimelineFile writes one NDJSON record per second and nothing for other facts", () => {
  const written: string[] = [];
  const file = new TimelineFile("ndjson", (text) => written.push(text));
  file.onFact({ kind: "note", text: "note: hello" });
  file.onFact(SECOND);
  assert.deepEqual(written.map((line) => JSON.parse(line)), [{
    t: 2,
    elapsedMs: 2_000,
    phase: "running",
    stage: 0,
    connected: 10,
    sent: 20,
    acked: 19,
    received: 20,
    errors: 0,
    ackP50Ms: 0,
    ackP99Ms: 4.2,
    e2eP50Ms: 0,
    latenessP50Ms: 0,
    latenessP99Ms: 0,
    connectP50Ms: 0,
    connectP99Ms: 0,
    e2eP99Ms: 5.1,
    errorsByCategory: {},
    cpuPercent: 0,
    eventLoopLagMs: 0,
  }]);
});

Deno.test("TimelineFile writes CSV with a header first", () => {
  const written: string[] = [];
  const file = new TimelineFile("csv", (text) => written.push(text));
  file.onFact(SECOND);
  assert.deepEqual(written, [
    "t,elapsedMs,phase,stage,connected,sent,acked,received,errors,ackP50Ms,ackP99Ms,e2eP50Ms,e2eP99Ms,latenessP50Ms,latenessP99Ms,connectP50Ms,connectP99Ms,cpuPercent,eventLoopLagMs\n",
    "2,2000,running,0,10,20,19,20,0,0,4.2,0,5.1,0,0,0,0,0,0\n",
  ]);
});
