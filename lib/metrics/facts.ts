/**
 * The facts a run emits, in order: `note`s and `phase` changes as they happen, one
 * `second` per second of the run (the last one when the run ends, so the seconds sum
 * to the totals), and one `summary` at the end. Reporters subscribe to them; none of
 * them needs anything from the engine.
 *
 * @module
 */
import type { Summary } from "./summary.ts";
import type { TimelinePoint } from "./run_metrics.ts";

/** What the run is doing. */
export type RunPhase = "ramp-up" | "running" | "draining" | "stopped";

/** One second of the run, as the live view and the per-second outputs see it. */
export interface SecondFact {
  /** Fact kind. */
  readonly kind: "second";
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
