/**
 * Payload templates checked as far as configuration can: their syntax, their
 * placeholders, and the JSON a stand-in for every placeholder renders. The fleet
 * compiles them for real (`fleet/payload_template.ts`).
 *
 * @module
 */

import { UsageError } from "./usage_error.ts";

/**
 * Placeholders a payload template may use, besides `{reading.NAME}` (one reading value)
 * and `{faker:MODULE.METHOD}` (a faker call per message).
 */
export const PAYLOAD_TEMPLATE_PLACEHOLDERS: readonly string[] = [
  "id",
  "index",
  "seq",
  "ts",
  "reading",
  "identity.deviceId",
  "identity.model",
  "identity.manufacturer",
  "identity.firmware",
  "identity.city",
  "identity.lat",
  "identity.lon",
];

/** Payload template placeholders that give text, so the template must quote them. */
export const PAYLOAD_TEXT_PLACEHOLDERS: readonly string[] = [
  "id",
  "identity.deviceId",
  "identity.model",
  "identity.manufacturer",
  "identity.firmware",
  "identity.city",
];

/** The envelope's members, which a payload template may not define. */
export const ENVELOPE_MEMBERS: readonly string[] = ["sensorId", "seq", "ts"];

const PAYLOAD_PLACEHOLDER_HELP = [
  ...PAYLOAD_TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`),
  "{reading.NAME}",
  "{faker:MODULE.METHOD}",
].join(", ");

// Text between braces that reads as a placeholder; in JSON a "{" outside a string is
// followed by a quote, whitespace or "}", so this never swallows an object.
const PLACEHOLDER_LIKE = /^[A-Za-z][\w.:]*$/;
const READING_MEMBER = /^reading\.[A-Za-z_]\w*$/;
const FAKER_CALL = /^faker:[A-Za-z]\w*\.[A-Za-z]\w*$/;

/** A payload template split by {@linkcode parsePayloadTemplate}. */
export interface ParsedPayloadTemplate {
  /**
   * The literal text around the placeholders, one more than there are placeholders;
   * together the object's members, without its outer braces.
   */
  readonly literals: readonly string[];
  /** Placeholder names without braces (`reading.temperatureC`), in order. */
  readonly placeholders: readonly string[];
  /** For each placeholder, whether it stands inside a JSON string. */
  readonly quoted: readonly boolean[];
}

/**
 * Splits a payload template, a JSON object text such as
 * `{"site":"hq","model":"{identity.model}",{reading}}`, into literal text and
 * placeholders, checking its syntax: one object with balanced braces (placeholders
 * and braces inside strings aside), known placeholder names, `{reading}` only where a
 * member may stand. Throws {@linkcode UsageError} naming `setting`.
 */
export function parsePayloadTemplate(value: string, setting: string): ParsedPayloadTemplate {
  const problem = (text: string) => new UsageError(`${setting}: ${text}`);
  const text = value.trim();
  const example = 'a JSON object like {"site":"hq",{reading}}';
  const notAnObject = () => problem(`expected ${example}, got ${JSON.stringify(abbreviate(text))}`);
  if (!text.startsWith("{")) throw notAnObject();
  const literals: string[] = [];
  const placeholders: string[] = [];
  const quoted: boolean[] = [];
  let literalStart = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (inString && escaped) {
      escaped = false;
      continue;
    }
    if (char === '"') inString = !inString;
    else if (inString && char === "\\") escaped = true;
    else if (char === "{") {
      const close = text.indexOf("}", at + 1);
      const name = close === -1 ? "" : text.slice(at + 1, close);
      if (!PLACEHOLDER_LIKE.test(name)) {
        if (!inString) depth++;
        continue;
      }
      if (at === 0) throw notAnObject();
      checkPayloadPlaceholder(name, setting);
      if (name === "reading") checkMemberPosition(text, at, close, inString, setting);
      literals.push(text.slice(literalStart, at));
      placeholders.push(name);
      quoted.push(inString);
      at = close;
      literalStart = close + 1;
    } else if (char === "}" && !inString) {
      // The object opens at the first character, so depth is 0 only after it closes.
      depth--;
      if (depth === 0 && at !== text.length - 1) {
        throw problem(
          `text after the object's closing "}" at character ${at + 1}; expected ${example}`,
        );
      }
    }
  }
  if (depth > 0 || inString) {
    throw problem(inString ? "unclosed string (a '\"' is missing)" : 'unmatched "{"');
  }
  literals.push(text.slice(literalStart, text.length - 1));
  return { literals, placeholders, quoted };
}

function checkPayloadPlaceholder(name: string, setting: string): void {
  if (
    PAYLOAD_TEMPLATE_PLACEHOLDERS.includes(name) || READING_MEMBER.test(name) ||
    FAKER_CALL.test(name)
  ) return;
  throw new UsageError(
    `${setting}: unknown placeholder {${name}}; known: ${PAYLOAD_PLACEHOLDER_HELP}`,
  );
}

/** `{reading}` splices members: it must stand where a member may, never in a value. */
function checkMemberPosition(
  text: string,
  open: number,
  close: number,
  inString: boolean,
  setting: string,
): void {
  const before = text.slice(0, open).trimEnd().at(-1);
  const after = text.slice(close + 1).trimStart()[0];
  if (inString || (before !== "{" && before !== ",") || (after !== "}" && after !== ",")) {
    throw new UsageError(
      `${setting}: {reading} gives members ("temperatureC":21.4,...); it may stand only ` +
        `between members, like {"site":"hq",{reading}}`,
    );
  }
}

/**
 * Checks the members a payload template rendered (JSON without the outer braces): they
 * must make a JSON object, and may not define an envelope member (`sensorId`, `seq`,
 * `ts`). Throws {@linkcode UsageError} naming `setting`.
 */
export function checkRenderedPayload(members: string, setting: string): void {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(`{${members}}`);
  } catch (error) {
    throw new UsageError(
      `${setting}: the template does not give valid JSON: ${
        describeJsonError((error as Error).message, `{${members}}`)
      }`,
    );
  }
  const taken = ENVELOPE_MEMBERS.filter((name) => Object.hasOwn(parsed, name));
  if (taken.length > 0) {
    throw new UsageError(
      `${setting}: the template defines ${
        taken.map((name) => JSON.stringify(name)).join(", ")
      }; the envelope sets sensorId, seq and ts itself`,
    );
  }
}

/**
 * Checks a payload template without rendering it for real: its syntax
 * ({@linkcode parsePayloadTemplate}), quotes around placeholders that give text, and
 * the JSON a stand-in for every placeholder renders. Faker methods and reading names
 * are checked when the fleet compiles the template. Returns the template.
 */
export function checkPayloadTemplate(value: string, setting: string): string {
  const { literals, placeholders, quoted } = parsePayloadTemplate(value, setting);
  let members = literals[0];
  placeholders.forEach((name, position) => {
    // Stand-ins: any text inside a string; "1" for a number, since unlike "0" it may be
    // followed by digits, as real values are.
    if (quoted[position]) members += "x";
    else if (name === "reading") members += '"reading":1';
    else {
      checkQuotedText(name, PAYLOAD_TEXT_PLACEHOLDERS.includes(name), false, setting);
      members += "1";
    }
    members += literals[position + 1];
  });
  checkRenderedPayload(members, setting);
  return value;
}

/**
 * Throws {@linkcode UsageError} when placeholder `name` gives text (`givesText`) but
 * stands outside a JSON string (`quoted` false): its value would not be JSON.
 */
export function checkQuotedText(
  name: string,
  givesText: boolean,
  quoted: boolean,
  setting: string,
): void {
  if (givesText && !quoted) {
    throw new UsageError(
      `${setting}: {${name}} gives text, which JSON needs in quotes: write "{${name}}"`,
    );
  }
}

/**
 * A JSON.parse error as a short phrase that shows where in `json` it happened: V8's
 * positions count characters of the rendered sample, not of the template, so the
 * sample text up to the error is quoted instead.
 */
function describeJsonError(message: string, json: string): string {
  const position = /at position (\d+)/.exec(message);
  const reason = message
    .replace(/, ".*" is not valid JSON$/s, "")
    .replace(/ in JSON at position .*$/s, "");
  const phrase = reason.charAt(0).toLowerCase() + reason.slice(1);
  if (position === null) return `${phrase} (a sample renders ${abbreviate(json)})`;
  const before = json.slice(0, Number(position[1]));
  const excerpt = before.length <= 40 ? before : `...${before.slice(-37)}`;
  return `${phrase} (a sample breaks after ${excerpt})`;
}

/** `text` cut to 80 characters for a problem message. */
function abbreviate(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 77)}...`;
}
