/**
 * Two runs side by side: the headline figures of a base and a new summary, each with
 * its change in percent, called a regression or an improvement only when it leaves
 * the noise band; latency percentiles are read from the HDR histograms. `--fail-on`
 * gates (`e2e.p99>+10%`) name metrics as thresholds do.
 *
 * @module
 */
import { UsageError } from "../config/usage_error.ts";
import { LatencyHistogram } from "../metrics/histogram.ts";
import type { LatencyName } from "../metrics/latency_names.ts";
import type { Summary } from "../metrics/summary.ts";
import { metricPathOf } from "./thresholds.ts";

/** Which way a metric gets better. */
export type Better = "higher" | "lower";

/** How a change is judged against the noise band. */
export type Verdict = "same" | "within noise" | "improvement" | "regression" | "not in both";

/** How a row's numbers are shown. */
export type RowUnit = "rate" | "ms" | "count" | "percent" | "seconds" | "bytes";

/** One compared figure. */
export interface ComparedRow {
  /** Metric path as thresholds name it (`e2e.p99`, `rates.sentPerSec`). */
  readonly metric: string;
  /** How its numbers are shown. */
  readonly unit: RowUnit;
  /** Which way is better. */
  readonly better: Better;
  /** The base run's value; null when it measured none (no acks at QoS 0). */
  readonly base: number | null;
  /** The new run's value; null when it measured none. */
  readonly new: number | null;
  /** Change from base to new in percent; null when the base is 0 and the new is not, or a side has none. */
  readonly changePct: number | null;
  /** The change judged against the noise band. */
  readonly verdict: Verdict;
}

/** One `--fail-on` gate and how the comparison met it. */
export interface FailOnResult {
  /** The gate as written. */
  readonly expression: string;
  /** The base and new values and their change. */
  readonly row: ComparedRow;
  /** Whether the change stayed inside the gate. */
  readonly ok: boolean;
}

/** The whole comparison. */
export interface Comparison {
  /** Which runs: ids and start times. */
  readonly base: RunLabel;
  /** The new run. */
  readonly new: RunLabel;
  /** Changes within ±this percent are noise. */
  readonly noisePct: number;
  /** Every compared figure, in table order. */
  readonly rows: readonly ComparedRow[];
  /** Settings the two runs' configurations differ in, as `name: base → new`. */
  readonly settingsDiffer: readonly string[];
  /** The `--fail-on` gates. */
  readonly failOn: readonly FailOnResult[];
}

/** A run as the comparison names it. */
export interface RunLabel {
  /** The run's id. */
  readonly runId: string;
  /** When it started (ISO 8601). */
  readonly startedAt: string;
}

/** A parsed `--fail-on` gate: fail when the change passes `limitPct` in `op`'s direction. */
export interface FailOn {
  /** The gate as written. */
  readonly expression: string;
  /** The metric as thresholds name it. */
  readonly metric: string;
  /** `>`: fail when the change is above the limit; `<`: below. */
  readonly op: ">" | "<";
  /** The limit, in percent (`+10%` is 10). */
  readonly limitPct: number;
}

const COMPARED_LATENCIES: readonly LatencyName[] = ["connect", "ack", "e2e", "lateness"];
const PERCENTILES = [["p50", 50], ["p99", 99], ["p999", 99.9]] as const;
const LATENCY_STAT_PERCENTILE: Readonly<Record<string, number>> = {
  min: 0,
  p50: 50,
  p90: 90,
  p99: 99,
  p999: 99.9,
  max: 100,
};
const FAIL_ON_PATTERN = /^\s*([A-Za-z][\w.]*)\s*([<>])\s*([+-]?\d+(?:\.\d+)?)\s*%\s*$/;

/**
 * Parses `e2e.p99>+10%` (fail when e2e p99 grew by more than 10%) or
 * `rates.sentPerSec<-5%` (fail when the send rate fell by more than 5%); throws
 * {@linkcode UsageError} naming the gate.
 */
export function parseFailOn(expression: string): FailOn {
  const match = FAIL_ON_PATTERN.exec(expression);
  if (match === null) {
    throw new UsageError(
      `--fail-on ${JSON.stringify(expression)}: expected METRIC>+N% or METRIC<-N%`,
      'write a gate like "e2e.p99>+10%" or "rates.sentPerSec<-5%"',
    );
  }
  metricPathOf(match[1], expression, "--fail-on");
  return { expression, metric: match[1], op: match[2] as ">" | "<", limitPct: Number(match[3]) };
}

/** Compares `next` against `base` with a noise band of ±`noisePct` percent. */
export function compareSummaries(
  base: Summary,
  next: Summary,
  noisePct: number,
  failOn: readonly FailOn[] = [],
): Comparison {
  const row = (
    metric: string,
    unit: RowUnit,
    better: Better,
    read: (s: Summary) => number | null,
  ) => compareRow(metric, unit, better, read(base), read(next), noisePct);
  const rows: ComparedRow[] = [
    row("rates.sentPerSec", "rate", "higher", (s) => s.rates.sentPerSec),
    row("rates.ackedPerSec", "rate", "higher", (s) => s.rates.ackedPerSec),
    row("rates.receivedPerSec", "rate", "higher", (s) => s.rates.receivedPerSec),
  ];
  for (const name of COMPARED_LATENCIES) {
    if (base.latencyMs[name].count === 0 && next.latencyMs[name].count === 0) continue;
    for (const [stat, percentile] of PERCENTILES) {
      rows.push(
        row(
          `${name}.${stat}`,
          "ms",
          "lower",
          (s) => s.latencyMs[name].count === 0 ? null : percentileMs(s, name, percentile),
        ),
      );
    }
  }
  rows.push(
    row("lost", "count", "lower", (s) => s.messages.lost),
    row("lossPct", "percent", "lower", lossPct),
    row("failed", "count", "lower", (s) => s.messages.failed),
    row("duplicates", "count", "lower", (s) => s.messages.duplicates),
    row("connections.failed", "count", "lower", (s) => s.connections.failed),
  );
  const categories = new Set([
    ...Object.keys(base.connections.errors),
    ...Object.keys(next.connections.errors),
  ]);
  for (const category of [...categories].sort()) {
    rows.push(
      row(
        `connections.errors.${category}`,
        "count",
        "lower",
        (s) => s.connections.errors[category] ?? 0,
      ),
    );
  }
  rows.push(
    row("generator.cpuSeconds", "seconds", "lower", (s) => s.generator.cpuSeconds),
    row("generator.peakRssBytes", "bytes", "lower", (s) => s.generator.peakRssBytes),
  );
  return {
    base: { runId: base.runId, startedAt: base.startedAt },
    new: { runId: next.runId, startedAt: next.startedAt },
    noisePct,
    rows,
    settingsDiffer: settingsThatDiffer(base.config, next.config),
    failOn: failOn.map((gate) => {
      const gateRow = rows.find((candidate) => candidate.metric === gate.metric) ??
        compareRow(
          gate.metric,
          "count",
          "lower",
          valueAt(base, gate),
          valueAt(next, gate),
          noisePct,
        );
      return { expression: gate.expression, row: gateRow, ok: gateHolds(gate, gateRow) };
    }),
  };
}

function compareRow(
  metric: string,
  unit: RowUnit,
  better: Better,
  baseValue: number | null,
  newValue: number | null,
  noisePct: number,
): ComparedRow {
  if (baseValue === null || newValue === null) {
    return {
      metric,
      unit,
      better,
      base: baseValue,
      new: newValue,
      changePct: null,
      verdict: "not in both",
    };
  }
  const changePct = baseValue === newValue
    ? 0
    : baseValue === 0
    ? null
    : ((newValue - baseValue) / Math.abs(baseValue)) * 100;
  const worse = better === "lower" ? newValue > baseValue : newValue < baseValue;
  const verdict: Verdict = baseValue === newValue
    ? "same"
    : changePct !== null && Math.abs(changePct) <= noisePct
    ? "within noise"
    : worse
    ? "regression"
    : "improvement";
  return { metric, unit, better, base: baseValue, new: newValue, changePct, verdict };
}

function gateHolds(gate: FailOn, row: ComparedRow): boolean {
  // A figure one run lacks cannot pass a gate; from 0 to anything is an unbounded change.
  if (row.base === null || row.new === null) return true;
  const change = row.changePct ?? (row.new > row.base ? Infinity : -Infinity);
  return gate.op === ">" ? !(change > gate.limitPct) : !(change < gate.limitPct);
}

/** The value a `--fail-on` metric names that is not a table row (any threshold path). */
function valueAt(summary: Summary, gate: FailOn): number {
  const path = metricPathOf(gate.metric, gate.expression, "--fail-on");
  if (path[0] === "latencyMs" && path[2] in LATENCY_STAT_PERCENTILE) {
    return percentileMs(summary, path[1] as LatencyName, LATENCY_STAT_PERCENTILE[path[2]]);
  }
  let value: unknown = summary;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return typeof value === "number" ? value : 0;
}

/** A latency percentile in ms from the summary's HDR histogram (its stats if it has none). */
function percentileMs(summary: Summary, name: LatencyName, percentile: number): number {
  const encoded = summary.histograms?.[name];
  if (typeof encoded !== "string" || encoded === "") {
    const stats = summary.latencyMs[name] as unknown as Record<string, number>;
    const stat = PERCENTILES.find(([, p]) => p === percentile)?.[0] ?? "p50";
    return stats[stat] ?? 0;
  }
  return Math.round(LatencyHistogram.decode(encoded).percentileUs(percentile)) / 1000;
}

function lossPct(summary: Summary): number {
  const { sent, lost } = summary.messages;
  return sent === 0 ? 0 : (lost / sent) * 100;
}

/**
 * Settings two configurations differ in, as `name: base → new`; fleets and stages are
 * compared item by item (`fleets[0].qos: 0 → 1`).
 */
function settingsThatDiffer(
  base: Record<string, unknown>,
  next: Record<string, unknown>,
  prefix = "",
): string[] {
  const names = new Set([...Object.keys(base), ...Object.keys(next)]);
  // Where results go says nothing about the load.
  for (const local of ["json", "outPath", "timelinePath", "prometheusListen", "htmlPath"]) {
    names.delete(local);
  }
  const shown = (value: unknown) => JSON.stringify(value) ?? "none";
  return [...names].sort().flatMap((name) => {
    const [a, b] = [base[name], next[name]];
    const records = (list: unknown) =>
      Array.isArray(list) && list.every((item) => typeof item === "object" && item !== null);
    if (records(a) && records(b) && (a as []).length === (b as []).length && prefix === "") {
      return (a as Record<string, unknown>[]).flatMap((item, index) =>
        settingsThatDiffer(item, (b as Record<string, unknown>[])[index], `${name}[${index}].`)
      );
    }
    return shown(a) === shown(b)
      ? []
      : [`${prefix}${name}: ${abbreviate(shown(a))} → ${abbreviate(shown(b))}`];
  });
}

function abbreviate(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 57)}...`;
}
