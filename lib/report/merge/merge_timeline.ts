/**
 * Shards' timelines on one wall clock: each shard's second `t` is placed by its start,
 * and the seconds that fall together are added up. Counts add exactly; a second's
 * percentiles cannot be added, so the merged second keeps the worst shard's (an upper
 * bound), and the event-loop lag the largest.
 *
 * @module
 */

import type { TimelinePoint } from "../../metrics/run_counts.ts";

/** One shard's timeline and when it started, ms since the Unix epoch. */
export interface ShardTimeline {
  readonly startedAtMs: number;
  readonly points: readonly TimelinePoint[];
}

/** Counts that add up across shards. */
const SUMMED = ["connected", "sent", "acked", "received", "errors", "cpuPercent"] as const;
/** Per-second figures of which the merged second keeps the largest. */
const LARGEST = [
  "ackP50Ms",
  "ackP99Ms",
  "e2eP50Ms",
  "e2eP99Ms",
  "latenessP50Ms",
  "latenessP99Ms",
  "connectP50Ms",
  "connectP99Ms",
  "stage",
  "eventLoopLagMs",
] as const;

/** The merged timeline, its seconds counted from the earliest shard's start. */
export function mergeTimelines(timelines: readonly ShardTimeline[]): TimelinePoint[] {
  if (timelines.length === 0) return [];
  const originMs = Math.min(...timelines.map((timeline) => timeline.startedAtMs));
  const seconds = new Map<number, TimelinePoint>();
  for (const { startedAtMs, points } of timelines) {
    const offset = Math.round((startedAtMs - originMs) / 1000);
    for (const point of points) {
      const t = point.t + offset;
      const into = seconds.get(t);
      if (into === undefined) {
        seconds.set(t, { ...point, t, errorsByCategory: { ...point.errorsByCategory } });
        continue;
      }
      for (const key of SUMMED) into[key] = round1(into[key] + point[key]);
      for (const key of LARGEST) into[key] = Math.max(into[key], point[key]);
      for (const [category, count] of Object.entries(point.errorsByCategory)) {
        into.errorsByCategory[category] = (into.errorsByCategory[category] ?? 0) + count;
      }
    }
  }
  return [...seconds.values()].sort((a, b) => a.t - b.t);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
