/**
 * Scenario files (YAML or JSON) read into a validated, frozen {@linkcode Scenario}.
 *
 * Validation follows the one definition in `scenario_fields.ts` and reports every
 * problem at once, one per line, each starting with its path in the file
 * (`fleets[1].interval: expected a duration like "5s", got "fast"`).
 *
 * @module
 */

import { describeFileError } from "./file_errors.ts";
import { readUserTextFile } from "./user_file.ts";
import { dirname, isAbsolute, join } from "node:path";
import YAML, { LineCounter } from "yaml";
import { checkTemplate, checkTopicTemplate, freezeScenario } from "./apply_overrides.ts";
import { formatDurationMs, parseDurationMs } from "./duration.ts";
import { type FleetSpec, type Scenario, type StageSpec } from "./scenario.ts";
import {
  DURATION_PATTERN,
  type Field,
  type RecordListField,
  SCENARIO_SHAPE,
  type ValueType,
} from "./scenario_fields.ts";
import { UsageError } from "./usage_error.ts";
import { parseBrokerUrl } from "./values.ts";

/** Environment variables that `${VAR}` in a scenario file's strings expand from. */
export type ScenarioEnv = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the scenario file at `path` (see {@linkcode parseScenarioText}).
 * A file that cannot be read is a {@linkcode UsageError} such as
 * `--scenario: cannot read "x.yaml": no such file`.
 */
export async function loadScenarioFile(path: string, env: ScenarioEnv): Promise<Scenario> {
  let text: string;
  try {
    text = await readUserTextFile(path);
  } catch (error) {
    throw new UsageError(
      `--scenario: cannot read ${JSON.stringify(path)}: ${describeFileError(error)}`,
    );
  }
  return parseScenarioText(text, path, env);
}

/**
 * Parses scenario text, YAML or JSON by the extension of `fileName` (`.json` is JSON;
 * anything else is YAML, which JSON is a subset of), expands `${VAR}` from `env` in
 * strings, resolves TLS paths relative to the folder of `fileName`, fills defaults,
 * checks every field and the cross-field rules, and returns the frozen scenario.
 *
 * Throws one {@linkcode UsageError} carrying every problem, one per line.
 */
export function parseScenarioText(text: string, fileName: string, env: ScenarioEnv): Scenario {
  const root = parseDocument(text, fileName);
  const rootKeys = SCENARIO_SHAPE.fields.map((field) => field.key).join(", ");
  if (!isPlainObject(root)) {
    const got = root === undefined ? "an empty file" : describe(root, false);
    throw new UsageError(
      `${fileName}: expected an object with ${rootKeys} at the top level, got ${got}`,
    );
  }
  const context: Context = { env, baseDir: dirname(fileName), problems: [] };
  const fromFile = readFields(SCENARIO_SHAPE.fields, root, "", context);
  // The embedded broker (aedes) speaks MQTT 3.1.1 only: without a url, 3.1.1 is the
  // default, as with flags; an explicit 5 is reported by crossCheck().
  const embedded = fromFile.url === undefined ? { protocolVersion: 4 } : {};
  const scenario = {
    ...SCENARIO_SHAPE.defaults(0),
    ...embedded,
    ...fromFile,
  } as unknown as Scenario;
  // The cross-field rules (crossCheck, stage targets among them) run once flags and
  // IOTLOAD_* variables are applied, since they may change what the file says (a --url,
  // a --sensors below a stage's target).
  if (context.problems.length > 0) throw new UsageError(context.problems.join("\n"));
  return freezeScenario(scenario);
}

/** What reading one file needs besides its values; problems collect here. */
interface Context {
  readonly env: ScenarioEnv;
  /** Folder that relative paths in the file are relative to. */
  readonly baseDir: string;
  readonly problems: string[];
}

type AnyField = Field<Scenario> | Field<FleetSpec> | Field<StageSpec>;

/**
 * Parses YAML or JSON text; undefined for a file without a value (empty or comments
 * only). A syntax error is one line with its line:column.
 */
function parseDocument(text: string, fileName: string): unknown {
  const json = /\.json$/i.test(fileName);
  const lineCounter = new LineCounter();
  const document = YAML.parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // The library would otherwise print warnings itself; only reporters print.
    logLevel: "silent",
    // The JSON schema resolves only JSON scalars, so unquoted words are errors in .json.
    schema: json ? "json" : "core",
    // `<<: *defaults` lets fleets share settings in YAML.
    merge: !json,
    uniqueKeys: true,
  });
  const error = document.errors[0];
  if (error !== undefined) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const format = json ? "JSON" : "YAML";
    throw new UsageError(
      `${fileName}:${line}:${col}: invalid ${format}: ${syntaxProblem(error.code, error.message)}`,
    );
  }
  if (document.contents === null) return undefined;
  try {
    return document.toJS();
  } catch (error) {
    // Alias bombs: the library refuses to expand too many aliases.
    throw new UsageError(`${fileName}: invalid YAML: ${(error as Error).message}`);
  }
}

function syntaxProblem(code: string, message: string): string {
  const unresolved = /^Unresolved plain scalar "(.*)"$/.exec(message);
  if (code === "TAG_RESOLVE_FAILED" && unresolved !== null) {
    return unresolved[1] === ""
      ? "missing value"
      : `unexpected ${unresolved[1]} (strings need double quotes)`;
  }
  const first = message.split("\n")[0];
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** Reads the fields of one object; returns the record fields the file gives. */
function readFields(
  fields: readonly AnyField[],
  raw: Readonly<Record<string, unknown>>,
  path: string,
  context: Context,
): Record<string, unknown> {
  const known = fields.map((field) => field.key);
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const suggestion = suggest(key, known);
    const didYouMean = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
    context.problems.push(
      `${keyPath(path, key)}: unknown field${didYouMean} (known: ${known.join(", ")})`,
    );
  }
  const record: Record<string, unknown> = {};
  for (const field of fields) {
    const fieldPath = keyPath(path, field.key);
    const value = Object.hasOwn(raw, field.key) ? raw[field.key] : undefined;
    if (value === undefined) {
      if ("type" in field && field.required === true) {
        context.problems.push(`${fieldPath}: required field is missing`);
      }
      continue;
    }
    if ("fields" in field) {
      if (isPlainObject(value)) {
        Object.assign(record, readFields(field.fields, value, fieldPath, context));
      } else fail(context, fieldPath, `expected an object, got ${describe(value, false)}`);
      continue;
    }
    const parsed = "item" in field
      ? readRecordList(field, value, fieldPath, context)
      : readValue(field.type, value, fieldPath, context);
    if (parsed !== undefined) record[field.target] = parsed;
  }
  return record;
}

/** Reads a list of objects into records, defaults filled; undefined if any is invalid. */
function readRecordList(
  field: Extract<AnyField, RecordListField<never>>,
  raw: unknown,
  path: string,
  context: Context,
): Record<string, unknown>[] | undefined {
  if (!checkList(raw, field.minItems, path, context)) return undefined;
  const uniqueFields = field.item.fields.flatMap((item) =>
    "type" in item && item.unique === true ? [item] : []
  );
  // Per unique field: each value seen, with the index of the item that has it first.
  const firstIndexes = uniqueFields.map(() => new Map<unknown, number>());
  const records = raw.map((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (!isPlainObject(item)) {
      return fail(context, itemPath, `expected an object, got ${describe(item, false)}`);
    }
    const fromFile = readFields(field.item.fields, item, itemPath, context);
    const record: Record<string, unknown> = { ...field.item.defaults(index), ...fromFile };
    uniqueFields.forEach((unique, position) => {
      // An invalid value is reported already; its default would be a false duplicate.
      if (Object.hasOwn(item, unique.key) && !(unique.target in fromFile)) return;
      const value = record[unique.target];
      const first = firstIndexes[position].get(value);
      if (first === undefined) firstIndexes[position].set(value, index);
      else {
        fail(
          context,
          `${itemPath}.${unique.key}`,
          `${JSON.stringify(value)} is already used by ${path}[${first}]`,
        );
      }
    });
    return record;
  });
  return records.every((record) => record !== undefined) ? records : undefined;
}

function checkList(
  raw: unknown,
  minItems: number,
  path: string,
  context: Context,
): raw is unknown[] {
  if (!Array.isArray(raw)) {
    fail(context, path, `expected a list, got ${describe(raw, false)}`);
    return false;
  }
  if (raw.length < minItems) {
    const got = raw.length === 0 ? "an empty list" : `${raw.length}`;
    fail(context, path, `expected at least ${minItems} item(s), got ${got}`);
    return false;
  }
  return true;
}

/** Reads one value of `type`; undefined (with a problem recorded) if it is invalid. */
function readValue(type: ValueType, raw: unknown, path: string, context: Context): unknown {
  if (type.kind === "list") {
    if (!checkList(raw, type.minItems, path, context)) return undefined;
    const items = raw.map((item, index) =>
      readValue(type.item, item, `${path}[${index}]`, context)
    );
    return items.includes(undefined) ? undefined : items;
  }
  if (type.kind === "stringMap") return readStringMap(type.maxEntries, raw, path, context);
  const value = typeof raw === "string" ? expandVariables(raw, path, context) : raw;
  if (value === undefined) return undefined;
  const got = describe(value, type.kind === "string" && type.secret === true);
  const problem = (expected: string, after = "") =>
    fail(context, path, `${expected}, got ${got}${after}`);
  switch (type.kind) {
    case "string": {
      if (typeof value !== "string") return problem("expected a string", type.notStringHint);
      if (type.pattern !== undefined && !type.pattern.test(value)) {
        return problem(`expected ${type.patternHint ?? `text matching ${type.pattern}`}`);
      }
      const check = type.check;
      return check === undefined ? value : reportUsageError(context, () => check(value, path));
    }
    case "integer": {
      const aliases = type.aliases ?? {};
      if (typeof value === "string" && Object.hasOwn(aliases, value)) return aliases[value];
      if (typeof value !== "number" || !Number.isInteger(value)) {
        const words = Object.keys(aliases).map((word) => ` or ${word}`).join("");
        return problem(`expected a whole number${words}`);
      }
      if (value < type.min || value > type.max) {
        return problem(`expected ${type.min} to ${type.max}`);
      }
      return value;
    }
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return problem("expected a number");
      if (value < type.min || value > type.max) {
        return problem(`expected ${type.min} to ${type.max}`);
      }
      return value;
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
      if (seconds < type.min || seconds > type.max) {
        return problem(`expected ${type.min} to ${type.max} seconds`);
      }
      return seconds;
    }
    case "enum": {
      if (type.values.includes(value as string | number)) return value;
      const strings = type.values.filter((choice) => typeof choice === "string");
      const suggestion = typeof value === "string" ? suggest(value, strings) : undefined;
      const didYouMean = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
      return problem(`expected one of ${type.values.join(", ")}`, didYouMean);
    }
    case "boolean":
      return typeof value === "boolean" ? value : problem("expected true or false");
    case "template":
      return readTemplate(value, type.topic, path, context);
    case "url":
      if (typeof value !== "string") return problem("expected a broker URL like mqtt://host:1883");
      return reportUsageError(context, () => parseBrokerUrl(value, path));
    case "path":
      if (typeof value !== "string" || value === "") return problem("expected a file path");
      return isAbsolute(value) ? value : join(context.baseDir, value);
  }
}

/** Reads names to non-empty strings; undefined (with problems recorded) if any is invalid. */
function readStringMap(
  maxEntries: number,
  raw: unknown,
  path: string,
  context: Context,
): Readonly<Record<string, string>> | undefined {
  if (!isPlainObject(raw)) {
    return fail(
      context,
      path,
      `expected an object of names to strings, got ${describe(raw, false)}`,
    );
  }
  const entries = Object.entries(raw);
  if (entries.length > maxEntries) {
    return fail(context, path, `expected at most ${maxEntries} entries, got ${entries.length}`);
  }
  const read = entries.map(([key, item]): [string, string] | undefined => {
    const itemPath = keyPath(path, key);
    if (key === "") return fail(context, itemPath, "expected a non-empty name");
    const value = typeof item === "string" ? expandVariables(item, itemPath, context) : item;
    if (value === undefined) return undefined;
    if (typeof value === "string" && value !== "") return [key, value];
    return fail(context, itemPath, `expected a non-empty string, got ${describe(value, false)}`);
  });
  if (read.includes(undefined)) return undefined;
  // fromEntries defines each name as an own field, so even "__proto__" stays a name.
  return Object.freeze(Object.fromEntries(read as [string, string][]));
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

function readTemplate(
  value: unknown,
  topic: boolean,
  path: string,
  context: Context,
): string | undefined {
  if (typeof value !== "string" || value === "") {
    return fail(context, path, `expected a non-empty template, got ${describe(value, false)}`);
  }
  return reportUsageError(
    context,
    () => topic ? checkTopicTemplate(value, path) : checkTemplate(value, path),
  );
}

const VARIABLE_REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands `${NAME}` from the environment (`$${` stays a literal `${`). */
function expandVariables(text: string, path: string, context: Context): string | undefined {
  let complete = true;
  const expanded = text.replace(VARIABLE_REFERENCE, (reference, escape: string, name: string) => {
    if (escape !== "") return reference.slice(1);
    const value = VARIABLE_NAME.test(name) ? context.env[name] : undefined;
    if (value !== undefined) return value;
    complete = false;
    fail(
      context,
      path,
      VARIABLE_NAME.test(name)
        ? `environment variable ${name} is not set`
        : `invalid variable reference ${JSON.stringify(reference)}; use \${NAME}`,
    );
    return reference;
  });
  return complete ? expanded : undefined;
}

/** Records `problem` at `path`; returns undefined, the value of an invalid field. */
function fail(context: Context, path: string, problem: string): undefined {
  context.problems.push(`${path}: ${problem}`);
  return undefined;
}

/** Runs `parse`, recording the message of a {@linkcode UsageError} it throws. */
function reportUsageError<T>(context: Context, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    context.problems.push(error.message);
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as problems quote it; a secret shows only its kind. */
function describe(value: unknown, secret: boolean): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (secret) return `a ${typeof value}`;
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function keyPath(parent: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

/** The closest of `candidates` within edit distance 2, ignoring case, "-" and "_". */
function suggest(word: string, candidates: readonly string[]): string | undefined {
  const normalize = (text: string) => text.toLowerCase().replace(/[-_\s]/g, "");
  const target = normalize(word);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(target, normalize(candidate));
    if (
      distance <= 2 && distance < target.length && (best === undefined || distance < best.distance)
    ) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, swaps. */
function editDistance(a: string, b: string): number {
  const rows = Array.from(
    { length: a.length + 1 },
    (_, i) => [i, ...new Array<number>(b.length).fill(0)],
  );
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}
