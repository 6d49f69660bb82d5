/**
 * What a benchmark case is made of: the runs it starts, what each run left behind,
 * its numbers and the targets they are held to.
 *
 * @module
 */
import type { Summary } from "../../lib/metrics/summary.ts";
import type { CounterUpdate } from "./broker_counter.ts";
import type { ProcessSample } from "./process_sampler.ts";
import type { GeneratorRun } from "./run_generator.ts";

/** One generator process a case starts, each against a fresh broker. */
export interface RunSpec {
  /** Short name shown in progress lines. */
  readonly label: string;
  /** Flags after `main.ts run`, without `--url` and `--json`. */
  readonly args: readonly string[];
  /** Sensors (connections) of the run. */
  readonly sensors: number;
  /** The hold phase (`--duration`), in ms. */
  readonly durationMs: number;
  /** `/proc` sampling period for the generator, in ms. */
  readonly sampleIntervalMs: number;
  /** Run as this many shard processes and merge them; default one process. */
  readonly shards?: number;
}

/** What the broker saw during one run. */
export interface BrokerObservation {
  /** PUBLISH packets the broker counted during the run; null when unknown. */
  readonly received: number | null;
  /** `$SYS` counter refreshes received during the run. */
  readonly updates: readonly CounterUpdate[];
  /** `/proc` readings of the broker process; empty for a broker given with `--url`. */
  readonly samples: readonly ProcessSample[];
}

/** One finished run: its spec, the generator's process and summary, and the broker. */
export interface RunRecord {
  /** The run's spec. */
  readonly spec: RunSpec;
  /** The generator process (its summary is non-null in a record). */
  readonly generator: GeneratorRun & { readonly summary: Summary };
  /** The broker's side. */
  readonly broker: BrokerObservation;
}

/** A case's numbers by name (units in the name); null where not measurable. */
export type CaseMetrics = Record<string, number | null>;

/** A goal a case's numbers are held to. */
export interface Target {
  /** What is required, e.g. `CPU < 2.5 s`. */
  readonly label: string;
  /** True when met, false when missed, null when not measurable. */
  readonly check: (metrics: CaseMetrics) => boolean | null;
}

/** One benchmark case. */
export interface BenchCase {
  /** Name used by `--case` and in the output. */
  readonly name: string;
  /** One line on what it measures. */
  readonly about: string;
  /** The runs of one repetition, the one the common columns describe first. */
  runs(quick: boolean): readonly RunSpec[];
  /**
   * The runs of a repetition start together, each against its own broker; default
   * false. Only where they are compared on memory alone, which CPU contention between
   * them does not move.
   */
  readonly together?: boolean;
  /** The numbers of one repetition. */
  measure(records: readonly RunRecord[]): CaseMetrics;
  /** What the numbers are held to. */
  readonly targets: readonly Target[];
  /** The case's own result in a few words, for the table. */
  headline(metrics: CaseMetrics): string;
}
