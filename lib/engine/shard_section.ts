/**
 * A shard's part of the summary that an exact merge needs: its sensors, what each sent,
 * and what its probe received of every sensor.
 *
 * @module
 */

import { type Scenario, type ShardSpec, totalSensors } from "../config/scenario.ts";
import { scenarioHash } from "../config/scenario_hash.ts";
import { shardRanges } from "../config/shard.ts";
import { formatSensorId, idWidthFor } from "../fleet/template.ts";
import { runLengthEncode, type ShardSection } from "../metrics/shard_result.ts";
import type { SequenceLedger } from "../probe/ledger.ts";

/** What the run knows when it builds the section. */
export interface ShardSectionInput {
  /** The validated scenario. */
  readonly scenario: Scenario;
  /** The shard this process is. */
  readonly shard: ShardSpec;
  /** Messages each sensor sent, by id (the fleet's count after disconnect). */
  readonly sentBySensor: ReadonlyMap<string, number>;
  /** The probe's ledger, or null without the probe. */
  readonly ledger: SequenceLedger | null;
  /** Messages the probe received again. */
  readonly duplicates: number;
  /** When the run began, ms since the Unix epoch. */
  readonly startedAtMs: number;
  /** The `--start-at` instant, ms since the Unix epoch, or null. */
  readonly startAtEpochMs: number | null;
}

/** The `shard` section of a summary of a run with `--shard`. */
export function shardSectionFor(input: ShardSectionInput): ShardSection {
  const { scenario, shard, sentBySensor, ledger, startAtEpochMs } = input;
  const ranges = shardRanges(scenario);
  const idWidth = idWidthFor(totalSensors(scenario));
  function* sentInOrder(): Generator<number> {
    for (const { start, end } of ranges) {
      for (let index = start; index < end; index++) {
        yield sentBySensor.get(formatSensorId(index, idWidth)) ?? 0;
      }
    }
  }
  return {
    index: shard.index,
    count: shard.count,
    scenarioHash: scenarioHash(scenario),
    startAt: startAtEpochMs === null ? null : new Date(startAtEpochMs).toISOString(),
    startSkewMs: startAtEpochMs === null ? null : Math.round(input.startedAtMs - startAtEpochMs),
    sensors: ranges.map(({ start, end }) => [start, end] as const),
    sentCounts: runLengthEncode(sentInOrder()),
    receivedSeqs: ledger === null ? {} : Object.fromEntries(ledger.receivedRanges()),
    duplicates: input.duplicates,
  };
}
