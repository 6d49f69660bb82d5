/**
 * When a run begins: `--start-at` as an RFC 3339 instant (`2026-12-02T10:00:00Z`) or a
 * delay from now (`+30s`), so shards started seconds apart load the broker together.
 *
 * @module
 */

import { parseDurationMs } from "./duration.ts";
import type { StartAt } from "./scenario.ts";
import { UsageError } from "./usage_error.ts";

/** The longest wait for a start, in ms (a day). */
export const MAX_START_WAIT_MS = 24 * 3_600_000;

// RFC 3339: a date, T, a time with optional fraction, and a zone (Z or ±hh:mm).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Reads `--start-at` text for `setting`; throws a UsageError naming it. */
export function parseStartAt(text: string, setting: string): StartAt {
  const trimmed = text.trim();
  if (trimmed.startsWith("+")) {
    const afterMs = parseDurationMs(trimmed.slice(1), setting);
    if (afterMs > MAX_START_WAIT_MS) {
      throw new UsageError(
        `${setting}: expected a delay of at most 24h, got ${JSON.stringify(text)}`,
      );
    }
    return { afterMs };
  }
  const epochMs = RFC3339.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (!Number.isFinite(epochMs)) {
    throw new UsageError(
      `${setting}: expected an RFC 3339 time like 2026-12-02T10:00:00Z or a delay like +30s, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return { epochMs };
}

/** The start instant in ms since the Unix epoch, a delay counted from `nowEpochMs`. */
export function startEpochMs(startAt: StartAt, nowEpochMs: number): number {
  return "epochMs" in startAt ? startAt.epochMs : nowEpochMs + startAt.afterMs;
}
