/**
 * `--abort-on-fail` (and `abortOnFail` per threshold): thresholds judged while the run
 * goes, each second, from the run's totals. Only a definite failure stops a run: a
 * count that only grows (`failed`, `duplicates`, `connections.errors.<category>`,
 * `connections.attemptsFailed`, ...) past an upper limit can never pass again. A
 * percentile, a rate, a percentage or `lost` (known only after the drain) may still
 * change, so those are judged at the end like every threshold.
 *
 * @module
 */
import type { RunFact } from "../metrics/facts.ts";
import type { ThresholdResult } from "../metrics/summary.ts";
import { evaluateThresholds, type Threshold } from "./thresholds.ts";

/** `connections.*` counts that only grow during a run. */
const GROWING_CONNECTION_COUNTS = [
  "attempts",
  "attemptsFailed",
  "disconnects",
  "reconnects",
  "churned",
  "peak",
];
/** `messages.*` counts that are not final before the drain. */
const SETTLED_AFTER_DRAIN = ["lost"];

/**
 * Whether a failure of `threshold` during the run is final: its metric only grows, it
 * is not a percentage, and its limit is an upper bound (`<`, `<=`, `==`).
 */
export function failsForGood(threshold: Threshold): boolean {
  if (threshold.percent || !["<", "<=", "=="].includes(threshold.op)) return false;
  const [section, field] = threshold.path;
  if (section === "messages") return !SETTLED_AFTER_DRAIN.includes(field);
  return section === "connections" &&
    (field === "errors" || GROWING_CONNECTION_COUNTS.includes(field));
}

/** A threshold that failed for good, and when. */
export interface DefiniteFailure {
  /** The threshold's result at that second. */
  readonly result: ThresholdResult;
  /** Seconds since the run started. */
  readonly tSec: number;
}

/**
 * Watches the run's seconds and calls `onFailure` once, at the first second where a
 * watched threshold that can fail for good ({@linkcode failsForGood}) fails.
 */
export class ThresholdWatch {
  readonly #thresholds: readonly Threshold[];
  readonly #onFailure: (failure: DefiniteFailure) => void;
  #failed = false;

  /** Watches those of `thresholds` that can fail for good. */
  constructor(thresholds: readonly Threshold[], onFailure: (failure: DefiniteFailure) => void) {
    this.#thresholds = thresholds.filter(failsForGood);
    this.#onFailure = onFailure;
  }

  /** Follows a run's facts: each second's totals are judged. */
  onFact(fact: RunFact): void {
    if (fact.kind !== "second" || this.#failed || this.#thresholds.length === 0) return;
    const { messages, connections, errors } = fact.totals;
    const soFar = { messages, connections: { ...connections, errors } };
    const failed = evaluateThresholds(this.#thresholds, soFar).find((result) => !result.ok);
    if (failed === undefined) return;
    this.#failed = true;
    this.#onFailure({ result: failed, tSec: fact.point.t });
  }
}
