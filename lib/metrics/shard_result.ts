/**
 * What one shard's summary carries so that `iotload merge` can reconcile the run
 * exactly: which sensors the shard drove and how many messages each sent, and which
 * seqs of every sensor its probe received (the probes of a run share one subscription
 * group, so each saw part of every sensor's messages).
 *
 * @module
 */

/** The `shard` section of a shard's summary. */
export interface ShardSection {
  /** 0-based shard index. */
  readonly index: number;
  /** Shards of the run. */
  readonly count: number;
  /** Hash of the scenario without the settings of the machine and the run (hex). */
  readonly scenarioHash: string;
  /** The `--start-at` instant, ISO 8601, or null. */
  readonly startAt: string | null;
  /** How late the run began after `startAt`, in ms (negative: early); null without it. */
  readonly startSkewMs: number | null;
  /** The global sensor index ranges this shard drove, `[start, end)` each. */
  readonly sensors: readonly (readonly [number, number])[];
  /** Messages each of those sensors sent, in index order, run-length coded: `[count, repeat]`. */
  readonly sentCounts: readonly (readonly [number, number])[];
  /**
   * Seqs this shard's probe received, per sensor id (of any shard), as half-open ranges
   * flattened to `[from0, to0, ...]`; empty without the probe.
   */
  readonly receivedSeqs: Readonly<Record<string, readonly number[]>>;
  /** Messages this shard's probe received again (same sensor and seq). */
  readonly duplicates: number;
}

/** `values` run-length coded as `[value, repeat]` pairs. */
export function runLengthEncode(values: Iterable<number>): [number, number][] {
  const pairs: [number, number][] = [];
  for (const value of values) {
    const last = pairs[pairs.length - 1];
    if (last !== undefined && last[0] === value) last[1]++;
    else pairs.push([value, 1]);
  }
  return pairs;
}

/** The values of {@linkcode runLengthEncode} output, in order. */
export function* runLengthDecode(
  pairs: readonly (readonly [number, number])[],
): Generator<number> {
  for (const [value, repeat] of pairs) {
    for (let n = 0; n < repeat; n++) yield value;
  }
}

/** One shard as a merged summary lists it: when it ran and how its generator fared. */
export interface MergedShard {
  /** 0-based shard index. */
  readonly index: number;
  /** Its start, ISO 8601. */
  readonly startedAt: string;
  /** How late it began after `--start-at`, in ms; null without it. */
  readonly startSkewMs: number | null;
  /** Sensors it drove. */
  readonly sensors: number;
  /** Its messages written. */
  readonly sent: number;
  /** Its generator's verdict and figures. */
  readonly generator: {
    readonly verdict: string;
    readonly verdictReasons: readonly string[];
    readonly cpuPercent: number;
    readonly peakRssBytes: number;
    readonly eventLoopLagP99Ms: number;
  };
}

/** The `shards` section of a merged summary (`iotload merge`). */
export interface MergedShards {
  /** Shards the run was split into. */
  readonly count: number;
  /** The shards merged, by index. */
  readonly merged: readonly number[];
  /** Shards of the run with no result. */
  readonly missing: readonly number[];
  /** Shards given more than once (the same result; used once). */
  readonly duplicated: readonly number[];
  /** True when a shard is missing: the counts cover part of the run. */
  readonly incomplete: boolean;
  /** The scenario's hash, the same on every shard. */
  readonly scenarioHash: string;
  /** Largest start skew between shards, in ms (latest start minus earliest). */
  readonly startSpreadMs: number;
  /** The shard whose generator fared worst (highest CPU; a generator-bound one first). */
  readonly worst: number;
  /** Each merged shard. */
  readonly shards: readonly MergedShard[];
}
