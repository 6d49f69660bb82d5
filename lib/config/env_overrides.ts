import { settingName } from "./apply_overrides.ts";
import type { OverrideValues } from "./apply_overrides.ts";
import { UsageError } from "./usage_error.ts";

/** The spellings a boolean `IOTLOAD_*` variable accepts (any case), and what they mean. */
const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ["1", true],
  ["true", true],
  ["yes", true],
  ["0", false],
  ["false", false],
  ["no", false],
]);

/** `IOTLOAD_*` names that are not run settings but are read all the same. */
const OTHER_KNOWN_NAMES = [
  "IOTLOAD_SCENARIO",
  // Read by the test suite: the broker its integration tests use.
  "IOTLOAD_TEST_URL",
];

/**
 * Reads `IOTLOAD_*` environment variables as override values (`IOTLOAD_SENSORS=50` is
 * `--sensors 50`; `IOTLOAD_NO_PROBE=1` is `--no-probe`). Only names in `known` count.
 * A boolean takes exactly 1/0, true/false or yes/no; anything else is a problem, and
 * every problem is thrown together as one {@linkcode UsageError}.
 */
export function overridesFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  known: ReadonlyMap<string, "string" | "boolean">,
): OverrideValues {
  const values: Record<string, string | boolean | string[]> = {};
  const problems: string[] = [];
  for (const [name, type] of known) {
    const variable = settingName(name, "env");
    const value = env[variable];
    if (value === undefined || value === "") continue;
    if (type === "boolean") {
      const meaning = BOOLEAN_WORDS.get(value.trim().toLowerCase());
      if (meaning === undefined) {
        problems.push(
          `${variable}: ${JSON.stringify(value)} is not a boolean (use 1/0, true/false or yes/no)`,
        );
      } else {
        values[name] = meaning;
      }
    } else if (name === "threshold") {
      values[name] = value.split(";").map((part) => part.trim());
    } else {
      values[name] = value;
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return values;
}

/**
 * One warning per `IOTLOAD_*` variable that names no setting (a typo, most likely),
 * with the nearest known name when one is close.
 */
export function unknownEnvWarnings(
  env: Readonly<Record<string, string | undefined>>,
  known: ReadonlyMap<string, unknown>,
): string[] {
  const names = [...known.keys()].map((name) => settingName(name, "env"))
    .concat(OTHER_KNOWN_NAMES);
  const warnings: string[] = [];
  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith("IOTLOAD_") || names.includes(variable)) continue;
    const nearest = nearestName(variable, names);
    warnings.push(
      `${variable} is not an iotload setting${
        nearest === null ? "" : `; did you mean ${nearest}?`
      } (it is ignored)`,
    );
  }
  return warnings;
}

/** The name within a third of `name`'s length in edits, or null. */
function nearestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor((name.length - "IOTLOAD_".length) / 3));
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}
