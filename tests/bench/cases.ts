/**
 * The benchmark cases: which generator runs each one makes (full and `--quick` sizes),
 * the numbers it takes from them, and the targets those numbers are held to.
 *
 * @module
 */
import type { Summary } from "../../lib/metrics/summary.ts";
import { brokerRateBetween } from "./broker_counter.ts";
import {
  cpuRateBetween,
  lastPeakRssKb,
  maxRssKbBetween,
  type ProcessSample,
  rampMsFromFds,
} from "./process_sampler.ts";
import type { BenchCase, CaseMetrics, RunRecord, RunSpec, Target } from "./case_types.ts";
import { SHARDS_CASE } from "./shards_case.ts";
import { formatCount as count, formatFixed as fixed, formatMs as ms } from "./bench_table.ts";

/** `/proc` sampling period of most runs (ms). */
const SAMPLE_MS = 100;
/**
 * The connect case samples descriptors every 10 ms: a `--quick` ramp of 2,000 takes a
 * few hundred ms. A reading costs about 0.1 ms, so the sampler stays below 1% of a core.
 */
const FAST_SAMPLE_MS = 10;
/** Hold-window edges within this of a phase change are left out (ms): the timeline ticks drift. */
const EDGE_MS = 250;
/** The idle memory is the peak VmRSS in this last stretch of the hold (ms), at most half of it. */
const IDLE_TAIL_MS = 5_000;

const SEED_FLAGS = ["--qos", "0", "--payload-size", "200", "--interval", "5s"];
const IDLE_FLAGS = ["--interval", "1h", "--no-probe", "--connect-rate", "5000"];
const CONNECT_FLAGS = [
  "--connect-rate",
  "20000",
  "--connect-concurrency",
  "100",
  "--interval",
  "1h",
  "--no-probe",
];
const FLOOD_FLAGS = ["--payload-size", "60", "--flood", "--no-probe"];

/** Every send the schedule asked for was written to a socket. */
const ALL_SENT: Target = { label: "sent = scheduled", check: (m) => equal(m.sent, m.scheduled) };
/** The broker counted every message the generator says it sent. */
const BROKER_GOT_ALL: Target = {
  label: "broker received = sent",
  check: (m) => equal(m.brokerReceived, m.sent),
};

/** Every case, in the order the benchmark runs them. */
export const BENCH_CASES: readonly BenchCase[] = [
  {
    name: "seed",
    about: "QoS 0, 200-byte payloads every 5 s, no probe: peak RSS, CPU, counts",
    runs: (quick) => [
      runSpec("seed", quick ? 1_000 : 5_000, quick ? 3_000 : 30_000, [
        ...SEED_FLAGS,
        "--no-probe",
      ]),
    ],
    measure: (records) => commonMetrics(records[0]),
    targets: [
      { label: "peak RSS <= 150 MB", check: (m) => atMost(m.rssMB, 150) },
      { label: "CPU <= 3.5 s", check: (m) => atMost(m.cpuSeconds, 3.5) },
      ALL_SENT,
      BROKER_GOT_ALL,
    ],
    headline: (m) => `stretch target RSS < 121 MB: ${yesNo(below(m.rssMB, 121))}`,
  },
  {
    name: "seed-probe",
    about: "seed with the end-to-end probe subscriber on",
    runs: (quick) => [
      runSpec("seed-probe", quick ? 1_000 : 5_000, quick ? 3_000 : 30_000, SEED_FLAGS),
    ],
    measure: (records) => {
      const { summary } = records[0].generator;
      return {
        ...commonMetrics(records[0]),
        received: summary.messages.received,
        lost: summary.messages.lost,
        e2eP99Ms: summary.latencyMs.e2e.p99,
      };
    },
    targets: [
      { label: "peak RSS <= 180 MB", check: (m) => atMost(m.rssMB, 180) },
      { label: "CPU <= 5 s", check: (m) => atMost(m.cpuSeconds, 5) },
      ALL_SENT,
      BROKER_GOT_ALL,
      { label: "lost = 0", check: (m) => equal(m.lost, 0) },
    ],
    headline: (m) =>
      `probe received ${count(m.received)}, lost ${count(m.lost)}, e2e p99 ${ms(m.e2eP99Ms)}`,
  },
  {
    name: "seed-18k",
    about: "the seed workload at 18,000 sensors: lateness and memory near one host's port limit",
    runs: (quick) => [
      runSpec("seed-18k", quick ? 3_000 : 18_000, quick ? 3_000 : 30_000, [
        ...SEED_FLAGS,
        "--no-probe",
        "--connect-rate",
        "5000",
      ]),
    ],
    measure: (records) => commonMetrics(records[0]),
    targets: [
      { label: "lateness p99 <= 10 ms", check: (m) => atMost(m.latenessP99Ms, 10) },
      { label: "peak RSS <= 300 MB", check: (m) => atMost(m.rssMB, 300) },
      ALL_SENT,
      BROKER_GOT_ALL,
    ],
    // Past about 14,000 connections from one address the kernel's port search costs a
    // core with Linux's default range (iotload warns): the range is part of the result.
    headline: (m) =>
      `lateness p99 ${ms(m.latenessP99Ms)}, peak RSS ${
        fixed(m.rssMB, 1)
      } MB (ports ${localPortRange()})`,
  },
  {
    name: "idle",
    about: "connections held idle: memory per connection against a 1-sensor run",
    runs: (quick) => {
      const durationMs = quick ? 3_000 : 20_000;
      return [
        runSpec("idle", quick ? 3_000 : 15_000, durationMs, IDLE_FLAGS),
        runSpec("idle-baseline", 1, durationMs, IDLE_FLAGS),
      ];
    },
    // The 1-sensor baseline is idle once started: running it beside the fleet halves
    // the case's time and leaves both memory readings as they would be alone.
    together: true,
    measure: (records) => {
      const [fleet, baseline] = records;
      const fleetKb = holdTailRssKb(fleet);
      const baselineKb = holdTailRssKb(baseline);
      const extra = fleet.spec.sensors - baseline.spec.sensors;
      return {
        ...commonMetrics(fleet),
        holdRssMB: fleetKb === null ? null : fleetKb / 1024,
        baselineHoldRssMB: baselineKb === null ? null : baselineKb / 1024,
        perConnectionKB: fleetKb === null || baselineKb === null
          ? null
          : (fleetKb - baselineKb) / extra,
      };
    },
    targets: [
      { label: "<= 10 KB per connection", check: (m) => atMost(m.perConnectionKB, 10) },
      { label: "no connection failed", check: (m) => equal(m.connectionsFailed, 0) },
    ],
    headline: (m) =>
      `${fixed(m.perConnectionKB, 1)} KB/conn (hold RSS ${fixed(m.holdRssMB, 1)} MB vs ${
        fixed(m.baselineHoldRssMB, 1)
      } MB for 1)`,
  },
  {
    name: "connect",
    about: "ramp-up at --connect-rate 20000 --connect-concurrency 100: connections per second",
    runs: (quick) => [
      runSpec("connect", quick ? 2_000 : 10_000, 2_000, CONNECT_FLAGS, FAST_SAMPLE_MS),
    ],
    measure: (records) => {
      const record = records[0];
      const rampMs = rampMsFromFds(record.generator.samples, record.spec.sensors);
      return {
        ...commonMetrics(record),
        rampMs,
        connectionsPerSec: rampMs === null ? null : record.spec.sensors / (rampMs / 1000),
        connectP50Ms: record.generator.summary.latencyMs.connect.p50,
      };
    },
    targets: [
      { label: ">= 6,500 conn/s", check: (m) => atLeast(m.connectionsPerSec, 6_500) },
      { label: "no connection failed", check: (m) => equal(m.connectionsFailed, 0) },
    ],
    headline: (m) =>
      `${count(m.connectionsPerSec)} conn/s (ramp ${count(m.rampMs)} ms; connect p50 ${
        ms(m.connectP50Ms)
      }, p99 ${ms(m.connectP99Ms)})`,
  },
  floodCase("flood-qos0", "0", [
    { label: ">= 110,000 msg/s", check: (m) => atLeast(m.msgPerSec, 110_000) },
    { label: "<= 7 us/msg", check: (m) => atMost(m.cpuUsPerMsg, 7) },
  ]),
  floodCase("flood-qos1", "1", []),
  {
    name: "schedule",
    about: "every sensor every 1 s: the generator's own lateness",
    runs: (quick) => [
      runSpec("schedule", quick ? 2_000 : 10_000, quick ? 4_000 : 30_000, [
        "--interval",
        "1s",
        "--no-probe",
        // A short ramp leaves the hold, where the timing wheel is under full load, as
        // most of what the lateness histogram holds.
        "--connect-rate",
        "5000",
      ]),
    ],
    measure: (records) => commonMetrics(records[0]),
    targets: [
      { label: "lateness p99 <= 10 ms", check: (m) => atMost(m.latenessP99Ms, 10) },
      ALL_SENT,
      BROKER_GOT_ALL,
    ],
    headline: (m) => `lateness p99 ${ms(m.latenessP99Ms)}`,
  },
  {
    name: "workers",
    about: "flood-qos0 with --workers 2 and --workers 1: CPU per message should stay flat",
    runs: (quick) => [
      runSpec("workers-2", 50, floodMs(quick), [...FLOOD_FLAGS, "--qos", "0", "--workers", "2"]),
      runSpec("workers-1", 50, floodMs(quick), [...FLOOD_FLAGS, "--qos", "0", "--workers", "1"]),
    ],
    measure: (records) => {
      const [two, one] = records.map(floodMetrics);
      return {
        ...commonMetrics(records[0]),
        msgPerSecW2: two.msgPerSec,
        cpuUsPerMsgW2: two.cpuUsPerMsg,
        msgPerSecW1: one.msgPerSec,
        cpuUsPerMsgW1: one.cpuUsPerMsg,
        cpuPerMsgRatio: two.cpuUsPerMsg === null || one.cpuUsPerMsg === null
          ? null
          : two.cpuUsPerMsg / one.cpuUsPerMsg,
      };
    },
    targets: [
      { label: "CPU/msg 2 vs 1 worker <= x1.2", check: (m) => atMost(m.cpuPerMsgRatio, 1.2) },
    ],
    headline: (m) =>
      `--workers 2: ${count(m.msgPerSecW2)} msg/s, ${fixed(m.cpuUsPerMsgW2, 2)} us/msg; ` +
      `--workers 1: ${count(m.msgPerSecW1)} msg/s, ${fixed(m.cpuUsPerMsgW1, 2)} us/msg; ` +
      `CPU/msg x${fixed(m.cpuPerMsgRatio, 2)}`,
  },
  SHARDS_CASE,
];

/** The host's ephemeral port range, as `/proc` gives it, or `unknown`. */
function localPortRange(): string {
  try {
    return Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").trim().replace(
      /\s+/,
      "-",
    );
  } catch {
    return "unknown";
  }
}

/** The cases named `names`, in benchmark order; throws naming any unknown one. */
export function selectCases(names: readonly string[]): BenchCase[] {
  if (names.length === 0) return [...BENCH_CASES];
  const known = new Set(BENCH_CASES.map((benchCase) => benchCase.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown case ${unknown.join(", ")} (known: ${[...known].join(", ")})`,
    );
  }
  return BENCH_CASES.filter((benchCase) => names.includes(benchCase.name));
}

/** The median of each metric over repetitions (nulls left out; null when all are null). */
export function medianMetrics(repetitions: readonly CaseMetrics[]): CaseMetrics {
  const keys = [...new Set(repetitions.flatMap((metrics) => Object.keys(metrics)))];
  const result: CaseMetrics = {};
  for (const key of keys) {
    const values = repetitions
      .map((metrics) => metrics[key])
      .filter((value): value is number => value !== null && value !== undefined)
      .sort((a, b) => a - b);
    const middle = Math.floor(values.length / 2);
    result[key] = values.length === 0
      ? null
      : values.length % 2 === 1
      ? values[middle]
      : (values[middle - 1] + values[middle]) / 2;
  }
  return result;
}

/**
 * The hold phase of a run in epoch ms, from its summary: it starts at the timeline
 * second in which every sensor had connected (or failed) and lasts `rates.windowMs`.
 * Null when the run never finished its ramp-up.
 */
export function holdWindow(summary: Summary): { fromMs: number; toMs: number } | null {
  const settled = summary.connections.target - summary.connections.failed;
  const point = summary.timeline.find((second) => second.connected >= settled);
  if (point === undefined || summary.rates.windowMs <= 0) return null;
  const fromMs = Date.parse(summary.startedAt) + point.t * 1000;
  return { fromMs, toMs: fromMs + summary.rates.windowMs };
}

function runSpec(
  label: string,
  sensors: number,
  durationMs: number,
  flags: readonly string[],
  sampleIntervalMs = SAMPLE_MS,
): RunSpec {
  return {
    label,
    sensors,
    durationMs,
    sampleIntervalMs,
    args: ["--sensors", String(sensors), "--duration", `${durationMs / 1000}s`, ...flags],
  };
}

function floodMs(quick: boolean): number {
  return quick ? 2_000 : 10_000;
}

function floodCase(name: string, qos: string, targets: readonly Target[]): BenchCase {
  return {
    name,
    about: `50 connections publishing back-to-back (--flood), QoS ${qos}, 60-byte payloads`,
    runs: (quick) => [runSpec(name, 50, floodMs(quick), [...FLOOD_FLAGS, "--qos", qos])],
    measure: (records) => ({ ...commonMetrics(records[0]), ...floodMetrics(records[0]) }),
    targets: [...targets, BROKER_GOT_ALL],
    headline: (m) =>
      `${count(m.msgPerSec)} msg/s${m.brokerMsgPerSec === null ? " (sent rate)" : ""}, ${
        fixed(m.cpuUsPerMsg, 2)
      } us/msg; broker ${fixed(m.brokerCores, 2)} cores${
        (m.brokerCores ?? 0) >= 0.9 ? " (broker-bound)" : ""
      }`,
  };
}

/**
 * Flood numbers over the hold: the broker's rate between its `$SYS` refreshes (the
 * generator's sent rate when fewer than two refreshes fell in the hold), CPU per message
 * (CPU used per second over messages sent per second) and the broker's cores in use.
 */
function floodMetrics(record: RunRecord): CaseMetrics {
  const { summary, samples } = record.generator;
  const hold = holdWindow(summary);
  const sentPerSec = summary.rates.sentPerSec;
  if (hold === null) {
    return {
      msgPerSec: null,
      brokerMsgPerSec: null,
      sentPerSec,
      cpuUsPerMsg: null,
      brokerCores: null,
    };
  }
  const fromMs = hold.fromMs + EDGE_MS;
  const toMs = hold.toMs - EDGE_MS;
  const brokerMsgPerSec = brokerRateBetween(record.broker.updates, fromMs, toMs);
  const cores = cpuRateBetween(samples, fromMs, toMs);
  return {
    msgPerSec: brokerMsgPerSec ?? sentPerSec,
    brokerMsgPerSec,
    sentPerSec,
    cpuUsPerMsg: cores === null || sentPerSec <= 0 ? null : (cores / sentPerSec) * 1e6,
    brokerCores: cpuRateBetween(record.broker.samples, fromMs, toMs),
  };
}

/** The columns every case shows, from the run that case describes first. */
function commonMetrics(record: RunRecord): CaseMetrics {
  const { summary, samples } = record.generator;
  const peakKb = lastPeakRssKb(samples);
  return {
    sensors: record.spec.sensors,
    rssMB: peakKb === null ? null : peakKb / 1024,
    cpuSeconds: samples.at(-1)?.cpuSeconds ?? null,
    scheduled: summary.messages.scheduled,
    sent: summary.messages.sent,
    // The probe publishes marker messages to prove its subscription: not telemetry.
    brokerReceived: record.broker.received === null
      ? null
      : record.broker.received - (summary.ledger.markers ?? 0),
    // A histogram with nothing in it reports 0; a flood has no schedule to be late for.
    latenessP99Ms: summary.latencyMs.lateness.count > 0 ? summary.latencyMs.lateness.p99 : null,
    connectP99Ms: summary.latencyMs.connect.p99,
    connectionsFailed: summary.connections.failed,
    brokerCpuSeconds: cpuSpent(record.broker.samples),
  };
}

/** Peak VmRSS over the last seconds of the hold (KiB): idle memory before disconnecting. */
function holdTailRssKb(record: RunRecord): number | null {
  const hold = holdWindow(record.generator.summary);
  if (hold === null) return null;
  const tailMs = Math.min(IDLE_TAIL_MS, (hold.toMs - hold.fromMs) / 2);
  return maxRssKbBetween(record.generator.samples, hold.toMs - tailMs, hold.toMs - EDGE_MS);
}

function cpuSpent(samples: readonly ProcessSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  return first === undefined || last === undefined ? null : last.cpuSeconds - first.cpuSeconds;
}

function below(value: number | null, limit: number): boolean | null {
  return value === null ? null : value < limit;
}

function atMost(value: number | null, limit: number): boolean | null {
  return value === null ? null : value <= limit;
}

function atLeast(value: number | null, limit: number): boolean | null {
  return value === null ? null : value >= limit;
}

function equal(value: number | null, expected: number | null): boolean | null {
  return value === null || expected === null ? null : value === expected;
}

function yesNo(value: boolean | null): string {
  return value === null ? "n/a" : value ? "yes" : "no";
}
