/**
 * What `startRun` (`run.ts`) takes and gives: the seams to the outside world, the run's
 * options, how it ended, and the handle of a run under way.
 *
 * @module
 */
import type { Duplex } from "node:stream";
import type { TlsFiles } from "../config/tls_files.ts";
import type { Summary } from "../metrics/summary.ts";
import type { ClassifiedError } from "../transport/error_category.ts";
import type { Clock } from "./clock.ts";

/** What a run takes from the world; the command line wires the real ones, tests fakes. */
export interface RunSeams {
  /** Monotonic time and timers. */
  readonly clock: Clock;
  /** Wall-clock time, in ms since the Unix epoch (payload `ts`, summary times). */
  readonly epochNowMs: () => number;
  /** Random numbers in [0, 1) (backoff jitter, churn, command targets). */
  readonly random: () => number;
  /** A fresh unique id (client ids of the probe and the commander). */
  readonly newId: () => string;
  /** Cores of this host (for `--workers auto`). */
  readonly cores: number;
}

/** Everything a run needs besides the scenario. */
export interface RunOptions {
  /** The outside world. */
  readonly seams: RunSeams;
  /** The broker to load: the scenario's URL, or the embedded broker's. */
  readonly broker: {
    readonly url: string;
    readonly embedded: boolean;
    /** Connections to the embedded broker on this thread without sockets (see transport). */
    readonly openStream?: () => Duplex;
  };
  /** TLS material read from the scenario's files. */
  readonly tls: TlsFiles;
  /** Aborted on the first Ctrl-C / SIGTERM: stop sending, drain briefly, report. */
  readonly interrupt: AbortSignal;
  /**
   * Aborted to end the hold early, as if its duration were over (a threshold failed
   * for good): sending stops, the drain and the reconciliation run as usual.
   */
  readonly stop?: AbortSignal;
  /** Tool version for the summary. */
  readonly version: string;
  /** The `--start-at` instant the run waited for, ms since the Unix epoch; none by default. */
  readonly startAtEpochMs?: number;
}

/** How a run ended. */
export interface RunResult {
  /** The summary (thresholds not yet evaluated). */
  readonly summary: Summary;
  /** Why the run gave up (no connection ever succeeded), or null. */
  readonly abortReason: ClassifiedError | null;
}

/** A run in progress. */
export interface RunHandle {
  /** Settles when the run has ended (and emitted its summary fact). */
  readonly result: Promise<RunResult>;
  /** The summary of what was measured so far (for an exit that cannot wait). */
  summarise(): Summary;
}
