/**
 * Topic and client-id templates: the placeholders they may use and the checks every
 * source of a template (flag, variable, file) runs.
 *
 * @module
 */

import { UsageError } from "./usage_error.ts";

/** Placeholders that topic and client-id templates may use. */
export const TEMPLATE_PLACEHOLDERS: readonly string[] = ["id", "index", "fleet"];

/**
 * Checks a topic template: known placeholders only, and no MQTT wildcards (MQTT-4.7.1:
 * `+` and `#` may not appear in a topic name); returns it.
 */
export function checkTopicTemplate(value: string, setting: string): string {
  const wildcard = /[+#]/.exec(value);
  if (wildcard !== null) {
    throw new UsageError(
      `${setting}: ${JSON.stringify(value)} contains the wildcard "${
        wildcard[0]
      }"; topic names may not`,
    );
  }
  return checkTemplate(value, setting);
}

/** Checks that a template uses only known placeholders and closes every brace; returns it. */
export function checkTemplate(value: string, setting: string): string {
  if (value.replace(/\{[^{}]*\}/g, "").search(/[{}]/) !== -1) {
    throw new UsageError(`${setting}: unmatched "{" or "}" in ${JSON.stringify(value)}`);
  }
  for (const match of value.matchAll(/\{([^}]*)\}/g)) {
    if (!TEMPLATE_PLACEHOLDERS.includes(match[1])) {
      throw new UsageError(
        `${setting}: unknown placeholder {${match[1]}} in ${JSON.stringify(value)}; known: ${
          TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(", ")
        }`,
      );
    }
  }
  return value;
}
