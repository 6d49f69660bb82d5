/**
 * The one reader of setting values: each kind of {@linkcode ValueType} is parsed and
 * checked here, whether it comes from a flag, an `IOTLOAD_*` variable or a scenario
 * file, so a duration, a rate, a size or a QoS means the same everywhere and a bad
 * one is reported in the same words (`--interval: expected 1ms to 24h, got "0s"`,
 * `fleets[0].interval: ...`).
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import { parseBindAddresses } from "./bind_addresses.ts";
import { formatDurationMs, parseDurationMs } from "./duration.ts";
import { nearestName } from "./nearest_name.ts";
import type { ListenAddress, ThresholdSpec } from "./scenario.ts";
import { checkTemplate, checkTopicTemplate } from "./templates.ts";
import { UsageError } from "./usage_error.ts";
import {
  DURATION_PATTERN,
  RATE_PATTERN,
  SIZE_PATTERN,
  SIZE_UNITS,
  type ValueType,
} from "./value_types.ts";
import { parseBrokerUrl } from "./values.ts";

/** Where a value comes from, and where its problems go. */
export interface ValueContext {
  /**
   * The value was written as text (a flag, an `IOTLOAD_*` variable): numbers and
   * number choices are read from their digits.
   */
  readonly fromText: boolean;
  /** Folder relative paths are relative to; undefined keeps paths as given. */
  readonly baseDir?: string;
  /**
   * Expands `${VAR}` references in a string; undefined (a problem recorded) when one
   * cannot be. Undefined: strings stay as written.
   */
  readonly expand?: (text: string, setting: string) => string | undefined;
  /** Problems, one line each, starting with the setting's name. */
  readonly problems: string[];
}

// Whole numbers as text, optionally grouped with "_" as in 10_000.
const INTEGER_TEXT = /^\d+(?:_\d{3})*$/;

/**
 * Reads one value of `type` given for `setting` (a flag, variable or file path);
 * undefined, with a problem recorded in `context`, if it is invalid.
 */
export function readValue(
  type: ValueType,
  raw: unknown,
  setting: string,
  context: ValueContext,
): unknown {
  if (type.kind === "list") return readList(type, raw, setting, context);
  if (type.kind === "stringMap") return readStringMap(type.maxEntries, raw, setting, context);
  const expanded = typeof raw === "string" && context.expand !== undefined
    ? context.expand(raw, setting)
    : raw;
  if (expanded === undefined) return undefined;
  const value = context.fromText ? fromText(type, expanded) : expanded;
  const got = describe(value, type.kind === "string" && type.secret === true);
  const problem = (expected: string, after = "") =>
    fail(context, setting, `${expected}, got ${got}${after}`);
  const inRange = (number: number, min: number, max: number, unit = "") =>
    number >= min && number <= max ? number : fail(
      context,
      setting,
      `expected ${min} to ${max}${unit}, got ${describe(number, false)}`,
    );
  switch (type.kind) {
    case "string": {
      if (typeof value !== "string") return problem("expected a string", type.notStringHint);
      if (type.pattern !== undefined && !type.pattern.test(value)) {
        return problem(`expected ${type.patternHint ?? `text matching ${type.pattern}`}`);
      }
      const check = type.check;
      return check === undefined ? value : reportUsageError(context, () => check(value, setting));
    }
    case "integer": {
      const aliases = type.aliases ?? {};
      if (typeof value === "string" && Object.hasOwn(aliases, value.trim())) {
        return aliases[value.trim()];
      }
      if (typeof value !== "number" || !Number.isInteger(value)) {
        const words = Object.keys(aliases).map((word) => ` or ${word}`).join("");
        return problem(`expected a whole number${words}`);
      }
      return inRange(value, type.min, type.max);
    }
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return problem("expected a number");
      return inRange(value, type.min, type.max);
    case "rate": {
      const perSecond = readRate(value);
      if (perSecond === undefined) return problem('expected a rate like 1000 or "1000/s"');
      return inRange(perSecond, type.min, type.max, " per second");
    }
    case "size": {
      const bytes = readSize(value);
      if (bytes === undefined) return problem('expected a size like 256 or "4KiB"');
      return inRange(bytes, type.min, type.max, " bytes");
    }
    case "duration": {
      const ms = readDurationMs(value);
      if (ms === undefined) {
        const unit = typeof value === "number" ? ` (add a unit, e.g. "${value}ms")` : "";
        return problem('expected a duration like "5s"', unit);
      }
      if (ms < type.minMs || ms > type.maxMs) {
        return problem(
          `expected ${formatDurationMs(type.minMs)} to ${formatDurationMs(type.maxMs)}`,
        );
      }
      return ms;
    }
    case "seconds": {
      const ms = typeof value === "number" ? value * 1000 : readDurationMs(value);
      const seconds = ms === undefined ? undefined : ms / 1000;
      if (seconds === undefined || !Number.isInteger(seconds)) {
        return problem('expected whole seconds like 60 or "60s"');
      }
      return inRange(seconds, type.min, type.max, " seconds");
    }
    case "enum": {
      if (type.values.includes(value as string | number)) return value;
      const strings = type.values.filter((choice) => typeof choice === "string");
      const suggestion = typeof value === "string" ? nearestName(value, strings) : undefined;
      const didYouMean = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
      return problem(`expected one of ${type.values.join(", ")}`, didYouMean);
    }
    case "boolean":
      return typeof value === "boolean" ? value : problem("expected true or false");
    case "template":
      if (typeof value !== "string" || value === "") {
        return problem("expected a non-empty template");
      }
      return reportUsageError(
        context,
        () => type.topic ? checkTopicTemplate(value, setting) : checkTemplate(value, setting),
      );
    case "url":
      if (typeof value !== "string") return problem("expected a broker URL like mqtt://host:1883");
      return reportUsageError(context, () => parseBrokerUrl(value, setting));
    case "path":
      if (typeof value !== "string" || value === "") return problem("expected a file path");
      return context.baseDir === undefined || isAbsolute(value)
        ? value
        : join(context.baseDir, value);
    case "addresses":
      if (typeof value !== "string") {
        return problem('expected addresses like "127.0.0.2-127.0.0.9"');
      }
      return reportUsageError(context, () => parseBindAddresses(value, setting));
    case "threshold":
      return readThreshold(value, setting, context);
    case "listen": {
      const address = typeof value === "string" || typeof value === "number"
        ? parseListenAddress(String(value).trim(), type.defaultHost)
        : null;
      return address ?? problem('expected [HOST:]PORT like 9464 or "127.0.0.1:9464"');
    }
  }
}

/** A threshold: an expression, or an object with the expression and `abortOnFail`. */
function readThreshold(
  value: unknown,
  setting: string,
  context: ValueContext,
): ThresholdSpec | undefined {
  const shape = 'an expression like "lost==0" or { threshold: "lost==0", abortOnFail: true }';
  if (typeof value === "string") {
    return /\S/.test(value)
      ? { expression: value, abortOnFail: false }
      : fail(context, setting, `expected ${shape}, got ${describe(value, false)}`);
  }
  if (!isPlainObject(value) || typeof value.threshold !== "string" || !/\S/.test(value.threshold)) {
    return fail(context, setting, `expected ${shape}, got ${describe(value, false)}`);
  }
  const unknown = Object.keys(value).filter((key) => key !== "threshold" && key !== "abortOnFail");
  if (unknown.length > 0) {
    return fail(context, setting, `unknown field "${unknown[0]}" (known: threshold, abortOnFail)`);
  }
  if (value.abortOnFail !== undefined && typeof value.abortOnFail !== "boolean") {
    return fail(
      context,
      `${setting}.abortOnFail`,
      `expected true or false, got ${describe(value.abortOnFail, false)}`,
    );
  }
  return { expression: value.threshold, abortOnFail: value.abortOnFail === true };
}

/** `[HOST:]PORT` (an IPv6 host in brackets) as an address, or null when it is not one. */
function parseListenAddress(text: string, defaultHost: string): ListenAddress | null {
  const match = /^(?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text);
  if (match === null || Number(match[2]) > 65_535) return null;
  const host = match[1] === undefined ? defaultHost : match[1].replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(match[2]) };
}

/** A value written as text, as a file would hold it: digits become numbers. */
function fromText(type: ValueType, value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  switch (type.kind) {
    case "integer":
      return INTEGER_TEXT.test(text) ? Number(text.replaceAll("_", "")) : value;
    case "number":
      return /^\d+(\.\d+)?$/.test(text) ? Number(text) : value;
    case "seconds":
      return /^\d+$/.test(text) ? Number(text) : text;
    case "enum":
      return type.values.find((choice) => String(choice) === text) ?? value;
    case "url":
    case "rate":
    case "size":
    case "duration":
      return text;
    default:
      return value;
  }
}

function readList(
  type: Extract<ValueType, { kind: "list" }>,
  raw: unknown,
  setting: string,
  context: ValueContext,
): unknown[] | undefined {
  if (!checkList(raw, type.minItems, setting, context)) return undefined;
  const items = raw.map((item, index) =>
    readValue(type.item, item, context.fromText ? setting : `${setting}[${index}]`, context)
  );
  return items.includes(undefined) ? undefined : items;
}

/**
 * Whether `raw` is a list of at least `minItems` items; records a problem at `setting`
 * when it is not.
 */
export function checkList(
  raw: unknown,
  minItems: number,
  setting: string,
  context: ValueContext,
): raw is unknown[] {
  if (!Array.isArray(raw)) {
    fail(context, setting, `expected a list, got ${describe(raw, false)}`);
    return false;
  }
  if (raw.length < minItems) {
    const got = raw.length === 0 ? "an empty list" : `${raw.length}`;
    fail(context, setting, `expected at least ${minItems} item(s), got ${got}`);
    return false;
  }
  return true;
}

/** Reads names to non-empty strings; undefined (with problems recorded) if any is invalid. */
function readStringMap(
  maxEntries: number,
  raw: unknown,
  setting: string,
  context: ValueContext,
): Readonly<Record<string, string>> | undefined {
  if (!isPlainObject(raw)) {
    return fail(
      context,
      setting,
      `expected an object of names to strings, got ${describe(raw, false)}`,
    );
  }
  const entries = Object.entries(raw);
  if (entries.length > maxEntries) {
    return fail(context, setting, `expected at most ${maxEntries} entries, got ${entries.length}`);
  }
  const read = entries.map(([key, item]): [string, string] | undefined => {
    const itemPath = keyPath(setting, key);
    if (key === "") return fail(context, itemPath, "expected a non-empty name");
    const value = typeof item === "string" && context.expand !== undefined
      ? context.expand(item, itemPath)
      : item;
    if (value === undefined) return undefined;
    if (typeof value === "string" && value !== "") return [key, value];
    return fail(context, itemPath, `expected a non-empty string, got ${describe(value, false)}`);
  });
  if (read.includes(undefined)) return undefined;
  // fromEntries defines each name as an own field, so even "__proto__" stays a name.
  return Object.freeze(Object.fromEntries(read as [string, string][]));
}

function readRate(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
  if (typeof value !== "string" || !RATE_PATTERN.test(value)) return undefined;
  return Number(value.replace(/\/s$/, "").replaceAll("_", ""));
}

function readSize(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
  const match = typeof value === "string" ? SIZE_PATTERN.exec(value) : null;
  if (match === null) return undefined;
  return Number(match[1]) * SIZE_UNITS[match[2] ?? "B"];
}

function readDurationMs(value: unknown): number | undefined {
  if (value === 0) return 0;
  if (typeof value !== "string" || !DURATION_PATTERN.test(value)) return undefined;
  try {
    return parseDurationMs(value, "");
  } catch (error) {
    // A matching duration is refused only when too long to represent: out of any range.
    if (!(error instanceof UsageError)) throw error;
    return Infinity;
  }
}

/** Records `problem` at `setting`; returns undefined, the value of an invalid field. */
export function fail(context: ValueContext, setting: string, problem: string): undefined {
  context.problems.push(`${setting}: ${problem}`);
  return undefined;
}

/** Runs `parse`, recording the message of a {@linkcode UsageError} it throws. */
function reportUsageError<T>(context: ValueContext, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    context.problems.push(error.message);
    return undefined;
  }
}

/** Whether `value` is an object that is neither null nor a list. */
export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as problems quote it; a secret shows only its kind. */
export function describe(value: unknown, secret: boolean): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (secret) return `a ${typeof value}`;
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** The path of member `key` of the object at `parent`: `run.connectRate`, `a["x y"]`. */
export function keyPath(parent: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === "" ? key : `${parent}.${key}`;
}
