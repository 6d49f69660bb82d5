/**
 * The facts a run emits, in order: `note`s and `phase` changes as they happen, one
 * `second` per second of the run (the last one when the run ends, so the seconds sum
 * to the totals), and one `summary` at the end. Reporters subscribe to them; none of
 * them needs anything from the engine.
 *
 * @module
 */
import type { Summary } from "./summary.ts";
import type { RunTotals, TimelinePoint } from "./run_counts.ts";

/** What the run is doing. */
export type RunPhase = "ramp-up" | "running" | "draining" | "stopped";

/** The generator's own health at the end of one second. */
export interface SecondHealth {
  /** CPU time used since the run started, user + system, in seconds. */
  readonly cpuSeconds: number;
  /** Resident set size now, in bytes. */
  readonly rssBytes: number;
  /** Largest event-loop lag within the second, in ms. */
  readonly eventLoopLagMs: number;
}

/** One second of the run, as the live view and the per-second outputs see it. */
export interface SecondFact {
  /** Fact kind. */
  readonly kind: "second";
  /** The run's id (the summary's `runId`). */
  readonly runId: string;
  /** Phase of the run at the end of the second. */
  readonly phase: RunPhase;
  /** Time since the run started, in ms. */
  readonly elapsedMs: number;
  /** Planned length of the running phase, in ms; 0 means until interrupted. */
  readonly durationMs: number;
  /** Time since the current phase started, in ms. */
  readonly phaseElapsedMs: number;
  /** Sensors in the fleet. */
  readonly sensors: number;
  /** Sensors that finished their first connect attempt (connected or failed). */
  readonly settled: number;
  /** The second's counts and p99s. */
  readonly point: TimelinePoint;
  /** Errors counted since the run started. */
  readonly errorsTotal: number;
  /** The run's totals at the end of the second. */
  readonly totals: RunTotals;
  /** The generator's CPU, memory and event-loop lag. */
  readonly health: SecondHealth;
  /** Current stage as "2/3" when the scenario has stages; absent otherwise. */
  readonly stage?: string;
}

/** A change of phase. */
export interface PhaseFact {
  /** Fact kind. */
  readonly kind: "phase";
  /** The phase the run entered. */
  readonly phase: RunPhase;
  /** Time since the run started, in ms. */
  readonly elapsedMs: number;
}

/** Something a person running the test should know (the embedded broker, say). */
export interface NoteFact {
  /** Fact kind. */
  readonly kind: "note";
  /** One line, without a newline. */
  readonly text: string;
}

/** The run's result: emitted once, last. */
export interface SummaryFact {
  /** Fact kind. */
  readonly kind: "summary";
  /** The summary (thresholds not yet evaluated). */
  readonly summary: Summary;
}

/** Any fact of a run. */
export type RunFact = SecondFact | PhaseFact | NoteFact | SummaryFact;

/** Receives every fact of a run, in order. */
export type FactListener = (fact: RunFact) => void;

/** Hands each fact to every listener, in the order they subscribed. */
export class FactStream {
  readonly #listeners: FactListener[] = [];

  /** Adds `listener` for every later fact. */
  subscribe(listener: FactListener): void {
    this.#listeners.push(listener);
  }

  /** Delivers `fact` to every listener. */
  emit(fact: RunFact): void {
    for (const listener of this.#listeners) listener(fact);
  }
}
