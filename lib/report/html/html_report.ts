/**
 * The HTML report (`--html FILE`, `iotload report SUMMARY.json --html FILE`): one
 * self-contained page, the chart library and styles inlined, nothing fetched when it
 * is opened. Headline and verdict, charts over time, latency percentiles and their
 * distribution, the ledger, errors, fleets, and the effective (redacted) settings.
 *
 * @module
 */
import uplotStyle from "uplot/dist/uPlot.min.css" with { type: "text" };
import uplotScript from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import { LATENCY_NAMES } from "../../metrics/latency_names.ts";
import type { Summary } from "../../metrics/summary.ts";
import { formatBytes, formatCount, formatMsValue, formatPercent, formatRate } from "../format.ts";
import { chartsOf } from "./chart_data.ts";
import { REPORT_SCRIPT } from "./report_script.ts";
import { REPORT_STYLE } from "./report_style.ts";

/** The whole report page for `summary`. */
export function renderHtmlReport(summary: Summary): string {
  const charts = chartsOf(summary);
  const title = `iotload report: ${summary.runId}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${uplotStyle}</style>
<style>${REPORT_STYLE}</style>
</head>
<body>
<main>
${headline(summary)}
${thresholdsSection(summary)}
<section><h2>Over time</h2><div class="charts">
${
    charts.map((chart) =>
      `<div class="chart"><h3>${escapeHtml(chart.title)}</h3><div id="${chart.id}"></div></div>`
    ).join("\n")
  }
</div></section>
${latencySection(summary)}
${ledgerSection(summary)}
${errorsSection(summary)}
${fleetsSection(summary)}
<section><h2>Settings</h2><p class="sub">The run's effective configuration, secrets redacted.</p>
<pre>${escapeHtml(JSON.stringify(summary.config, null, 2))}</pre></section>
<footer>iotload ${escapeHtml(summary.tool.version)} · run ${escapeHtml(summary.runId)} · ${
    escapeHtml(summary.startedAt)
  }</footer>
</main>
<script type="application/json" id="report-data">${jsonForScript({ charts })}</script>
<script>${uplotScript}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function headline(summary: Summary): string {
  const failed = summary.thresholds.filter((threshold) => !threshold.ok).length;
  const [verdictClass, verdictText] = summary.aborted !== null
    ? ["fail", "ABORTED"]
    : failed > 0
    ? ["fail", `FAIL: ${failed} of ${summary.thresholds.length} thresholds`]
    : summary.interrupted
    ? ["warn", "INTERRUPTED"]
    : summary.thresholds.length === 0
    ? ["pass", "DONE (no thresholds)"]
    : ["pass", `PASS: ${summary.thresholds.length} thresholds`];
  const config = summary.config as Record<string, unknown>;
  const fleets = (config.fleets as { count?: number; intervalMs?: number; qos?: number }[]) ?? [];
  const fleetText = fleets.map((fleet) =>
    `${formatCount(fleet.count ?? 0)} sensors every ${
      formatMsValue(fleet.intervalMs ?? 0)
    } ms, QoS ${fleet.qos}`
  ).join("; ");
  const m = summary.messages;
  const facts: [string, string][] = [
    ["sensors connected (peak)", formatCount(summary.connections.peak)],
    ["sent", formatCount(m.sent)],
    ["received", summary.ledger.probe ? formatCount(m.received) : "-"],
    ["lost", summary.ledger.probe ? formatCount(m.lost) : "-"],
    ["sent rate", formatRate(summary.rates.sentPerSec)],
    [
      "e2e p99",
      summary.latencyMs.e2e.count === 0 ? "-" : `${formatMsValue(summary.latencyMs.e2e.p99)} ms`,
    ],
    ["errors", formatCount(Object.values(summary.connections.errors).reduce((a, b) => a + b, 0))],
    ["generator", summary.generator.verdict],
  ];
  return `<section>
<h1>iotload run ${escapeHtml(summary.runId)} <span class="verdict ${verdictClass}">${
    escapeHtml(verdictText)
  }</span></h1>
<p class="sub">${escapeHtml(summary.broker.url)}${
    summary.broker.embedded ? " (embedded broker)" : ""
  } · ${escapeHtml(fleetText)} · ${escapeHtml((summary.durationMs / 1000).toFixed(1))} s from ${
    escapeHtml(summary.startedAt)
  }</p>
<div class="facts">${
    facts.map(([label, value]) =>
      `<div><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`
    ).join("")
  }</div>
</section>`;
}

function thresholdsSection(summary: Summary): string {
  if (summary.thresholds.length === 0) return "";
  const rows = summary.thresholds.map((threshold) => [
    escapeHtml(threshold.expression),
    threshold.actual === null ? "-" : escapeHtml(String(threshold.actual)),
    threshold.ok ? "pass" : "fail",
  ]);
  return `<section><h2>Thresholds</h2>${
    table(["threshold", "actual", ""], rows, (row) => row[2] === "pass" ? "ok" : "fail")
  }</section>`;
}

function latencySection(summary: Summary): string {
  const rows = LATENCY_NAMES.filter((name) => summary.latencyMs[name].count > 0).map((name) => {
    const s = summary.latencyMs[name];
    return [
      name,
      formatCount(s.count),
      ...[s.min, s.p50, s.p90, s.p99, s.p999, s.max, s.mean].map(formatMsValue),
    ];
  });
  return `<section><h2>Latency (ms)</h2>${
    table(["", "count", "min", "p50", "p90", "p99", "p99.9", "max", "mean"], rows)
  }</section>`;
}

function ledgerSection(summary: Summary): string {
  const rows = Object.entries(summary.messages).map(([name, count]) => [name, formatCount(count)]);
  const rate = (perSec: number) => formatRate(perSec);
  return `<section><h2>Ledger</h2><p class="sub">${escapeHtml(summary.ledger.note)}</p>${
    table(["messages", "count"], rows)
  }<p class="sub">Rates over the hold: sent ${rate(summary.rates.sentPerSec)}, acked ${
    rate(summary.rates.ackedPerSec)
  }, received ${rate(summary.rates.receivedPerSec)} (target ${
    rate(summary.rates.targetPerSec)
  }).</p></section>`;
}

function errorsSection(summary: Summary): string {
  const rows = Object.entries(summary.connections.errors).sort((a, b) => b[1] - a[1])
    .map(([category, count]) => [escapeHtml(category), formatCount(count)]);
  const samples = summary.errorSamples.map((sample) => `<li>${escapeHtml(sample)}</li>`).join("");
  return `<section><h2>Errors</h2>${
    rows.length === 0 ? '<p class="sub">None.</p>' : table(["category", "count"], rows)
  }${samples === "" ? "" : `<h3>Samples</h3><ul>${samples}</ul>`}<p class="sub">Generator: CPU ${
    formatPercent(summary.generator.cpuPercent)
  } of one core, peak memory ${formatBytes(summary.generator.peakRssBytes)}, event-loop lag p99 ${
    formatMsValue(summary.generator.eventLoopLagP99Ms)
  } ms.</p></section>`;
}

function fleetsSection(summary: Summary): string {
  const rows = summary.fleets.map((fleet) => [
    escapeHtml(fleet.name),
    escapeHtml(fleet.profile),
    formatCount(fleet.sensors),
    formatCount(fleet.messages.sent),
    formatCount(fleet.messages.acked),
    formatCount(fleet.messages.received),
    formatCount(fleet.messages.lost),
    fleet.latencyMs.ack.count === 0 ? "-" : formatMsValue(fleet.latencyMs.ack.p99),
    fleet.latencyMs.e2e.count === 0 ? "-" : formatMsValue(fleet.latencyMs.e2e.p99),
  ]);
  return `<section><h2>Fleets</h2>${
    table([
      "fleet",
      "profile",
      "sensors",
      "sent",
      "acked",
      "received",
      "lost",
      "ack p99 ms",
      "e2e p99 ms",
    ], rows)
  }</section>`;
}

/** A table of already-escaped cells; `cellClass` marks the last cell of a row. */
function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  cellClass?: (row: readonly string[]) => string,
): string {
  const head = header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join("");
  const body = rows.map((row) =>
    `<tr>${
      row.map((cell, index) =>
        index === row.length - 1 && cellClass !== undefined
          ? `<td class="${cellClass(row)}">${cell}</td>`
          : `<td>${cell}</td>`
      ).join("")
    }</tr>`
  ).join("\n");
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** `text` safe inside HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/** JSON safe inside a `<script>` element: no `</script>` or `<!--` can close it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}
