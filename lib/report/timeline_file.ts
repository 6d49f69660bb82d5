/**
 * The `--timeline FILE` reporter: one record per second of the run, appended as it
 * happens and written through at once, so a run that is killed keeps what it measured.
 * NDJSON for `.ndjson` / `.jsonl`, CSV with a header for `.csv`. The records are the
 * summary's timeline points (counts, the median and p99 of ack, e2e, lateness and
 * connect within the second, the generator's CPU and event-loop lag; NDJSON also the
 * errors by category) plus the phase and the elapsed time; their counts add up to the
 * summary's totals.
 *
 * @module
 */
import type { RunFact, SecondFact } from "../metrics/facts.ts";

/** How the file is written. */
export type TimelineFormat = "ndjson" | "csv";

/** The columns of a record, in order. */
const COLUMNS = [
  "t",
  "elapsedMs",
  "phase",
  "stage",
  "connected",
  "sent",
  "acked",
  "received",
  "errors",
  "ackP50Ms",
  "ackP99Ms",
  "e2eP50Ms",
  "e2eP99Ms",
  "latenessP50Ms",
  "latenessP99Ms",
  "connectP50Ms",
  "connectP99Ms",
  "cpuPercent",
  "eventLoopLagMs",
] as const;

/** The format a path asks for by its extension, or null when it names none of them. */
export function timelineFormatOf(path: string): TimelineFormat | null {
  if (/\.(ndjson|jsonl)$/i.test(path)) return "ndjson";
  if (/\.csv$/i.test(path)) return "csv";
  return null;
}

/** Where the reporter writes: appends text (synchronously, so it is on disk at once). */
export type TimelineSink = (text: string) => void;

/** Writes each second of a run to a timeline file as the facts arrive. */
export class TimelineFile {
  readonly #format: TimelineFormat;
  readonly #append: TimelineSink;

  /** Starts the file (the CSV header) through `append`. */
  constructor(format: TimelineFormat, append: TimelineSink) {
    this.#format = format;
    this.#append = append;
    if (format === "csv") append(`${COLUMNS.join(",")}\n`);
  }

  /** Follows a run's facts: one record per second. */
  onFact(fact: RunFact): void {
    if (fact.kind !== "second") return;
    const record = recordOf(fact);
    this.#append(
      this.#format === "ndjson"
        ? `${JSON.stringify(record)}\n`
        : `${COLUMNS.map((column) => record[column]).join(",")}\n`,
    );
  }
}

function recordOf(
  fact: SecondFact,
): Record<typeof COLUMNS[number], string | number> & { errorsByCategory: Record<string, number> } {
  return { ...fact.point, elapsedMs: Math.round(fact.elapsedMs), phase: fact.phase };
}
