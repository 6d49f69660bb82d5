/**
 * Shards: shard `I` of `N` drives slice `I` of every fleet, contiguous global sensor
 * indexes, so its sensors are exactly the ones one process would run with the same
 * ids, identities and phases; what is global to a run (the connect rate and
 * concurrency, the command rate, stage targets) is divided among the shards.
 *
 * @module
 */

import type { Scenario, ShardSpec, StageSpec } from "./scenario.ts";
import { UsageError } from "./usage_error.ts";

/** A run of global sensor indexes, `[start, end)`. */
export interface SensorRange {
  /** First global index. */
  readonly start: number;
  /** One past the last global index. */
  readonly end: number;
}

/** Most shards of one run. */
export const MAX_SHARDS = 10_000;

/** Reads `I/N` (0 ≤ I < N ≤ {@linkcode MAX_SHARDS}) for `setting`; throws a UsageError. */
export function parseShard(text: string, setting: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || count > MAX_SHARDS || index >= count) {
    throw new UsageError(
      `${setting}: expected I/N with 0 <= I < N <= ${MAX_SHARDS} (0-based, like 0/3), got ${
        JSON.stringify(text)
      }`,
    );
  }
  return { index, count };
}

/** Shard `shard`'s part of `total` things, `[start, end)`: parts differ by one at most. */
export function shareOf(total: number, shard: ShardSpec | null): SensorRange {
  if (shard === null) return { start: 0, end: total };
  return {
    start: Math.floor((total * shard.index) / shard.count),
    end: Math.floor((total * (shard.index + 1)) / shard.count),
  };
}

/** How many of `total` things shard `shard` takes. */
export function shareCount(total: number, shard: ShardSpec | null): number {
  const { start, end } = shareOf(total, shard);
  return end - start;
}

/**
 * The global index ranges this process drives, in fleet order (one per fleet that has
 * sensors in this shard): every sensor without a shard.
 */
export function shardRanges(scenario: Scenario): SensorRange[] {
  const ranges: SensorRange[] = [];
  let fleetStart = 0;
  for (const fleet of scenario.fleets) {
    const { start, end } = shareOf(fleet.count, scenario.shard);
    if (end > start) ranges.push({ start: fleetStart + start, end: fleetStart + end });
    fleetStart += fleet.count;
  }
  return ranges;
}

/** Sensors this process drives. */
export function shardSensorCount(scenario: Scenario): number {
  return shardRanges(scenario).reduce((sum, range) => sum + range.end - range.start, 0);
}

/** The publish rate this process offers, in messages per second (its sensors' part). */
export function shardTargetRatePerSec(scenario: Scenario): number {
  return scenario.fleets.reduce(
    (sum, fleet) => sum + (shareCount(fleet.count, scenario.shard) * 1000) / fleet.intervalMs,
    0,
  );
}

/** This process's share of a global rate: 1 without shards, `1/N` with `N` shards. */
export function shardFraction(scenario: Scenario): number {
  return scenario.shard === null ? 1 : 1 / scenario.shard.count;
}

/** The stage plan as this shard follows it: each target its share of the run's. */
export function shardStages(scenario: Scenario): readonly StageSpec[] {
  if (scenario.shard === null) return scenario.stages;
  return scenario.stages.map((stage) => ({
    ...stage,
    targetSensors: shareCount(stage.targetSensors, scenario.shard),
  }));
}

/**
 * Part `part` of `parts` of `ranges` by position (for fleet threads): its ranges and the
 * position of its first sensor among all of `ranges`' sensors.
 */
export function splitRanges(
  ranges: readonly SensorRange[],
  part: number,
  parts: number,
): { ranges: SensorRange[]; firstPosition: number } {
  const total = ranges.reduce((sum, range) => sum + range.end - range.start, 0);
  const { start: from, end: to } = shareOf(total, { index: part, count: parts });
  const picked: SensorRange[] = [];
  let position = 0;
  for (const range of ranges) {
    const length = range.end - range.start;
    const start = Math.max(from, position);
    const end = Math.min(to, position + length);
    if (end > start) {
      picked.push({ start: range.start + start - position, end: range.start + end - position });
    }
    position += length;
  }
  return { ranges: picked, firstPosition: from };
}

/** `I/N` as written. */
export function formatShard(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}
