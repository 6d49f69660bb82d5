/**
 * The `shards` case: one fleet as one process, then as 3 shard processes (each from
 * its own source address, started together) merged as `iotload merge` merges them;
 * the merged counts must be the single run's and the broker's, the ledger exact.
 *
 * @module
 */
import type { Summary } from "../../lib/metrics/summary.ts";
import { formatCount as count, formatFixed as fixed } from "./bench_table.ts";
import type { BenchCase, CaseMetrics, RunRecord, RunSpec } from "./case_types.ts";

/** Shards of the sharded run. */
const SHARDS = 3;
const FLAGS = ["--qos", "1", "--interval", "1s", "--payload-size", "200"];

function spec(label: string, sensors: number, durationMs: number, shards: number): RunSpec {
  return {
    label,
    sensors,
    durationMs,
    sampleIntervalMs: 100,
    shards,
    args: ["--sensors", String(sensors), "--duration", `${durationMs / 1000}s`, ...FLAGS],
  };
}

/** A run's numbers from its summary (a merged one holds every shard's CPU and memory). */
function numbers(record: RunRecord): CaseMetrics {
  const summary: Summary = record.generator.summary;
  // Every probe's marker messages, counted by the broker beside the telemetry.
  const markers = summary.ledger.markers ?? 0;
  return {
    sent: summary.messages.sent,
    received: summary.messages.received,
    lost: summary.messages.lost,
    balanced: summary.ledger.balanced === true ? 1 : 0,
    brokerReceived: record.broker.received === null ? null : record.broker.received - markers,
    cpuSeconds: summary.generator.cpuSeconds,
    peakRssMB: summary.generator.peakRssBytes / 1_048_576,
    latenessP99Ms: summary.latencyMs.lateness.p99,
    e2eP99Ms: summary.latencyMs.e2e.p99,
    startSpreadMs: summary.shards?.startSpreadMs ?? 0,
  };
}

/** The shards case (see the module's doc). */
export const SHARDS_CASE: BenchCase = {
  name: "shards",
  about: `QoS 1 every 1 s with the probe: ${SHARDS} shards merged vs 1 process, same fleet`,
  runs: (quick) => {
    const sensors = quick ? 600 : 3_000;
    const durationMs = quick ? 3_000 : 20_000;
    return [
      spec("one-process", sensors, durationMs, 1),
      spec("3-shards", sensors, durationMs, SHARDS),
    ];
  },
  measure: (records) => {
    const [one, shards] = records.map(numbers);
    return {
      sensors: records[0].spec.sensors,
      sent: shards.sent,
      scheduled: records[1].generator.summary.messages.scheduled,
      rssMB: shards.peakRssMB,
      cpuSeconds: shards.cpuSeconds,
      latenessP99Ms: shards.latenessP99Ms,
      sentOne: one.sent,
      lostShards: shards.lost,
      balancedShards: shards.balanced,
      brokerReceived: shards.brokerReceived,
      cpuSecondsOne: one.cpuSeconds,
      peakRssMBOne: one.peakRssMB,
      e2eP99MsOne: one.e2eP99Ms,
      e2eP99MsShards: shards.e2eP99Ms,
      startSpreadMs: shards.startSpreadMs,
    };
  },
  targets: [
    {
      label: "merged ledger balanced",
      check: (m) => m.balancedShards === null ? null : m.balancedShards === 1,
    },
    { label: "merged lost = 0", check: (m) => m.lostShards === null ? null : m.lostShards === 0 },
    {
      label: "broker received = merged sent",
      check: (m) =>
        m.brokerReceived === null || m.sent === null ? null : m.brokerReceived === m.sent,
    },
  ],
  headline: (m) =>
    `3 shards: ${count(m.sent)} sent, lost ${count(m.lostShards)}, CPU ${
      fixed(m.cpuSeconds, 1)
    } s, ` +
    `RSS ${fixed(m.rssMB, 0)} MB (sum), start spread ${fixed(m.startSpreadMs, 0)} ms; ` +
    `1 process: ${count(m.sentOne)} sent, CPU ${fixed(m.cpuSecondsOne, 1)} s, RSS ${
      fixed(m.peakRssMBOne, 0)
    } MB`,
};
