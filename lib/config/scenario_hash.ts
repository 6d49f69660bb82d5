/**
 * A scenario's fingerprint: the same for every shard of one run, different when the
 * load differs. Settings of the machine and the run (source addresses, outputs, the
 * shard, its start and run id: the table's `local` group) are left out.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { redactScenario, type Scenario } from "./scenario.ts";
import { LOCAL_FIELDS } from "./local_fields.ts";

/** The Scenario fields of the settings that belong to the machine and the run. */
const LOCAL_TARGETS: ReadonlySet<string> = new Set(
  LOCAL_FIELDS.flatMap((field) => "target" in field ? [field.target] : []),
);

/** The first 16 hex digits of the SHA-256 of the scenario's canonical JSON (secrets redacted). */
export function scenarioHash(scenario: Scenario): string {
  const config = Object.fromEntries(
    Object.entries(redactScenario(scenario)).filter(([key]) => !LOCAL_TARGETS.has(key)),
  );
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 16);
}

/** JSON with every object's keys sorted, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined).sort((
      [a],
      [b],
    ) => a < b ? -1 : a > b ? 1 : 0);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`)}}`;
  }
  return JSON.stringify(value) ?? "null";
}
