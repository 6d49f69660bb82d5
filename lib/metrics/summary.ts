import { LATENCY_NAMES, type LatencyName } from "./latency_names.ts";
import { FLEET_LATENCY_NAMES, type FleetMessageCounts } from "./fleet_tally.ts";
import type { LatencyStats } from "./histogram.ts";
import type { CommandCounts, MessageCounts, TimelinePoint } from "./run_counts.ts";
import type { RunMetrics } from "./run_metrics.ts";
import { describeFailedDevices, type FailedDeviceCount } from "./failed_devices.ts";
import type { MergedShards, ShardSection } from "./shard_result.ts";

/** The generator's own health, as numbers: fleet threads, CPU, memory, event-loop lag. */
export interface GeneratorNumbers {
  /** Fleet threads. */
  workers: number;
  /** CPU used, percent of one core. */
  cpuPercent: number;
  /** CPU time used, in s. */
  cpuSeconds: number;
  /** Resident memory at the end, in bytes. */
  rssBytes: number;
  /** Peak resident memory, in bytes. */
  peakRssBytes: number;
  /** p99 event-loop lag, in ms. */
  eventLoopLagP99Ms: number;
}

/** One fleet's part of a run. */
export interface FleetSummary {
  /** The fleet's name. */
  name: string;
  /** Its device profile. */
  profile: string;
  /** Its sensors. */
  sensors: number;
  /** The MQTT client its sensors used: `lean` (node:net + mqtt-packet) or `mqttjs`. */
  transport: string;
  /** Its message counts (same meanings as the run's; received, lost, duplicates need the probe). */
  messages: FleetMessageCounts;
  /** Its latency statistics, in ms. */
  latencyMs: Record<typeof FLEET_LATENCY_NAMES[number], LatencyStats>;
  /** Its encoded HDR histograms (as the run's), so merged fleets stay exact. */
  histograms: Record<typeof FLEET_LATENCY_NAMES[number], string>;
}

/** Outcome of one threshold against a summary. */
export interface ThresholdResult {
  /** The expression as written (trimmed). */
  expression: string;
  /** The summary value (in percent for a percent threshold), or null if missing. */
  actual: number | null;
  /** True when `actual` satisfies the threshold; false when `actual` is null. */
  ok: boolean;
}

/** Version of the JSON summary contract; bumped on any incompatible change. */
export const SUMMARY_SCHEMA_VERSION = 1;

/** Whether the generator kept up, in one word, with the reasons when it did not. */
export interface GeneratorVerdict {
  /** `ok`: the generator kept up; `generator-bound`: its own limits shaped the numbers. */
  readonly status: "ok" | "generator-bound";
  /** Plain-language reasons (empty when ok). */
  readonly reasons: readonly string[];
}

/** The JSON summary of a run: a stable contract, documented in README. */
export interface Summary {
  /** Contract version ({@linkcode SUMMARY_SCHEMA_VERSION}). */
  schemaVersion: number;
  /** The tool that wrote it. */
  tool: { name: string; version: string };
  /** The run's id, carried in every message's envelope (8 hex digits). */
  runId: string;
  /** Run start, ISO 8601. */
  startedAt: string;
  /** Run end, ISO 8601. */
  endedAt: string;
  /** Wall time from start to end, in ms. */
  durationMs: number;
  /** True when the run was stopped by a signal before its end. */
  interrupted: boolean;
  /** Why the run gave up early (broker unreachable or refusing), or null. */
  aborted: string | null;
  /** The broker the run talked to, and whether it was the embedded one. */
  broker: { url: string; embedded: boolean };
  /** The effective configuration, secrets replaced by `"***"`. */
  config: Record<string, unknown>;
  /**
   * Connection counts; `failed` is sensors that tried and never connected,
   * `notAttempted` those whose first attempt never ended (the run stopped first).
   */
  connections: {
    target: number;
    connected: number;
    peak: number;
    failed: number;
    notAttempted: number;
    attempts: number;
    attemptsFailed: number;
    disconnects: number;
    reconnects: number;
    churned: number;
    errors: Record<string, number>;
    /** Distinct devices whose connects failed, by category, with the first names. */
    failedDevices: Record<string, FailedDeviceCount>;
  };
  /** Command round trips (zero when no commands were sent). */
  commands: CommandCounts;
  /** Message counts (see {@linkcode MessageCounts}). */
  messages: MessageCounts;
  /**
   * Whether the probe covered the fleet and the ledger balances; `markers`: messages the
   * probe published to prove its subscription (the broker counts them beside telemetry).
   */
  ledger: { probe: boolean; balanced: boolean | null; note: string; markers?: number };
  /** Rates over the hold phase (after ramp-up), in messages per second. */
  rates: {
    targetPerSec: number;
    sentPerSec: number;
    ackedPerSec: number;
    receivedPerSec: number;
    windowMs: number;
  };
  /** Latency statistics in ms. */
  latencyMs: Record<LatencyName, LatencyStats>;
  /** Values above each histogram's range (counted at its top, never resized). */
  overflow: Record<LatencyName, number>;
  /** Encoded HDR histograms (compressed base64, microseconds), mergeable. */
  histograms: Record<LatencyName, string>;
  /** One point per second. */
  timeline: TimelinePoint[];
  /** The first few distinct error messages. */
  errorSamples: string[];
  /** Each fleet's own counts and latencies, in scenario order (beside the totals). */
  fleets: FleetSummary[];
  /** The generator's own health. */
  generator: GeneratorNumbers & {
    verdict: GeneratorVerdict["status"];
    verdictReasons: readonly string[];
  };
  /** Threshold results; empty when none were given. */
  thresholds: ThresholdResult[];
  /** What this shard drove and saw, for `iotload merge` (runs with `--shard` only). */
  shard?: ShardSection;
  /** The shards a merged summary was made of (`iotload merge` only). */
  shards?: MergedShards;
}

/** Facts about a run that are not metrics. */
export interface RunFacts {
  /** Tool version. */
  readonly version: string;
  /** The run's id. */
  readonly runId: string;
  /** Start and end, ms since the Unix epoch. */
  readonly startedAtMs: number;
  /** End, ms since the Unix epoch. */
  readonly endedAtMs: number;
  /** Stopped by a signal. */
  readonly interrupted: boolean;
  /** Reason of an early give-up, or null. */
  readonly aborted: string | null;
  /** Broker URL (credentials removed) and whether it is embedded. */
  readonly broker: { url: string; embedded: boolean };
  /** Redacted configuration. */
  readonly config: Record<string, unknown>;
  /** The scenario's fleets, in order. */
  readonly fleets?: readonly {
    name: string;
    profile: string;
    count: number;
    /** The MQTT client its sensors used (`lean` or `mqttjs`). */
    transport?: string;
  }[];
  /** Sensors that tried and never connected. */
  readonly neverConnected: number;
  /** Sensors whose first connect attempt never ended (the run stopped before). */
  readonly notAttempted: number;
  /** Target rate, messages per second. */
  readonly targetPerSec: number;
  /** Counts at the start of the hold phase, and its length in ms (rates window). */
  readonly holdWindow: {
    sent: number;
    acked: number;
    received: number;
    ms: number;
  };
  /** Whether a probe ran (connected and subscribed). */
  readonly probe: boolean;
  /** Marker messages the probe published; default 0. */
  readonly markers?: number;
  /**
   * Whether `lost` was reconciled against every sensor's sent count after the drain;
   * default true. False for a summary taken before (a hard exit).
   */
  readonly reconciled?: boolean;
  /** Generator health at the end. */
  readonly health: GeneratorNumbers & { wallSeconds: number };
  /** The shard's section; null or absent without `--shard`. */
  readonly shard?: ShardSection | null;
}

/** Lateness p99 past which the generator, not the broker, shaped the numbers, in ms. */
export const LATENESS_BOUND_MS = 50;
/** Event-loop lag p99 past which the generator was saturated, in ms. */
export const EVENT_LOOP_LAG_BOUND_MS = 50;
/** CPU past which one event loop is saturated, in percent of one core per worker. */
export const CPU_BOUND_PERCENT = 90;

/** Shortest run whose CPU figure says anything about the steady state, in seconds. */
const MIN_WALL_FOR_CPU_VERDICT_SEC = 5;

/** Builds the summary from a run's metrics and facts (thresholds are added after). */
export function buildSummary(metrics: RunMetrics, facts: RunFacts): Summary {
  const h = metrics.histograms;
  const messages = { ...metrics.messages };
  const holdSec = facts.holdWindow.ms / 1000;
  const perSec = (now: number, before: number) =>
    holdSec > 0 ? Math.round(((now - before) / holdSec) * 10) / 10 : 0;
  const latencyMs = mapLatencies((name) => h[name].statsMs());
  const verdict = judgeGenerator(latencyMs.lateness.p99, facts.health);
  const failedDevices = metrics.failedDevices.counts();
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    tool: { name: "iotload", version: facts.version },
    runId: facts.runId,
    startedAt: new Date(facts.startedAtMs).toISOString(),
    endedAt: new Date(facts.endedAtMs).toISOString(),
    durationMs: Math.round(facts.endedAtMs - facts.startedAtMs),
    interrupted: facts.interrupted,
    aborted: facts.aborted,
    broker: facts.broker,
    config: facts.config,
    connections: {
      target: metrics.connections.target,
      connected: metrics.connections.connected,
      peak: metrics.connections.peak,
      failed: facts.neverConnected,
      notAttempted: facts.notAttempted,
      attempts: metrics.connections.attempts,
      attemptsFailed: metrics.connections.attemptsFailed,
      disconnects: metrics.connections.disconnects,
      reconnects: metrics.connections.reconnects,
      churned: metrics.connections.churned,
      errors: { ...metrics.errors },
      failedDevices,
    },
    commands: { ...metrics.commands },
    messages,
    ledger: {
      ...describeLedger(facts.probe, facts.reconciled ?? true, messages, facts.shard ?? null),
      markers: facts.markers ?? 0,
    },
    rates: {
      targetPerSec: Math.round(facts.targetPerSec * 10) / 10,
      sentPerSec: perSec(messages.sent, facts.holdWindow.sent),
      ackedPerSec: perSec(messages.acked, facts.holdWindow.acked),
      receivedPerSec: perSec(messages.received, facts.holdWindow.received),
      windowMs: Math.round(facts.holdWindow.ms),
    },
    latencyMs,
    overflow: mapLatencies((name) => h[name].overflowCount),
    histograms: mapLatencies((name) => h[name].encode()),
    timeline: [...metrics.timeline],
    // Which devices failed comes first: "37 devices refused: dev-0012, ...".
    errorSamples: [
      ...Object.entries(failedDevices).map(([category, count]) =>
        describeFailedDevices(category, count)
      ),
      ...metrics.errorSamples,
    ],
    fleets: (facts.fleets ?? []).map((fleet, n) => ({
      name: fleet.name,
      profile: fleet.profile,
      sensors: fleet.count,
      transport: fleet.transport ?? "mqttjs",
      messages: { ...metrics.fleets[n].messages },
      latencyMs: Object.fromEntries(
        FLEET_LATENCY_NAMES.map((name) => [name, metrics.fleets[n].histograms[name].statsMs()]),
      ) as FleetSummary["latencyMs"],
      histograms: Object.fromEntries(
        FLEET_LATENCY_NAMES.map((name) => [name, metrics.fleets[n].histograms[name].encode()]),
      ) as FleetSummary["histograms"],
    })),
    generator: {
      workers: facts.health.workers,
      cpuPercent: facts.health.cpuPercent,
      cpuSeconds: facts.health.cpuSeconds,
      rssBytes: facts.health.rssBytes,
      peakRssBytes: facts.health.peakRssBytes,
      eventLoopLagP99Ms: facts.health.eventLoopLagP99Ms,
      verdict: verdict.status,
      verdictReasons: verdict.reasons,
    },
    thresholds: [],
    ...(facts.shard === null || facts.shard === undefined ? {} : { shard: facts.shard }),
  };
}

function mapLatencies<T>(pick: (name: LatencyName) => T): Record<LatencyName, T> {
  return Object.fromEntries(LATENCY_NAMES.map((name) => [name, pick(name)])) as Record<
    LatencyName,
    T
  >;
}

function describeLedger(
  probe: boolean,
  reconciled: boolean,
  m: MessageCounts,
  shard: ShardSection | null,
): Summary["ledger"] {
  if (!probe) {
    return {
      probe,
      balanced: null,
      note: "probe off: received, lost and e2e not measured",
    };
  }
  if (shard !== null && shard.count > 1) {
    return {
      probe,
      balanced: null,
      note: `shard ${shard.index}/${shard.count}: its probe shares the run's subscription ` +
        "group and saw part of every shard's messages; iotload merge judges loss",
    };
  }
  if (!reconciled) {
    const unaccounted = m.sent - m.received - m.lost;
    return {
      probe,
      balanced: null,
      note:
        `ended before the drain: lost counts only gaps below each sensor's latest received message; ${unaccounted} sent message(s) not yet accounted for`,
    };
  }
  const balanced = m.sent === m.received + m.lost;
  return {
    probe,
    balanced,
    note: balanced
      ? "sent = received + lost"
      : `sent (${m.sent}) != received (${m.received}) + lost (${m.lost}): the probe saw messages it did not expect`,
  };
}

/**
 * Decides whether the generator kept up: lateness, event-loop lag or CPU past their
 * bounds mean the numbers describe the generator too, not only the broker.
 */
export function judgeGenerator(
  latenessP99Ms: number,
  health: RunFacts["health"],
): GeneratorVerdict {
  const reasons: string[] = [];
  if (latenessP99Ms > LATENESS_BOUND_MS) {
    reasons.push(
      `sends were late: lateness p99 ${latenessP99Ms} ms > ${LATENESS_BOUND_MS} ms`,
    );
  }
  if (health.eventLoopLagP99Ms > EVENT_LOOP_LAG_BOUND_MS) {
    reasons.push(
      `event loop lagged: p99 ${health.eventLoopLagP99Ms} ms > ${EVENT_LOOP_LAG_BOUND_MS} ms`,
    );
  }
  // Below a few seconds start-up work dominates the CPU figure.
  if (
    health.wallSeconds >= MIN_WALL_FOR_CPU_VERDICT_SEC &&
    health.cpuPercent > CPU_BOUND_PERCENT * health.workers
  ) {
    reasons.push(
      `CPU saturated: ${health.cpuPercent}% of ${health.workers} core(s)`,
    );
  }
  return { status: reasons.length === 0 ? "ok" : "generator-bound", reasons };
}
