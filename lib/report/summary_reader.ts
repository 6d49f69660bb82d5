/**
 * A saved JSON summary (`--out`, `--json`) read back for `iotload report` and
 * `iotload compare`: a readable regular file holding an iotload summary of a schema
 * version this build reads, or one clear usage error.
 *
 * @module
 */
import { describeFileError } from "../config/file_errors.ts";
import { readUserTextFile } from "../config/user_file.ts";
import { UsageError } from "../config/usage_error.ts";
import { type Summary, SUMMARY_SCHEMA_VERSION } from "../metrics/summary.ts";

/** Most bytes of a summary file read: long runs keep a point per second (64 MiB). */
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

/** The sections a summary must have for the reports to read it. */
const REQUIRED_SECTIONS = ["messages", "connections", "rates", "latencyMs", "generator"];

/**
 * Reads the summary at `path`; `setting` names it in problems (`BASE.json`). Throws a
 * {@linkcode UsageError} for a file that cannot be read, is not JSON, or is not an
 * iotload summary of schema version {@linkcode SUMMARY_SCHEMA_VERSION}.
 */
export async function readSummaryFile(path: string, setting: string): Promise<Summary> {
  let text: string;
  try {
    text = await readUserTextFile(path, MAX_SUMMARY_BYTES);
  } catch (error) {
    throw new UsageError(
      `${setting}: cannot read ${JSON.stringify(path)}: ${describeFileError(error)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${setting}: ${JSON.stringify(path)} is not JSON: ${(error as Error).message}`,
      "give a summary written by iotload run --out FILE (or --json)",
    );
  }
  return checkSummary(value, `${setting}: ${JSON.stringify(path)}`);
}

/**
 * `value` as a summary this build reads; otherwise a {@linkcode UsageError} that starts
 * with `label` (what the value is, e.g. `BASE: "base.json"`).
 */
export function checkSummary(value: unknown, label: string): Summary {
  const summary = value as Partial<Summary> | null;
  if (
    typeof summary !== "object" || summary === null || summary.tool?.name !== "iotload" ||
    REQUIRED_SECTIONS.some((section) =>
      typeof (summary as Record<string, unknown>)[section] !== "object"
    )
  ) {
    throw new UsageError(
      `${label} is not an iotload summary`,
      "give a summary written by iotload run --out FILE (or --json)",
    );
  }
  if (summary.schemaVersion !== SUMMARY_SCHEMA_VERSION) {
    throw new UsageError(
      `${label} has summary schema version ${
        String(summary.schemaVersion)
      }; this iotload reads version ${SUMMARY_SCHEMA_VERSION}`,
    );
  }
  return summary as Summary;
}
