/**
 * `iotload merge`: the shards' summaries of one run made into one summary of the same
 * schema (plus a `shards` section), so `report`, `compare` and thresholds read it as
 * they read a single run's. Counters add up; histograms are added exactly (never
 * percentiles averaged); the ledger is reconciled per sensor across every probe.
 *
 * @module
 */

import { UsageError } from "../../config/usage_error.ts";
import { FLEET_LATENCY_NAMES } from "../../metrics/fleet_tally.ts";
import { LatencyHistogram } from "../../metrics/histogram.ts";
import { LATENCY_NAMES } from "../../metrics/latency_names.ts";
import type { MergedShard, MergedShards, ShardSection } from "../../metrics/shard_result.ts";
import type { FleetSummary, Summary } from "../../metrics/summary.ts";
import { mergeLedgers } from "./merge_ledger.ts";
import { mergeTimelines } from "./merge_timeline.ts";

/** A shard's summary and where it came from (a file name, or the broker's topic). */
export interface ShardInput {
  /** Where the summary came from, for problems. */
  readonly source: string;
  /** The summary, checked to be one. */
  readonly summary: Summary;
}

/** The merged summary and what the merge could not settle. */
export interface MergeResult {
  /** The run's summary. */
  readonly summary: Summary;
  /** One line per thing a reader should know (a duplicated shard). */
  readonly warnings: readonly string[];
}

/** Most error samples the merged summary keeps. */
const MAX_ERROR_SAMPLES = 10;

/**
 * Merges the shards of one run. Throws a {@linkcode UsageError} for inputs that are no
 * shard results, or results of different runs, scenarios or shard counts; a missing
 * shard makes the result `incomplete`, a shard given twice is used once.
 */
export function mergeShardSummaries(inputs: readonly ShardInput[]): MergeResult {
  if (inputs.length === 0) throw new UsageError("merge: no shard results given");
  const first = inputs[0];
  const section = (input: ShardInput): ShardSection => {
    if (input.summary.shard === undefined) {
      throw new UsageError(
        `${input.source} is no shard result`,
        "merge the summaries of runs made with --shard I/N (iotload run --shard 0/3 --out ...)",
      );
    }
    return input.summary.shard;
  };
  const firstSection = section(first);
  const problems: string[] = [];
  for (const input of inputs) {
    const own = section(input);
    if (input.summary.runId !== first.summary.runId) {
      problems.push(
        `${input.source} is of run ${input.summary.runId}, ${first.source} of run ${first.summary.runId}: merge the shards of one run`,
      );
    } else if (own.scenarioHash !== firstSection.scenarioHash) {
      problems.push(
        `${input.source} ran another scenario than ${first.source} (hash ${own.scenarioHash} vs ${firstSection.scenarioHash})`,
      );
    } else if (own.count !== firstSection.count) {
      problems.push(
        `${input.source} is shard ${own.index}/${own.count}, ${first.source} one of ${firstSection.count}`,
      );
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  const byIndex = new Map<number, ShardInput>();
  const duplicated: number[] = [];
  for (const input of inputs) {
    const index = section(input).index;
    const earlier = byIndex.get(index);
    if (earlier === undefined) {
      byIndex.set(index, input);
    } else if (JSON.stringify(earlier.summary) !== JSON.stringify(input.summary)) {
      throw new UsageError(
        `${earlier.source} and ${input.source} are both shard ${index} with different results`,
      );
    } else if (!duplicated.includes(index)) {
      duplicated.push(index);
    }
  }
  const shards = [...byIndex.keys()].sort((a, b) => a - b).map((index) => byIndex.get(index)!);
  const missing = Array.from({ length: firstSection.count }, (_, index) => index).filter((index) =>
    !byIndex.has(index)
  );
  const warnings = duplicated.map((index) =>
    `shard ${index}/${firstSection.count} was given more than once; it is counted once`
  );
  return { summary: combine(shards, missing, duplicated), warnings };
}

function combine(
  inputs: readonly ShardInput[],
  missing: readonly number[],
  duplicated: readonly number[],
): Summary {
  const all = inputs.map((input) => input.summary);
  const first = all[0];
  const sections = all.map((summary) => summary.shard!);
  const startMs = Math.min(...all.map((summary) => Date.parse(summary.startedAt)));
  const endMs = Math.max(...all.map((summary) => Date.parse(summary.endedAt)));
  const histograms = mergeHistograms(all.map((summary) => summary.histograms), LATENCY_NAMES);
  const probe = all.every((summary) => summary.ledger.probe);
  const fleetCounts = fleetSizes(first);
  const ledger = probe ? mergeLedgers(sections, fleetCounts) : null;
  const messages = sumRecords(all.map((summary) => summary.messages));
  if (ledger !== null) {
    messages.received = ledger.received;
    messages.lost = ledger.lost;
    messages.duplicates = ledger.duplicates;
  }
  const balanced = messages.sent === messages.received + messages.lost;
  const markers = all.reduce((sum, summary) => sum + (summary.ledger.markers ?? 0), 0);
  const { shard: _shard, ...config } = first.config;
  return {
    schemaVersion: first.schemaVersion,
    tool: first.tool,
    runId: first.runId,
    startedAt: new Date(startMs).toISOString(),
    endedAt: new Date(endMs).toISOString(),
    durationMs: endMs - startMs,
    interrupted: all.some((summary) => summary.interrupted),
    aborted:
      all.map((summary, n) =>
        summary.aborted === null ? null : `shard ${sections[n].index}: ${summary.aborted}`
      ).find((reason) => reason !== null) ?? null,
    broker: first.broker,
    config,
    connections: {
      ...sumRecords(
        all.map(({ connections: { errors: _e, failedDevices: _f, ...counts } }) => counts),
      ),
      errors: sumRecords(all.map((summary) => summary.connections.errors)),
      failedDevices: mergeFailedDevices(all),
    },
    commands: sumRecords(all.map((summary) => summary.commands)),
    messages,
    ledger: !probe
      ? {
        probe,
        balanced: null,
        note: "probe off on a shard: received, lost and e2e not merged",
        markers,
      }
      : {
        probe,
        balanced,
        markers,
        note: balanced
          ? `sent = received + lost, reconciled per sensor over ${all.length} shards' probes`
          : `sent (${messages.sent}) != received (${messages.received}) + lost (${messages.lost})`,
      },
    rates: {
      ...sumRecords(all.map(({ rates: { windowMs: _w, ...rates } }) => rates)),
      windowMs: Math.max(...all.map((summary) => summary.rates.windowMs)),
    },
    latencyMs: statsOf(histograms, LATENCY_NAMES),
    overflow: sumRecords(all.map((summary) => summary.overflow)),
    histograms: encodeAll(histograms, LATENCY_NAMES),
    timeline: mergeTimelines(
      all.map((summary) => ({
        startedAtMs: Date.parse(summary.startedAt),
        points: summary.timeline,
      })),
    ),
    errorSamples: [...new Set(all.flatMap((summary) => summary.errorSamples))].slice(
      0,
      MAX_ERROR_SAMPLES,
    ),
    fleets: first.fleets.map((fleet, n) =>
      mergeFleet(all.map((summary) => summary.fleets[n]), fleet, ledger?.fleets[n])
    ),
    generator: mergeGenerators(all, sections),
    thresholds: [],
    shards: describeShards(all, sections, missing, duplicated),
  };
}

function mergeFleet(
  parts: readonly (FleetSummary | undefined)[],
  first: FleetSummary,
  reconciled: { received: number; lost: number; duplicates: number } | undefined,
): FleetSummary {
  const present = parts.filter((part): part is FleetSummary => part !== undefined);
  const histograms = mergeHistograms(present.map((part) => part.histograms), FLEET_LATENCY_NAMES);
  return {
    name: first.name,
    profile: first.profile,
    sensors: present.reduce((sum, part) => sum + part.sensors, 0),
    transport: first.transport,
    messages: { ...sumRecords(present.map((part) => part.messages)), ...reconciled },
    latencyMs: statsOf(histograms, FLEET_LATENCY_NAMES),
    histograms: encodeAll(histograms, FLEET_LATENCY_NAMES),
  };
}

function mergeGenerators(
  all: readonly Summary[],
  sections: readonly ShardSection[],
): Summary["generator"] {
  const sums = sumRecords(all.map((summary) => ({
    workers: summary.generator.workers,
    cpuPercent: summary.generator.cpuPercent,
    cpuSeconds: summary.generator.cpuSeconds,
    rssBytes: summary.generator.rssBytes,
    peakRssBytes: summary.generator.peakRssBytes,
  })));
  const reasons = all.flatMap((summary, n) =>
    summary.generator.verdictReasons.map((reason) => `shard ${sections[n].index}: ${reason}`)
  );
  return {
    ...sums,
    eventLoopLagP99Ms: Math.max(...all.map((summary) => summary.generator.eventLoopLagP99Ms)),
    verdict: reasons.length === 0 ? "ok" : "generator-bound",
    verdictReasons: reasons,
  };
}

function describeShards(
  all: readonly Summary[],
  sections: readonly ShardSection[],
  missing: readonly number[],
  duplicated: readonly number[],
): MergedShards {
  const shards: MergedShard[] = all.map((summary, n) => ({
    index: sections[n].index,
    startedAt: summary.startedAt,
    startSkewMs: sections[n].startSkewMs,
    sensors: summary.connections.target,
    sent: summary.messages.sent,
    generator: {
      verdict: summary.generator.verdict,
      verdictReasons: summary.generator.verdictReasons,
      cpuPercent: summary.generator.cpuPercent,
      peakRssBytes: summary.generator.peakRssBytes,
      eventLoopLagP99Ms: summary.generator.eventLoopLagP99Ms,
    },
  }));
  // The worst generator: a generator-bound one before one that kept up, then by CPU.
  const rank = (shard: MergedShard) =>
    (shard.generator.verdict === "ok" ? 0 : 1e9) + shard.generator.cpuPercent;
  const worst = shards.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  const starts = all.map((summary) => Date.parse(summary.startedAt));
  return {
    count: sections[0].count,
    merged: shards.map((shard) => shard.index),
    missing,
    duplicated,
    incomplete: missing.length > 0,
    scenarioHash: sections[0].scenarioHash,
    startSpreadMs: Math.max(...starts) - Math.min(...starts),
    worst: worst.index,
    shards,
  };
}

function mergeFailedDevices(all: readonly Summary[]): Summary["connections"]["failedDevices"] {
  const merged: Summary["connections"]["failedDevices"] = {};
  for (const summary of all) {
    for (const [category, count] of Object.entries(summary.connections.failedDevices)) {
      const into = merged[category] ?? { devices: 0, first: [] };
      const firstNames = [...into.first, ...count.first];
      merged[category] = {
        devices: into.devices + count.devices,
        first: firstNames.slice(0, Math.max(into.first.length, count.first.length)),
      };
    }
  }
  return merged;
}

/** The scenario's fleet sizes, in order, from a shard's configuration. */
function fleetSizes(summary: Summary): number[] {
  const fleets = summary.config.fleets;
  return Array.isArray(fleets)
    ? fleets.map((fleet) => Number((fleet as { count?: unknown }).count) || 0)
    : [];
}

function mergeHistograms<N extends string>(
  encoded: readonly Readonly<Record<N, string>>[],
  names: readonly N[],
): Record<N, LatencyHistogram> {
  return Object.fromEntries(names.map((name) => {
    const histogram = new LatencyHistogram();
    for (const part of encoded) {
      if (part?.[name] !== undefined) histogram.merge(LatencyHistogram.decode(part[name]));
    }
    return [name, histogram];
  })) as Record<N, LatencyHistogram>;
}

function statsOf<N extends string>(
  histograms: Record<N, LatencyHistogram>,
  names: readonly N[],
): Record<N, ReturnType<LatencyHistogram["statsMs"]>> {
  return Object.fromEntries(names.map((name) => [name, histograms[name].statsMs()])) as Record<
    N,
    ReturnType<LatencyHistogram["statsMs"]>
  >;
}

function encodeAll<N extends string>(
  histograms: Record<N, LatencyHistogram>,
  names: readonly N[],
): Record<N, string> {
  return Object.fromEntries(names.map((name) => [name, histograms[name].encode()])) as Record<
    N,
    string
  >;
}

/** The records' numbers added up key by key (keys of any record). */
function sumRecords<T extends object>(records: readonly T[]): T {
  const sum: Record<string, number> = {};
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === "number") sum[key] = Math.round(((sum[key] ?? 0) + value) * 10) / 10;
    }
  }
  return sum as T;
}
