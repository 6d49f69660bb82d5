/**
 * The fault soak's sizes (full and `--quick`), the generator flags it runs with, and
 * what one soak records.
 *
 * @module
 */
import type { GeneratorRun } from "./run_generator.ts";
import type { RestartRecord, RssMark } from "./soak_analysis.ts";

/** The size and fault schedule of a soak. */
export interface SoakPlan {
  /** Sensors (connections). */
  readonly sensors: number;
  /** The hold (`--duration`), in ms. */
  readonly durationMs: number;
  /** Time between two broker kills, counted from the start of the hold, in ms. */
  readonly restartEveryMs: number;
  /** How long the broker stays down before it is started again, in ms. */
  readonly downMs: number;
  /** Time between two RSS readings, from the start of the hold, in ms. */
  readonly rssEveryMs: number;
}

/** The full soak: 5,000 sensors, 10 minutes, a restart every 2 minutes. */
export const FULL_SOAK: SoakPlan = {
  sensors: 5_000,
  durationMs: 600_000,
  restartEveryMs: 120_000,
  downMs: 3_000,
  rssEveryMs: 60_000,
};

/** The `--quick` soak: 1,000 sensors, 90 s, a restart every 30 s. */
export const QUICK_SOAK: SoakPlan = {
  sensors: 1_000,
  durationMs: 90_000,
  restartEveryMs: 30_000,
  downMs: 3_000,
  rssEveryMs: 15_000,
};

/** Everything a soak recorded. */
export interface SoakRecord {
  /** The plan it ran. */
  readonly plan: SoakPlan;
  /** The short version. */
  readonly quick: boolean;
  /** The generator process and its summary; null when it could not be started. */
  readonly generator: GeneratorRun | null;
  /** When the generator reported the `running` phase, ms since the Unix epoch; null if never. */
  readonly holdStartMs: number | null;
  /** The restarts made, in order. */
  readonly restarts: readonly RestartRecord[];
  /** The RSS readings, in order. */
  readonly rssMarks: readonly RssMark[];
  /** Why the soak could not be measured, or null. */
  readonly error: string | null;
}

/** Flags of every soak run, after `main.ts run`, without `--url` and `--json`. */
export function soakArgs(plan: SoakPlan): string[] {
  return [
    "--sensors",
    String(plan.sensors),
    "--interval",
    "1s",
    "--qos",
    "1",
    "--max-inflight",
    "64",
    "--duration",
    `${plan.durationMs / 1000}s`,
  ];
}
