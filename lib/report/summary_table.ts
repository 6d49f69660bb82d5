import type { LatencyStats } from "../metrics/histogram.ts";
import {
  alignColumns,
  formatBytes,
  formatCount,
  formatElapsed,
  formatMs,
  formatMsValue,
  formatNumber,
  formatPercent,
  formatRate,
  paint,
  visibleLength,
} from "./format.ts";
import { LATENCY_NAMES, type LatencyName } from "../metrics/latency_names.ts";
import type { Summary, ThresholdResult } from "../metrics/summary.ts";
import { formatShards } from "./shards_table.ts";
import { parseThreshold } from "./thresholds.ts";

const INDENT = "  ";
// The least label width of every section, so values line up down the page.
const LABEL_WIDTH = 17;
const OPTIONAL_LATENCIES: readonly LatencyName[] = ["reconnect", "command"];
const LATENCY_COLUMNS: readonly (readonly [string, keyof LatencyStats])[] = [
  ["min", "min"],
  ["p50", "p50"],
  ["p90", "p90"],
  ["p99", "p99"],
  ["p99.9", "p999"],
  ["max", "max"],
  ["mean", "mean"],
];

/** One `label  value  note` line of a key/value section. */
interface Row {
  label: string;
  value: string;
  note?: string;
}

/**
 * Renders the human summary printed on stdout at the end of a run: header, then
 * Connections, Messages, Rates, Latency (ms), Fleets (with more than one), Errors,
 * Generator, Shard or Shards for a shard's or a merged summary, and, when any were given,
 * Thresholds. Plain text with aligned columns, ending with a newline; ANSI
 * colours only when `options.color` is true. Histograms, timeline and config are left
 * to the JSON and HTML reports.
 */
export function formatSummaryTable(
  summary: Summary,
  options: { color: boolean },
): string {
  const { color } = options;
  const sections = [
    formatHeader(summary, color),
    formatConnections(summary),
    formatMessages(summary, color),
    formatRates(summary),
    ...(summary.commands.sent > 0 ? [formatCommands(summary)] : []),
    formatLatency(summary),
    ...(summary.fleets.length > 1 ? [formatFleets(summary)] : []),
    formatErrors(summary),
    formatGenerator(summary, color),
  ];
  const shards = formatShards(summary, color);
  if (shards !== null) sections.push(shards);
  if (summary.thresholds.length > 0) {
    sections.push(formatThresholds(summary.thresholds, color));
  }
  return sections.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}

function formatHeader(summary: Summary, color: boolean): string[] {
  const broker = summary.broker.embedded ? `${summary.broker.url} (embedded)` : summary.broker.url;
  const parts = [
    paint(`${summary.tool.name} ${summary.tool.version}`, "bold", color),
    broker,
    formatElapsed(summary.durationMs),
    `run ${summary.runId}`,
  ];
  if (summary.interrupted) {
    parts.push(paint(paint("INTERRUPTED", "bold", color), "yellow", color));
  }
  const lines = [parts.join(" · ")];
  if (summary.interrupted) {
    lines.push(
      "stopped by a signal before its end: the numbers cover the part that ran",
    );
  }
  if (summary.aborted !== null) {
    lines.push(paint(`aborted: ${summary.aborted}`, "red", color));
  }
  return lines;
}

/** A titled section of rows whose values are right-aligned, so digits line up. */
function formatRows(title: string, rows: readonly Row[]): string[] {
  const labelWidth = Math.max(LABEL_WIDTH, ...rows.map((row) => row.label.length + 2));
  const valueWidth = Math.max(...rows.map((row) => visibleLength(row.value)));
  return [
    title,
    ...rows.map((row) => {
      const line = `${INDENT}${row.label.padEnd(labelWidth)}${
        padStartVisible(row.value, valueWidth)
      }`;
      return row.note === undefined ? line : `${line}  ${row.note}`;
    }),
  ];
}

/** One `label  text` line with the text left-aligned, for values that are not counts. */
function formatLabelled(label: string, text: string): string {
  return `${INDENT}${label.padEnd(LABEL_WIDTH)}${text}`;
}

function padStartVisible(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - visibleLength(text))) + text;
}

function formatConnections(summary: Summary): string[] {
  const c = summary.connections;
  return formatRows("Connections", [
    { label: "target", value: formatCount(c.target) },
    { label: "connected", value: formatCount(c.connected), note: "(at end)" },
    { label: "peak", value: formatCount(c.peak) },
    { label: "never connected", value: formatCount(c.failed) },
    ...(c.notAttempted > 0
      ? [{ label: "not attempted", value: formatCount(c.notAttempted), note: "(run ended first)" }]
      : []),
    {
      label: "attempts",
      value: formatCount(c.attempts),
      note: `(${formatCount(c.attemptsFailed)} failed)`,
    },
    { label: "disconnects", value: formatCount(c.disconnects) },
    { label: "reconnects", value: formatCount(c.reconnects) },
    ...(c.churned > 0
      ? [{ label: "churned", value: formatCount(c.churned), note: "(dropped on purpose)" }]
      : []),
    ...formatStageRow(summary),
  ]);
}

/** "stage 3 of 4 (at end)" when the scenario had stages. */
function formatStageRow(summary: Summary): { label: string; value: string; note: string }[] {
  const stages = summary.config.stages;
  const last = summary.timeline.at(-1);
  if (!Array.isArray(stages) || stages.length === 0 || last === undefined) return [];
  const stage = Math.min(last.stage, stages.length);
  return [{ label: "stage", value: `${stage} of ${stages.length}`, note: "(at end)" }];
}

function formatCommands(summary: Summary): string[] {
  const c = summary.commands;
  return formatRows("Commands", [
    { label: "sent", value: formatCount(c.sent) },
    { label: "answered", value: formatCount(c.answered) },
    { label: "unanswered", value: formatCount(c.unanswered) },
  ]);
}

function formatMessages(summary: Summary, color: boolean): string[] {
  const m = summary.messages;
  const { probe, balanced, note } = summary.ledger;
  // Without a probe these counts were never measured; 0 would read as "none lost".
  const probed = (count: number) => probe ? formatCount(count) : "-";
  const lines = formatRows("Messages", [
    { label: "scheduled", value: formatCount(m.scheduled) },
    { label: "sent", value: formatCount(m.sent) },
    { label: "acked", value: formatCount(m.acked), note: "(QoS 1/2 only)" },
    { label: "failed", value: formatCount(m.failed) },
    { label: "backpressured", value: formatCount(m.backpressured) },
    { label: "offline-dropped", value: formatCount(m.offlineDropped) },
    ...(m.offlineBuffered > 0
      ? [{
        label: "offline-kept",
        value: formatCount(m.offlineBuffered),
        note: "(kept while offline, then sent or dropped)",
      }]
      : []),
    { label: "received", value: probed(m.received) },
    { label: "lost", value: probed(m.lost) },
    { label: "duplicates", value: probed(m.duplicates) },
    { label: "reordered", value: probed(m.reordered) },
    ...(m.foreign > 0
      ? [{
        label: "foreign",
        value: formatCount(m.foreign),
        note: "(other runs' or not iotload's, not counted)",
      }]
      : []),
  ]);
  const ledgerNote = `ledger: ${note}`;
  lines.push(
    INDENT + (balanced === false ? paint(ledgerNote, "yellow", color) : ledgerNote),
  );
  return lines;
}

function formatRates(summary: Summary): string[] {
  const r = summary.rates;
  const window = r.windowMs > 0
    ? `measured over the ${formatElapsed(r.windowMs)} after ramp-up`
    : "no time after ramp-up to measure over";
  const ofTarget = r.targetPerSec > 0
    ? `(${formatPercent((r.sentPerSec / r.targetPerSec) * 100)} of target)`
    : undefined;
  return formatRows(`Rates (${window})`, [
    r.targetPerSec > 0
      ? { label: "target", value: formatRate(r.targetPerSec) }
      : { label: "target", value: "none", note: "(flood: as fast as the broker takes)" },
    { label: "sent", value: formatRate(r.sentPerSec), note: ofTarget },
    { label: "acked", value: formatRate(r.ackedPerSec) },
    {
      label: "received",
      value: summary.ledger.probe ? formatRate(r.receivedPerSec) : "-",
    },
  ]);
}

/** One row per fleet: its counts and the p99s that tell a slow fleet from the rest. */
function formatFleets(summary: Summary): string[] {
  const probed = summary.ledger.probe;
  const header = ["", "sensors", "sent", "acked", "received", "lost", "ack p99", "e2e p99"];
  const p99 = (stats: { count: number; p99: number }) =>
    stats.count === 0 ? "-" : formatMsValue(stats.p99);
  const rows = summary.fleets.map((fleet) => [
    fleet.name,
    formatCount(fleet.sensors),
    formatCount(fleet.messages.sent),
    formatCount(fleet.messages.acked),
    probed ? formatCount(fleet.messages.received) : "-",
    probed ? formatCount(fleet.messages.lost) : "-",
    p99(fleet.latencyMs.ack),
    p99(fleet.latencyMs.e2e),
  ]);
  return ["Fleets (latency in ms)", ...alignColumns(header, rows, INDENT)];
}

function formatLatency(summary: Summary): string[] {
  const header = ["", "count", ...LATENCY_COLUMNS.map(([h]) => h)];
  // Reconnect and command rows appear only when something happened.
  const names = LATENCY_NAMES.filter((name) =>
    summary.latencyMs[name].count > 0 || !OPTIONAL_LATENCIES.includes(name)
  );
  const rows = names.map((name) => {
    const stats = summary.latencyMs[name];
    const cells = LATENCY_COLUMNS.map(([, key]) =>
      stats.count === 0 ? "-" : formatMsValue(stats[key])
    );
    return [name, formatCount(stats.count), ...cells];
  });
  const lines = ["Latency (ms)", ...alignColumns(header, rows, INDENT)];
  lines.push(
    `${INDENT}ack and e2e are measured from the intended send time, so stalls show as latency`,
  );
  if (!summary.ledger.probe) {
    lines.push(`${INDENT}e2e: not measured (probe off)`);
  }
  const overflowed = LATENCY_NAMES.filter((name) => summary.overflow[name] > 0);
  for (const name of overflowed) {
    lines.push(
      `${INDENT}${name}: ${
        formatCount(summary.overflow[name])
      } values above the histogram range, counted as its top`,
    );
  }
  return lines;
}

function formatErrors(summary: Summary): string[] {
  const byCount = Object.entries(summary.connections.errors)
    .filter(([, count]) => count > 0)
    .sort(([nameA, a], [nameB, b]) => b - a || nameA.localeCompare(nameB));
  if (byCount.length === 0 && summary.errorSamples.length === 0) {
    return ["Errors", `${INDENT}none`];
  }
  const lines = byCount.length === 0 ? ["Errors"] : formatRows(
    "Errors",
    byCount.map(([name, count]) => ({ label: name, value: formatCount(count) })),
  );
  if (summary.errorSamples.length > 0) {
    lines.push(`${INDENT}first messages:`);
    for (const sample of summary.errorSamples) {
      lines.push(`${INDENT}${INDENT}${sample}`);
    }
  }
  return lines;
}

function formatGenerator(summary: Summary, color: boolean): string[] {
  const g = summary.generator;
  const verdict = paint(g.verdict, g.verdict === "ok" ? "green" : "yellow", color);
  return [
    "Generator",
    formatLabelled("workers", formatCount(g.workers)),
    formatLabelled(
      "CPU",
      `${formatPercent(g.cpuPercent)} (${formatNumber(g.cpuSeconds, 1)} s of CPU time)`,
    ),
    formatLabelled(
      "memory",
      `RSS ${formatBytes(g.rssBytes)}, peak ${formatBytes(g.peakRssBytes)}`,
    ),
    formatLabelled("event-loop lag", `p99 ${formatMs(g.eventLoopLagP99Ms)}`),
    formatLabelled("verdict", verdict),
    ...g.verdictReasons.map((reason) => formatLabelled("", `- ${reason}`)),
  ];
}

function formatThresholds(
  results: readonly ThresholdResult[],
  color: boolean,
): string[] {
  const width = Math.max(...results.map((r) => r.expression.length));
  const actuals = results.map((r) => formatThresholdActual(r));
  const actualWidth = Math.max(...actuals.map((text) => text.length));
  return [
    "Thresholds",
    ...results.map((result, index) => {
      const mark = result.ok ? paint("✓ ok", "green", color) : paint("✗ FAILED", "red", color);
      return `${INDENT}${result.expression.padEnd(width)}  ${
        actuals[index].padStart(actualWidth)
      }  ${mark}`;
    }),
  ];
}

/** Shows the actual value in the unit its metric is measured in. */
function formatThresholdActual(result: ThresholdResult): string {
  const actual = result.actual;
  if (actual === null) return "missing";
  let path: readonly string[];
  let percent: boolean;
  try {
    ({ path, percent } = parseThreshold(result.expression));
  } catch {
    // A summary read from a file may carry an expression this version no longer
    // parses; its value is still worth showing, just without a unit.
    return formatPlain(actual);
  }
  const [section, field, stat] = path;
  if (percent || field === "cpuPercent") return formatPercent(actual);
  if (section === "latencyMs" && stat !== "count") return formatMs(actual);
  if (field === "eventLoopLagP99Ms") return formatMs(actual);
  if (section === "rates") return formatRate(actual);
  if (field === "rssBytes") return formatBytes(actual);
  return formatPlain(actual);
}

function formatPlain(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : formatNumber(value, 2);
}
