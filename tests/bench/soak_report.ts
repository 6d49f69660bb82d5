/**
 * What the fault soak prints: the table (RSS by mark, recovery per restart, reconnect
 * latency, the ledger) and one JSON line (`{"case":"soak",...}`), and the reasons it
 * exits 1.
 *
 * @module
 */
import { describeRunFailure, KILL_GRACE_MS } from "./run_generator.ts";
import type { LatencyStats } from "../../lib/metrics/histogram.ts";
import type { Summary } from "../../lib/metrics/summary.ts";
import { type Column, formatCount, formatFixed, formatTable } from "./bench_table.ts";
import { lastPeakRssKb } from "./process_sampler.ts";
import type { SoakRecord } from "./soak_plan.ts";
import {
  GROWTH_LIMIT_PCT,
  measureRecovery,
  measureRssTrend,
  readLedger,
  type Recovery,
  restartOffsetsMs,
  type RestartRecord,
  type RssTrend,
  type SoakLedger,
} from "./soak_analysis.ts";

/** One restart with how the fleet came back from it. */
interface RestartOutcome {
  readonly restart: RestartRecord;
  /** Offset of the kill into the hold, in ms. */
  readonly atMs: number;
  /** Null when the generator produced no summary. */
  readonly recovery: Recovery | null;
}

/** The numbers of a soak, worked out once for the table, the JSON line and the exit code. */
interface SoakFigures {
  readonly summary: Summary | null;
  readonly restarts: readonly RestartOutcome[];
  readonly trend: RssTrend;
  readonly ledger: SoakLedger | null;
  readonly reconnect: LatencyStats | null;
  readonly peakRssKb: number | null;
  readonly cpuSeconds: number | null;
  /** Why the soak could not be measured, or null. */
  readonly error: string | null;
}

const KB_PER_MB = 1024;

function figure(record: SoakRecord): SoakFigures {
  const generator = record.generator;
  const summary = generator?.summary ?? null;
  const holdStartMs = record.holdStartMs ?? 0;
  const holdEndMs = holdStartMs + record.plan.durationMs;
  const restarts = record.restarts.map((restart, i): RestartOutcome => ({
    restart,
    atMs: restart.killedAtMs - holdStartMs,
    recovery: summary === null ? null : measureRecovery(
      summary,
      restart.killedAtMs,
      record.restarts[i + 1]?.killedAtMs ?? holdEndMs,
    ),
  }));
  const firstRestartOffsetMs = restartOffsetsMs(record.plan.durationMs, record.plan.restartEveryMs)
    .at(0) ?? 0;
  return {
    summary,
    restarts,
    trend: measureRssTrend(record.rssMarks, firstRestartOffsetMs),
    ledger: summary === null ? null : readLedger(summary),
    reconnect: summary?.latencyMs.reconnect ?? null,
    peakRssKb: generator === null ? null : lastPeakRssKb(generator.samples),
    cpuSeconds: generator?.samples.at(-1)?.cpuSeconds ?? null,
    error: record.error ?? describeGeneratorFailure(record),
  };
}

function describeGeneratorFailure(record: SoakRecord): string | null {
  const run = record.generator;
  if (run === null) return "the generator did not run";
  return describeRunFailure(run, KILL_GRACE_MS);
}

/**
 * Why the soak failed, one line each (empty when it passed): not measured, a restart
 * not made or failed, the fleet not all back after a restart, or a ledger identity
 * broken. Memory growth is reported, not enforced.
 */
export function soakFailures(record: SoakRecord): string[] {
  const figures = figure(record);
  const failures: string[] = [];
  if (figures.error !== null) failures.push(figures.error);
  const planned = restartOffsetsMs(record.plan.durationMs, record.plan.restartEveryMs).length;
  if (figures.error === null && record.restarts.length < planned) {
    failures.push(`${record.restarts.length} of ${planned} restarts were made`);
  }
  for (const [i, { restart, recovery }] of figures.restarts.entries()) {
    if (restart.error !== null) failures.push(`restart ${i + 1} failed: ${restart.error}`);
    else if (recovery !== null && recovery.allBackMs === null) {
      failures.push(`restart ${i + 1}: the fleet was not all connected again before the next`);
    }
  }
  if (figures.ledger !== null && !figures.ledger.scheduledBalanced) {
    failures.push("scheduled != sent + backpressured + offlineDropped");
  }
  if (figures.ledger !== null && !figures.ledger.sentBalanced) {
    failures.push("sent != acked + failed");
  }
  return failures;
}

const RSS_COLUMNS: readonly Column[] = [
  { header: "hold s", right: true },
  { header: "VmRSS MB", right: true },
  { header: "note" },
];

const RESTART_COLUMNS: readonly Column[] = [
  { header: "restart", right: true },
  { header: "killed at s", right: true },
  { header: "down s", right: true },
  { header: "lowest conn", right: true },
  { header: "50% back s", right: true },
  { header: "99% back s", right: true },
  { header: "all back s", right: true },
  { header: "all back after up s", right: true },
  { header: "error" },
];

const LEDGER_COLUMNS: readonly Column[] = [
  { header: "counter" },
  { header: "total", right: true },
];

/** The soak's table: plan, RSS by mark and trend, restarts, reconnect latency, ledger. */
export function formatSoakTable(record: SoakRecord): string {
  const figures = figure(record);
  const { plan } = record;
  const restartAt = new Set(restartOffsetsMs(plan.durationMs, plan.restartEveryMs));
  const lines = [
    `iotload fault soak (${record.quick ? "quick" : "full"}: ${
      formatCount(plan.sensors)
    } sensors, QoS 1 every 1 s, --max-inflight 64, probe on; ${plan.durationMs / 1000} s hold; ` +
    `Mosquitto killed every ${plan.restartEveryMs / 1000} s, restarted after ${
      plan.downMs / 1000
    } s on the same port)`,
    "",
  ];
  if (figures.error !== null) lines.push(`error: ${figures.error}`, "");

  lines.push(
    formatTable(
      RSS_COLUMNS,
      record.rssMarks.map((mark) => [
        formatCount(mark.offsetMs / 1000),
        mark.rssKb === null ? "n/a" : formatFixed(mark.rssKb / KB_PER_MB, 1),
        mark.offsetMs === 0 ? "hold start" : restartAt.has(mark.offsetMs) ? "restart" : "",
      ]),
    ),
    describeTrend(figures.trend),
    "",
    formatTable(
      RESTART_COLUMNS,
      figures.restarts.map(({ restart, atMs, recovery }, i) => {
        const downMs = restart.upAtMs === null ? null : restart.upAtMs - restart.killedAtMs;
        return [
          String(i + 1),
          formatFixed(atMs / 1000, 1),
          seconds(downMs),
          formatCount(recovery?.lowestConnected),
          seconds(recovery?.halfBackMs),
          seconds(recovery?.p99BackMs),
          seconds(recovery?.allBackMs),
          seconds(
            recovery === null || recovery.allBackMs === null || downMs === null
              ? null
              : recovery.allBackMs - downMs,
          ),
          restart.error ?? "",
        ];
      }),
    ),
    "back s: from the kill until that share of the fleet was connected again, read from the" +
      " summary's per-second timeline (±1 s).",
    `reconnect (whole run, connection lost to CONNACK again): ${
      describeLatency(figures.reconnect)
    }`,
    "",
  );

  const ledger = figures.ledger;
  if (ledger !== null) {
    const rows: [string, number][] = [
      ["scheduled", ledger.scheduled],
      ["sent", ledger.sent],
      ["acked", ledger.acked],
      ["failed", ledger.failed],
      ["offlineDropped", ledger.offlineDropped],
      ["backpressured", ledger.backpressured],
      ["received", ledger.received],
      ["lost", ledger.lost],
      ["duplicates", ledger.duplicates],
      ["connections.disconnects", ledger.disconnects],
      ["connections.reconnects", ledger.reconnects],
    ];
    lines.push(
      formatTable(LEDGER_COLUMNS, rows.map(([name, value]) => [name, formatCount(value)])),
      `scheduled == sent + backpressured + offlineDropped: ${yesNo(ledger.scheduledBalanced)} (${
        formatCount(ledger.scheduled)
      } vs ${formatCount(ledger.sent + ledger.backpressured + ledger.offlineDropped)})`,
      `sent == acked + failed: ${yesNo(ledger.sentBalanced)} (${formatCount(ledger.sent)} vs ${
        formatCount(ledger.acked + ledger.failed)
      })`,
    );
  }
  const summary = figures.summary;
  lines.push(
    `generator: peak RSS ${
      figures.peakRssKb === null ? "n/a" : formatFixed(figures.peakRssKb / KB_PER_MB, 1)
    } MB (VmHWM), CPU ${formatFixed(figures.cpuSeconds, 1)} s; lateness p99 ${
      summary === null ? "n/a" : `${formatFixed(summary.latencyMs.lateness.p99, 1)} ms`
    }; verdict ${summary?.generator.verdict ?? "n/a"}${
      summary === null || summary.generator.verdictReasons.length === 0
        ? ""
        : ` (${summary.generator.verdictReasons.join("; ")})`
    }`,
  );
  return lines.join("\n");
}

/** The soak's JSON line: `{"case":"soak",...}`, sizes in MB, times in s or ms by name. */
export function formatSoakJson(record: SoakRecord): string {
  const figures = figure(record);
  const { plan } = record;
  const trend = figures.trend;
  const reconnect = figures.reconnect;
  return JSON.stringify({
    case: "soak",
    quick: record.quick,
    sensors: plan.sensors,
    durationS: plan.durationMs / 1000,
    restartEveryS: plan.restartEveryMs / 1000,
    downS: plan.downMs / 1000,
    rss: record.rssMarks.map((mark) => ({
      holdS: mark.offsetMs / 1000,
      rssMB: mark.rssKb === null ? null : round(mark.rssKb / KB_PER_MB),
    })),
    rssTrend: {
      samples: trend.samples,
      firstThirdMB: trend.firstThirdKb === null ? null : round(trend.firstThirdKb / KB_PER_MB),
      lastThirdMB: trend.lastThirdKb === null ? null : round(trend.lastThirdKb / KB_PER_MB),
      changePct: trend.changePct === null ? null : round(trend.changePct),
      slopeMBPerMin: trend.slopeKbPerMin === null ? null : round(trend.slopeKbPerMin / KB_PER_MB),
      verdict: trend.verdict,
    },
    restarts: figures.restarts.map(({ restart, atMs, recovery }) => ({
      atS: round(atMs / 1000),
      downS: restart.upAtMs === null ? null : round((restart.upAtMs - restart.killedAtMs) / 1000),
      lowestConnected: recovery?.lowestConnected ?? null,
      halfBackS: secondsOrNull(recovery?.halfBackMs),
      p99BackS: secondsOrNull(recovery?.p99BackMs),
      allBackS: secondsOrNull(recovery?.allBackMs),
      error: restart.error,
    })),
    reconnectMs: reconnect === null ? null : {
      count: reconnect.count,
      p50: reconnect.p50,
      p99: reconnect.p99,
      max: reconnect.max,
    },
    ledger: figures.ledger,
    peakRssMB: figures.peakRssKb === null ? null : round(figures.peakRssKb / KB_PER_MB),
    cpuSeconds: figures.cpuSeconds,
    latenessP99Ms: figures.summary?.latencyMs.lateness.p99 ?? null,
    verdict: figures.summary?.generator.verdict ?? null,
    error: figures.error,
  });
}

function describeTrend(trend: RssTrend): string {
  if (trend.verdict === "n/a") {
    return `trend: n/a (${trend.samples} reading${
      trend.samples === 1 ? "" : "s"
    } after the first restart; 3 needed)`;
  }
  const sign = trend.changePct! >= 0 ? "+" : "";
  return `trend after the first restart (${trend.samples} readings): first third ${
    formatFixed(trend.firstThirdKb! / KB_PER_MB, 1)
  } MB, last third ${formatFixed(trend.lastThirdKb! / KB_PER_MB, 1)} MB (${sign}${
    formatFixed(trend.changePct, 1)
  }%; slope ${formatFixed((trend.slopeKbPerMin ?? 0) / KB_PER_MB, 2)} MB/min): ${trend.verdict}` +
    ` (growth means over +${GROWTH_LIMIT_PCT}%)`;
}

function describeLatency(stats: LatencyStats | null): string {
  if (stats === null) return "n/a";
  return `count ${formatCount(stats.count)}, p50 ${formatFixed(stats.p50, 1)} ms, p99 ${
    formatFixed(stats.p99, 1)
  } ms, max ${formatFixed(stats.max, 1)} ms`;
}

function seconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "n/a" : formatFixed(ms / 1000, 1);
}

function secondsOrNull(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : round(ms / 1000);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function yesNo(value: boolean): string {
  return value ? "yes" : "NO";
}
