/**
 * The exact ledger of a sharded run: every sensor's sent count from the shard that drove
 * it, and the seqs every probe received of it put together, so `received`, `lost` and
 * `duplicates` are what one probe would have counted. Reordering cannot be judged
 * across probes (two of one sensor's messages that went to two probes have no order).
 *
 * @module
 */

import { fleetOfIndexFor } from "../../config/fleet_of_index.ts";
import { runLengthDecode, type ShardSection } from "../../metrics/shard_result.ts";

/** Message counts reconciled across shards, for the run and per fleet. */
export interface MergedLedger {
  /** Distinct (sensor, seq) pairs received by any probe. */
  readonly received: number;
  /** Messages sent and never received by any probe. */
  readonly lost: number;
  /** Messages received again, by the same probe or another. */
  readonly duplicates: number;
  /** Per fleet (by the fleets' sensor counts, in order): received, lost, duplicates. */
  readonly fleets: { received: number; lost: number; duplicates: number }[];
}

/**
 * Reconciles the shards' sections; `fleetCounts` are the scenario's fleets' sizes in
 * order (sensor ids are global indexes, so they say which fleet a sensor is in).
 */
export function mergeLedgers(
  sections: readonly ShardSection[],
  fleetCounts: readonly number[],
): MergedLedger {
  const sent = new Map<number, number>();
  for (const section of sections) {
    const counts = runLengthDecode(section.sentCounts);
    for (const [start, end] of section.sensors) {
      for (let index = start; index < end; index++) sent.set(index, counts.next().value ?? 0);
    }
  }
  const seen = new Map<number, number[][]>();
  let duplicates = 0;
  const fleets = fleetCounts.map(() => ({ received: 0, lost: 0, duplicates: 0 }));
  const fleetOf = fleetOfIndexFor(fleetCounts);
  for (const section of sections) {
    duplicates += section.duplicates;
    for (const [sensorId, ranges] of Object.entries(section.receivedSeqs)) {
      const index = Number(sensorId);
      if (!Number.isInteger(index)) continue;
      let lists = seen.get(index);
      if (lists === undefined) seen.set(index, lists = []);
      lists.push(ranges as number[]);
    }
  }
  let received = 0;
  let lost = 0;
  for (const [index, lists] of seen) {
    const { distinct, below, overlap } = unionOf(lists, sent.get(index) ?? Infinity);
    const sensorLost = sent.has(index) ? sent.get(index)! - below : 0;
    received += distinct;
    lost += sensorLost;
    duplicates += overlap;
    const fleet = fleets[fleetOf(index)];
    if (fleet !== undefined) {
      fleet.received += distinct;
      fleet.lost += sensorLost;
      fleet.duplicates += overlap;
    }
  }
  for (const [index, count] of sent) {
    if (seen.has(index)) continue;
    lost += count;
    const fleet = fleets[fleetOf(index)];
    if (fleet !== undefined) fleet.lost += count;
  }
  return { received, lost, duplicates, fleets };
}

/**
 * The union of several sorted range lists (`[from0, to0, ...]` each): its size, its
 * size below `limit`, and how many seqs lay in more than one list.
 */
function unionOf(
  lists: readonly (readonly number[])[],
  limit: number,
): { distinct: number; below: number; overlap: number } {
  const ranges: [number, number][] = [];
  let total = 0;
  for (const list of lists) {
    for (let at = 0; at + 1 < list.length; at += 2) {
      ranges.push([list[at], list[at + 1]]);
      total += list[at + 1] - list[at];
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let distinct = 0;
  let below = 0;
  let from = -1;
  let to = -1;
  const close = () => {
    if (to <= from) return;
    distinct += to - from;
    below += Math.max(0, Math.min(to, limit) - from);
  };
  for (const [start, end] of ranges) {
    if (start > to) {
      close();
      from = start;
      to = end;
    } else {
      to = Math.max(to, end);
    }
  }
  close();
  return { distinct, below, overlap: total - distinct };
}
