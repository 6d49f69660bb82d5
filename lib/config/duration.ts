import { UsageError } from "./usage_error.ts";

const UNIT_MS: Readonly<Record<string, number>> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)?$/;

/**
 * Parses a duration like `500ms`, `5s`, `2m`, `1h` or `1.5s` into milliseconds.
 *
 * A bare `0` is accepted (it means "none" or "forever" where a field says so); any
 * other number needs a unit. Throws {@linkcode UsageError} naming `field` otherwise.
 */
export function parseDurationMs(text: string, field: string): number {
  const trimmed = text.trim();
  const match = DURATION_PATTERN.exec(trimmed);
  if (match === null || (match[2] === undefined && Number(match[1]) !== 0)) {
    throw new UsageError(
      `${field}: expected a duration like "500ms", "5s" or "2m", got ${JSON.stringify(text)}`,
    );
  }
  const unitMs = match[2] === undefined ? 1 : UNIT_MS[match[2]];
  const ms = Number(match[1]) * unitMs;
  if (!Number.isFinite(ms)) {
    throw new UsageError(`${field}: duration ${JSON.stringify(text)} is too long`);
  }
  // Round to whole microseconds: 4.1m is 246000 ms, not 245999.99999999997.
  return Math.round(ms * 1000) / 1000;
}

/** Formats milliseconds as the shortest exact duration text (`1500` → `1.5s`). */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return "0";
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}
