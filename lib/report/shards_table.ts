/**
 * The summary table's lines about shards: which shard a shard's own summary is, and for
 * a merged summary which shards it holds, how far apart they started and whose
 * generator fared worst.
 *
 * @module
 */
import type { Summary } from "../metrics/summary.ts";
import { formatBytes, formatCount, formatMs, formatPercent, paint } from "./format.ts";

const INDENT = "  ";
const LABEL_WIDTH = 17;
/** Shards listed one per line; the rest are counted. */
const LISTED_SHARDS = 10;

/** The Shards section, or null for a summary that is neither a shard's nor merged. */
export function formatShards(summary: Summary, color: boolean): string[] | null {
  const own = summary.shard;
  if (own !== undefined) {
    return [
      "Shard",
      line("shard", `${own.index}/${own.count} (scenario ${own.scenarioHash})`),
      line(
        "start",
        own.startSkewMs === null
          ? "at once (no --start-at)"
          : `${own.startSkewMs} ms after --start-at ${own.startAt}`,
      ),
      ...(own.count > 1 ? [line("merge", "iotload merge judges loss over every shard")] : []),
    ];
  }
  const merged = summary.shards;
  if (merged === undefined) return null;
  const worst = merged.shards.find((shard) => shard.index === merged.worst)!;
  const lines = [
    "Shards",
    line(
      "merged",
      `${merged.merged.length} of ${merged.count} (scenario ${merged.scenarioHash})`,
    ),
    ...(merged.missing.length === 0 ? [] : [
      line("missing", paint(merged.missing.join(", "), "red", color)),
    ]),
    line("start spread", formatMs(merged.startSpreadMs)),
    line(
      "worst generator",
      `shard ${worst.index}: ${worst.generator.verdict}, CPU ${
        formatPercent(worst.generator.cpuPercent)
      }, peak RSS ${formatBytes(worst.generator.peakRssBytes)}, lag p99 ${
        formatMs(worst.generator.eventLoopLagP99Ms)
      }`,
    ),
  ];
  for (const shard of merged.shards.slice(0, LISTED_SHARDS)) {
    lines.push(
      line(
        `shard ${shard.index}`,
        `${formatCount(shard.sensors)} sensors, ${formatCount(shard.sent)} sent${
          shard.startSkewMs === null ? "" : `, start skew ${shard.startSkewMs} ms`
        }, ${shard.generator.verdict}`,
      ),
    );
  }
  if (merged.shards.length > LISTED_SHARDS) {
    lines.push(line("", `and ${merged.shards.length - LISTED_SHARDS} more`));
  }
  return lines;
}

function line(label: string, text: string): string {
  return `${INDENT}${label.padEnd(LABEL_WIDTH)}${text}`;
}
