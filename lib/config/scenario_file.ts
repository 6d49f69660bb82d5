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
import { dirname } from "node:path";
import YAML, { LineCounter } from "yaml";
import { freezeScenario } from "./apply_overrides.ts";
import { nearestName } from "./nearest_name.ts";
import {
  checkList,
  describe,
  fail,
  isPlainObject,
  keyPath,
  readValue,
  type ValueContext,
} from "./read_value.ts";
import { type FleetSpec, type Scenario, type StageSpec } from "./scenario.ts";
import type { Field, RecordListField } from "./field_types.ts";
import { SCENARIO_SHAPE } from "./scenario_fields.ts";
import { UsageError } from "./usage_error.ts";

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
  const rootKeys = fileFields(SCENARIO_SHAPE.fields).map((field) => field.key).join(", ");
  if (!isPlainObject(root)) {
    const got = root === undefined ? "an empty file" : describe(root, false);
    throw new UsageError(
      `${fileName}: expected an object with ${rootKeys} at the top level, got ${got}`,
    );
  }
  const problems: string[] = [];
  const context: ValueContext = {
    fromText: false,
    baseDir: dirname(fileName),
    expand: (text, path) => expandVariables(text, path, env, problems),
    problems,
  };
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
  context: ValueContext,
): Record<string, unknown> {
  const inFile = fileFields(fields);
  const known = inFile.map((field) => field.key);
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const suggestion = nearestName(key, known);
    const didYouMean = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
    context.problems.push(
      `${keyPath(path, key)}: unknown field${didYouMean} (known: ${known.join(", ")})`,
    );
  }
  const record: Record<string, unknown> = {};
  for (const field of inFile) {
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
  context: ValueContext,
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

const VARIABLE_REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands `${NAME}` from `env` (`$${` stays a literal `${`); problems go to `problems`. */
function expandVariables(
  text: string,
  path: string,
  env: ScenarioEnv,
  problems: string[],
): string | undefined {
  let complete = true;
  const expanded = text.replace(VARIABLE_REFERENCE, (reference, escape: string, name: string) => {
    if (escape !== "") return reference.slice(1);
    const value = VARIABLE_NAME.test(name) ? env[name] : undefined;
    if (value !== undefined) return value;
    complete = false;
    problems.push(
      `${path}: ${
        VARIABLE_NAME.test(name)
          ? `environment variable ${name} is not set`
          : `invalid variable reference ${JSON.stringify(reference)}; use \${NAME}`
      }`,
    );
    return reference;
  });
  return complete ? expanded : undefined;
}

/** The fields a scenario file may hold: all but the groups only flags give. */
function fileFields<T extends AnyField>(fields: readonly T[]): T[] {
  return fields.filter((field) => !("fileless" in field && field.fileless === true));
}
