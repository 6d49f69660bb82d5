/**
 * `IOTLOAD_*` environment variables read as override values: every setting with a
 * flag has one (`--connect-rate` is `IOTLOAD_CONNECT_RATE`), from the settings table.
 *
 * @module
 */

import type { OverrideValues } from "./apply_overrides.ts";
import { nearestName } from "./nearest_name.ts";
import { envName, SETTINGS } from "./settings.ts";
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
  // With Kubernetes' JOB_COMPLETION_INDEX, the shard of an Indexed Job's pod.
  "IOTLOAD_SHARDS",
];

/**
 * Reads `IOTLOAD_*` environment variables as override values by flag name
 * (`IOTLOAD_SENSORS=50` is `--sensors 50`; `IOTLOAD_NO_PROBE=1` is `--no-probe`;
 * `IOTLOAD_THRESHOLD` holds expressions separated by `;`). A boolean takes exactly
 * 1/0, true/false or yes/no; anything else is a problem. Without `IOTLOAD_SHARD`, an
 * Indexed Job's `JOB_COMPLETION_INDEX` with `IOTLOAD_SHARDS` gives the shard. And
 * every problem is thrown together as one {@linkcode UsageError}.
 */
export function overridesFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): OverrideValues {
  const values: Record<string, string | boolean | string[]> = {};
  const problems: string[] = [];
  for (const { flag, takesValue, repeatable } of SETTINGS) {
    const variable = envName(flag.name);
    const value = env[variable];
    if (value === undefined || value === "") continue;
    if (!takesValue) {
      const meaning = BOOLEAN_WORDS.get(value.trim().toLowerCase());
      if (meaning === undefined) {
        problems.push(
          `${variable}: ${JSON.stringify(value)} is not a boolean (use 1/0, true/false or yes/no)`,
        );
      } else {
        values[flag.name] = meaning;
      }
    } else if (repeatable) {
      values[flag.name] = value.split(";").map((part) => part.trim());
    } else {
      values[flag.name] = value;
    }
  }
  // An Indexed Job's pod knows its index; IOTLOAD_SHARDS says how many there are.
  const index = env.JOB_COMPLETION_INDEX;
  const shards = env.IOTLOAD_SHARDS;
  if (values.shard === undefined && index !== undefined && shards !== undefined) {
    values.shard = `${index.trim()}/${shards.trim()}`;
  }
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return values;
}

/**
 * One warning per `IOTLOAD_*` variable that names no setting (a typo, most likely),
 * with the nearest known name when one is close.
 */
export function unknownEnvWarnings(env: Readonly<Record<string, string | undefined>>): string[] {
  const names = SETTINGS.map(({ flag }) => envName(flag.name)).concat(OTHER_KNOWN_NAMES);
  const prefix = "IOTLOAD_";
  const warnings: string[] = [];
  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith(prefix) || names.includes(variable)) continue;
    const word = variable.slice(prefix.length);
    const nearest = nearestName(
      word,
      names.map((name) => name.slice(prefix.length)),
      Math.max(2, Math.floor(word.length / 3)),
    );
    warnings.push(
      `${variable} is not an iotload setting${
        nearest === undefined ? "" : `; did you mean ${prefix}${nearest}?`
      } (it is ignored)`,
    );
  }
  return warnings;
}
