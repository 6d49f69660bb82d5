/**
 * Topic and client-id templates such as `sensors/{id}/telemetry`: parsed and checked
 * once, then rendered per sensor by joining precompiled literal parts.
 *
 * Placeholders: `{id}` is the sensor index zero-padded to the width of the largest
 * index in the fleet (`0000`..`9999` for 10,000 sensors), `{index}` the plain index.
 *
 * @module
 */

import { UsageError } from "../config/usage_error.ts";

/** The placeholder names a template may use, written `{id}` and `{index}`. */
export const TEMPLATE_PLACEHOLDERS = ["id", "index"] as const;

/** One of {@linkcode TEMPLATE_PLACEHOLDERS}. */
export type TemplatePlaceholder = typeof TEMPLATE_PLACEHOLDERS[number];

/**
 * Renders a template for sensor `index` (0-based), with `{id}` padded to `idWidth`
 * digits (from {@linkcode idWidthFor}).
 */
export type CompiledTemplate = (index: number, idWidth: number) => string;

const KNOWN_PLACEHOLDERS = TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`)
  .join(", ");
const PLACEHOLDER_HINT = `known placeholders: ${KNOWN_PLACEHOLDERS}`;

function isPlaceholder(name: string): name is TemplatePlaceholder {
  return (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * The number of digits in `{id}` for a fleet of `sensorCount` sensors: the width of
 * the largest index, `sensorCount - 1`, and at least 1. Pass the whole fleet's size
 * (all shards), so every shard renders the same ids.
 */
export function idWidthFor(sensorCount: number): number {
  return String(Math.max(0, sensorCount - 1)).length;
}

/** Sensor `index` as a decimal zero-padded to `idWidth` digits (never truncated). */
export function formatSensorId(index: number, idWidth: number): string {
  return String(index).padStart(idWidth, "0");
}

/**
 * Splits `template` into literal parts and placeholders, checking it whole; error
 * messages start with `field`, the flag or scenario field it came from.
 */
function parseTemplate(
  template: string,
  field: string,
): { literals: string[]; placeholders: TemplatePlaceholder[] } {
  if (template === "") {
    throw new UsageError(`${field}: must not be empty`);
  }
  const literals: string[] = [];
  const placeholders: TemplatePlaceholder[] = [];
  let literalStart = 0;
  for (let at = 0; at < template.length; at++) {
    const char = template[at];
    if (char === "}") {
      throw new UsageError(
        `${field}: unmatched "}" in "${template}"`,
        PLACEHOLDER_HINT,
      );
    }
    if (char !== "{") continue;
    const close = template.indexOf("}", at + 1);
    if (close === -1) {
      throw new UsageError(
        `${field}: unclosed "{" in "${template}"`,
        PLACEHOLDER_HINT,
      );
    }
    const name = template.slice(at + 1, close);
    if (!isPlaceholder(name)) {
      throw new UsageError(
        `${field}: unknown placeholder {${name}} in "${template}"; known: ${KNOWN_PLACEHOLDERS}`,
      );
    }
    literals.push(template.slice(literalStart, at));
    placeholders.push(name);
    at = close;
    literalStart = close + 1;
  }
  literals.push(template.slice(literalStart));
  return { literals, placeholders };
}

/**
 * Compiles `template` (placeholders `{id}`, `{index}`) into a fast renderer.
 * Throws {@linkcode UsageError} naming `field` (such as `"--client-id"`) for an
 * empty template, an unclosed `{`, a stray `}` or an unknown placeholder.
 */
export function compileTemplate(
  template: string,
  field: string,
): CompiledTemplate {
  const { literals, placeholders } = parseTemplate(template, field);
  if (placeholders.length === 0) return () => template;
  return (index, idWidth) => {
    let rendered = literals[0];
    for (let part = 0; part < placeholders.length; part++) {
      rendered += placeholders[part] === "id" ? formatSensorId(index, idWidth) : String(index);
      rendered += literals[part + 1];
    }
    return rendered;
  };
}

/** Throws if `template` cannot render an MQTT topic name. */
function checkTopicTemplate(template: string, field: string): void {
  // MQTT-4.7.1-1: the wildcards + and # may appear in subscription filters only.
  const wildcard = /[+#]/.exec(template);
  if (wildcard) {
    throw new UsageError(
      `${field}: "${template}" contains the wildcard "${
        wildcard[0]
      }", which topic names cannot contain`,
      `use {id} or {index} to give each sensor its own topic`,
    );
  }
  // MQTT-4.7.3-2: topic names must not contain U+0000.
  if (template.includes("\u0000")) {
    throw new UsageError(`${field}: "${template}" contains a NUL character`);
  }
}

/**
 * Compiles a topic template like {@linkcode compileTemplate}, also rejecting what no
 * MQTT topic name may contain: the wildcards `+` and `#`, and NUL.
 */
export function compileTopicTemplate(
  template: string,
  field: string,
): CompiledTemplate {
  checkTopicTemplate(template, field);
  return compileTemplate(template, field);
}

/**
 * The MQTT subscription filter that matches every topic `topicTemplate` renders:
 * each topic level holding a placeholder becomes `+` (`sensors/{id}/telemetry` →
 * `sensors/+/telemetry`). Throws {@linkcode UsageError} naming `field` (default
 * `"--topic"`) for a template {@linkcode compileTopicTemplate} rejects.
 */
export function topicFilterFor(
  topicTemplate: string,
  field = "--topic",
): string {
  checkTopicTemplate(topicTemplate, field);
  parseTemplate(topicTemplate, field);
  const levels = topicTemplate.split("/");
  // MQTT-4.7.2-1: a filter starting with a wildcard does not match topics starting
  // with "$", so such a first level has no filter that matches it.
  if (levels[0].startsWith("$") && levels[0].includes("{")) {
    throw new UsageError(
      `${field}: "${topicTemplate}" starts with "$" and a placeholder, which no subscription can match`,
      `put the placeholder in a later topic level`,
    );
  }
  return levels.map((level) => level.includes("{") ? "+" : level).join("/");
}
