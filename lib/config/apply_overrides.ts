import { parseBindAddresses } from "./bind_addresses.ts";
import { crossCheck } from "./cross_check.ts";
import { parseDurationMs } from "./duration.ts";
import {
  DEFAULT_SCENARIO,
  type FleetSpec,
  type IntegerRange,
  LIMITS,
  PROFILE_NAMES,
  type ProfileName,
  type ProtocolVersion,
  type QoS,
  type Scenario,
  type StageSpec,
} from "./scenario.ts";
import { UsageError } from "./usage_error.ts";
import { parseBrokerUrl, parseChoice, parseInteger } from "./values.ts";

/** Raw override values by long flag name (from flags or `IOTLOAD_*` variables). */
export type OverrideValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** Where overrides come from; decides how problems name the setting. */
export type OverrideSource = "flag" | "env";

/** Placeholders that topic and client-id templates may use. */
export const TEMPLATE_PLACEHOLDERS: readonly string[] = ["id", "index", "fleet"];

/** Flags that change a fleet; they apply only to a scenario with a single fleet. */
const FLEET_FLAGS = [
  "sensors",
  "interval",
  "jitter",
  "qos",
  "retain",
  "topic",
  "client-id",
  "payload-size",
  "payload-template",
  "profile",
  "offline-buffer",
] as const;

const ONE_DAY_MS = 86_400_000;

/** The name a problem uses for setting `name`: `--sensors` or `IOTLOAD_SENSORS`. */
export function settingName(name: string, source: OverrideSource): string {
  return source === "flag" ? `--${name}` : `IOTLOAD_${name.toUpperCase().replaceAll("-", "_")}`;
}

/** One layer of overrides: values and where they came from. */
export interface OverrideLayer {
  /** Values by long flag name. */
  readonly values: OverrideValues;
  /** Where they came from. */
  readonly source: OverrideSource;
}

/**
 * Applies override layers (e.g. `IOTLOAD_*` variables, then flags: later layers win)
 * over `base` and returns the new frozen {@linkcode Scenario}. Every problem is
 * collected; if there are any, one {@linkcode UsageError} carries them all, one per line.
 */
export function applyOverrides(base: Scenario, layers: readonly OverrideLayer[]): Scenario {
  const values: Record<string, string | boolean | string[] | undefined> = {};
  const sources = new Map<string, OverrideSource>();
  const thresholds: string[] = [];
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer.values)) {
      if (value === undefined) continue;
      if (name === "threshold" && Array.isArray(value)) thresholds.push(...value);
      values[name] = value;
      sources.set(name, layer.source);
    }
  }
  if (thresholds.length > 0) values.threshold = thresholds;
  const settingOf = (name: string) => settingName(name, sources.get(name) ?? "flag");
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  function field<T>(name: string, fallback: T, parse: (value: string, setting: string) => T): T {
    const value = text(name);
    if (value === undefined) return fallback;
    try {
      return parse(value, settingOf(name));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(error.message);
      return fallback;
    }
  }
  const flag = (name: string, fallback: boolean) =>
    values[name] === undefined ? fallback : values[name] === true;

  const givenFleetFlags = FLEET_FLAGS.filter((name) => values[name] !== undefined);
  let fleets = base.fleets;
  if (givenFleetFlags.length > 0 && base.fleets.length !== 1) {
    problems.push(
      `${
        givenFleetFlags.map(settingOf).join(", ")
      }: the scenario has ${base.fleets.length} fleets; set these per fleet in the scenario file`,
    );
  } else if (givenFleetFlags.length > 0) {
    const fleet = base.fleets[0];
    fleets = [{
      ...fleet,
      count: field("sensors", fleet.count, (v, s) => parseRanged(v, s, LIMITS.count)),
      intervalMs: field("interval", fleet.intervalMs, parsePositiveDurationMs),
      jitterMs: field("jitter", fleet.jitterMs, parseUpToDayMs),
      qos: field("qos", fleet.qos, (v, s) => parseChoice<QoS>(v, s, [0, 1, 2])),
      retain: flag("retain", fleet.retain),
      topicTemplate: field("topic", fleet.topicTemplate, checkTopicTemplate),
      clientIdTemplate: field("client-id", fleet.clientIdTemplate, checkTemplate),
      payloadBytes: field(
        "payload-size",
        fleet.payloadBytes,
        (v, s) => parseRanged(v, s, LIMITS.payloadBytes),
      ),
      payloadTemplate: field("payload-template", fleet.payloadTemplate, checkPayloadTemplate),
      profile: field("profile", fleet.profile, parseProfile),
      offlineBufferSize: field(
        "offline-buffer",
        fleet.offlineBufferSize,
        (v, s) => parseRanged(v, s, LIMITS.offlineBufferSize),
      ),
    }];
  }

  const url = field("url", base.url, parseBrokerUrl);
  const scenario: Scenario = {
    ...base,
    url,
    username: text("username") ?? base.username,
    password: text("password") ?? base.password,
    caPath: text("ca") ?? base.caPath,
    certPath: text("cert") ?? base.certPath,
    keyPath: text("key") ?? base.keyPath,
    insecure: flag("insecure", base.insecure),
    protocolVersion: field(
      "protocol-version",
      // The embedded broker (aedes) speaks MQTT 3.1.1 only: without a URL, 3.1.1 is
      // the default (an explicit 5 is reported by crossCheck()); a URL given over a
      // scenario that had none brings back the default, MQTT 5.
      url === null
        ? 4
        : base.url === null
        ? DEFAULT_SCENARIO.protocolVersion
        : base.protocolVersion,
      (v, s) => parseChoice<ProtocolVersion>(v, s, [4, 5]),
    ),
    keepaliveSec: field("keepalive", base.keepaliveSec, parseKeepaliveSec),
    fleets,
    durationMs: field("duration", base.durationMs, parseRunDurationMs),
    connectRatePerSec: field(
      "connect-rate",
      base.connectRatePerSec,
      (v, s) => parseRanged(v.replace(/\/s$/, ""), s, LIMITS.connectRatePerSec),
    ),
    connectConcurrency: field(
      "connect-concurrency",
      base.connectConcurrency,
      (v, s) => parseRanged(v, s, LIMITS.connectConcurrency),
    ),
    connectTimeoutMs: field("connect-timeout", base.connectTimeoutMs, parsePositiveDurationMs),
    ackTimeoutMs: field("ack-timeout", base.ackTimeoutMs, parsePositiveDurationMs),
    maxInflight: field(
      "max-inflight",
      base.maxInflight,
      (v, s) => parseRanged(v, s, LIMITS.maxInflight),
    ),
    seed: field("seed", base.seed, (v, s) => parseRanged(v, s, LIMITS.seed)),
    bindAddresses: field("bind", base.bindAddresses, parseBindAddresses),
    workers: field(
      "workers",
      base.workers,
      (v, s) => v.trim() === "auto" ? 0 : parseRanged(v, s, LIMITS.workers),
    ),
    probe: values["no-probe"] === true ? false : base.probe,
    probeConnections: field(
      "probe-connections",
      base.probeConnections,
      (v, s) => parseRanged(v, s, LIMITS.probeConnections),
    ),
    drainMs: field("drain", base.drainMs, parseUpToDayMs),
    thresholds: Array.isArray(values.threshold)
      ? [...base.thresholds, ...values.threshold]
      : base.thresholds,
    json: flag("json", base.json),
    flood: flag("flood", base.flood),
    outPath: text("out") ?? base.outPath,
    timelinePath: text("timeline") ?? base.timelinePath,
    stages: values.duration !== undefined && base.stages.length > 0
      ? fitStages(base.stages, parseDurationOrZero(values.duration))
      : base.stages,
  };
  problems.push(...crossCheck(scenario));
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return freezeScenario(scenario);
}

/** A duration value already reported if bad: 0 (no scaling) when it does not parse. */
function parseDurationOrZero(value: OverrideValues[string]): number {
  try {
    return typeof value === "string" ? parseDurationMs(value, "duration") : 0;
  } catch {
    return 0;
  }
}

/**
 * Stages squeezed or stretched to last `durationMs` in all, keeping their shape: a
 * duration given over a staged scenario (to shorten a run) scales every stage.
 */
export function fitStages(stages: readonly StageSpec[], durationMs: number): StageSpec[] {
  const totalMs = stages.reduce((sum, stage) => sum + stage.durationMs, 0);
  if (totalMs === 0 || durationMs === 0) return [...stages];
  const scale = durationMs / totalMs;
  return stages.map((stage) => ({ ...stage, durationMs: Math.round(stage.durationMs * scale) }));
}

/** Freezes a scenario and its nested arrays and objects. */
export function freezeScenario(scenario: Scenario): Scenario {
  return Object.freeze({
    ...scenario,
    fleets: Object.freeze(scenario.fleets.map((fleet: FleetSpec) => Object.freeze({ ...fleet }))),
    stages: Object.freeze(scenario.stages.map((stage) => Object.freeze({ ...stage }))),
    thresholds: Object.freeze([...scenario.thresholds]),
    bindAddresses: Object.freeze([...scenario.bindAddresses]),
  });
}

/** Longest run, in ms (7 days; timers cannot wait past 24.8 days). */
const MAX_RUN_MS = 7 * ONE_DAY_MS;

/** Parses a run duration: 0 (until interrupted) or up to 7 days. */
export function parseRunDurationMs(value: string, setting: string): number {
  const ms = parseDurationMs(value, setting);
  if (ms > MAX_RUN_MS) {
    throw new UsageError(`${setting}: expected at most 7 days, got ${JSON.stringify(value)}`);
  }
  return ms;
}

/** Parses a duration from 1 ms to 24 h. */
export function parsePositiveDurationMs(value: string, setting: string): number {
  const ms = parseDurationMs(value, setting);
  if (ms < 1 || ms > ONE_DAY_MS) {
    throw new UsageError(`${setting}: expected 1ms to 24h, got ${JSON.stringify(value)}`);
  }
  return ms;
}

/** Parses a whole number within `range`. */
function parseRanged(value: string, setting: string, range: IntegerRange): number {
  return parseInteger(value, setting, range.min, range.max);
}

/** Parses a duration from 0 to 24 h. */
export function parseUpToDayMs(value: string, setting: string): number {
  const ms = parseDurationMs(value, setting);
  if (ms > ONE_DAY_MS) {
    throw new UsageError(`${setting}: expected at most 24h, got ${JSON.stringify(value)}`);
  }
  return ms;
}

/** Parses a keepalive: whole seconds (`60`) or a duration (`60s`), 0 to 65535 s. */
export function parseKeepaliveSec(value: string, setting: string): number {
  const seconds = /^\d+$/.test(value.trim())
    ? Number(value.trim())
    : parseDurationMs(value, setting) / 1000;
  // MQTT-3.1.2-20 ff.: keepalive is a 16-bit count of seconds; 0 turns it off.
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 65_535) {
    throw new UsageError(
      `${setting}: expected whole seconds from 0 to 65535 (e.g. 60 or 60s), got ${
        JSON.stringify(value)
      }`,
    );
  }
  return seconds;
}

/** Parses a profile name. */
export function parseProfile(value: string, setting: string): ProfileName {
  const found = PROFILE_NAMES.find((name) => name === value.trim());
  if (found === undefined) {
    throw new UsageError(
      `${setting}: unknown profile ${JSON.stringify(value)}; known: ${PROFILE_NAMES.join(", ")}`,
    );
  }
  return found;
}

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
