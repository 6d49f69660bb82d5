/**
 * `iotload compare` as a terminal table: each headline figure of the base and the
 * new run, the change, and the verdict against the noise band.
 *
 * @module
 */
import type { ComparedRow, Comparison, RowUnit } from "./compare.ts";
import {
  alignColumns,
  formatBytes,
  formatCount,
  formatMs,
  formatNumber,
  formatPercent,
  formatRate,
  paint,
} from "./format.ts";

/** The comparison as text; `color` paints regressions red and improvements green. */
export function formatComparisonTable(comparison: Comparison, color: boolean): string {
  const header = ["metric", "base", "new", "change", ""];
  const rows = comparison.rows.map((row) => [
    row.metric,
    formatValue(row.unit, row.base),
    formatValue(row.unit, row.new),
    formatChange(row),
    paintVerdict(row, color),
  ]);
  const lines = [
    `iotload compare: base ${describeRun(comparison.base)} → new ${
      describeRun(comparison.new)
    }; noise ±${formatNumber(comparison.noisePct, 1).replace(/\.0$/, "")}%`,
    "",
    ...alignColumns(header, rows, "  "),
  ];
  const regressions = comparison.rows.filter((row) => row.verdict === "regression").length;
  const improvements = comparison.rows.filter((row) => row.verdict === "improvement").length;
  lines.push(
    "",
    `${regressions} regression(s), ${improvements} improvement(s) beyond the noise band`,
  );
  for (const gate of comparison.failOn) {
    const mark = gate.ok ? paint("ok  ", "green", color) : paint("FAIL", "red", color);
    lines.push(`${mark} --fail-on ${gate.expression} (change ${formatChange(gate.row)})`);
  }
  return `${lines.join("\n")}\n`;
}

function describeRun(run: Comparison["base"]): string {
  return `${run.runId} (${run.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z")})`;
}

function formatValue(unit: RowUnit, value: number | null): string {
  if (value === null) return "-";
  switch (unit) {
    case "rate":
      return formatRate(value);
    case "ms":
      return formatMs(value);
    case "percent":
      return formatPercent(value);
    case "seconds":
      return `${formatNumber(value, value < 10 ? 2 : 1)} s`;
    case "bytes":
      return formatBytes(value);
    case "count":
      return formatCount(value);
  }
}

/** `+12.5%`, `-3.0%`, `0%`, `new` when the base was 0, `-` when a run lacks the figure. */
export function formatChange(row: ComparedRow): string {
  if (row.base === null || row.new === null) return "-";
  if (row.changePct === null) return "new";
  if (row.changePct === 0) return "0%";
  const sign = row.changePct > 0 ? "+" : "";
  return `${sign}${formatPercent(row.changePct)}`;
}

function paintVerdict(row: ComparedRow, color: boolean): string {
  switch (row.verdict) {
    case "regression":
      return paint("regression", "red", color);
    case "improvement":
      return paint("improvement", "green", color);
    case "within noise":
      return paint("~", "dim", color);
    case "same":
      return "";
    case "not in both":
      return paint("one run only", "dim", color);
  }
}
