/**
 * The settings a flag or an `IOTLOAD_*` variable can give, read off the one
 * definition in `scenario_fields.ts`: each with its flag, variable name, where it
 * stands in a scenario file, and its default in words.
 *
 * @module
 */

import { formatDurationMs } from "./duration.ts";
import { DEFAULT_FLEET, DEFAULT_SCENARIO } from "./scenario.ts";
import type { Field, FlagInfo, ValueField } from "./field_types.ts";
import { SCENARIO_SHAPE } from "./scenario_fields.ts";
import type { ValueType } from "./value_types.ts";

/** Where an override comes from; decides how problems name the setting. */
export type OverrideSource = "flag" | "env";

/** One setting that flags and variables can give. */
export interface Setting {
  /** The field it fills, with its type and help. */
  readonly field: ValueField<never>;
  /** Its flag. */
  readonly flag: FlagInfo;
  /** Whether it sets a field of the (single) fleet rather than of the scenario. */
  readonly perFleet: boolean;
  /** Where a scenario file gives it (`run.connectRate`, `fleets[].qos`); null: no file can. */
  readonly filePath: string | null;
  /** The default in words (`5s`, `10000`), or null for none worth saying. */
  readonly defaultText: string | null;
  /** The flag takes a value (every type but boolean). */
  readonly takesValue: boolean;
  /** The flag may be given more than once; its values add up (lists). */
  readonly repeatable: boolean;
}

/** The name a problem uses for setting `name`: `--sensors` or `IOTLOAD_SENSORS`. */
export function settingName(name: string, source: OverrideSource): string {
  return source === "flag" ? `--${name}` : envName(name);
}

/** The `IOTLOAD_*` variable of flag `name`: `connect-rate` → `IOTLOAD_CONNECT_RATE`. */
export function envName(name: string): string {
  return `IOTLOAD_${name.toUpperCase().replaceAll("-", "_")}`;
}

/** Every setting with a flag, in the order of the scenario file's sections. */
export const SETTINGS: readonly Setting[] = Object.freeze(collect(
  SCENARIO_SHAPE.fields,
  "",
  false,
  DEFAULT_SCENARIO as unknown as Readonly<Record<string, unknown>>,
));

/** The settings by flag name. */
export const SETTING_BY_FLAG: ReadonlyMap<string, Setting> = new Map(
  SETTINGS.map((setting) => [setting.flag.name, setting]),
);

/** The placeholder for a value of `type` in help: `N`, `DURATION`, `0|1|2`. */
export function valuePlaceholder(type: ValueType): string {
  switch (type.kind) {
    case "integer":
      return type.aliases === undefined ? "N" : `N|${Object.keys(type.aliases).join("|")}`;
    case "number":
    case "rate":
      return "N";
    case "size":
      return "BYTES";
    case "duration":
      return "DURATION";
    case "seconds":
      return "SECONDS";
    case "enum":
      return type.values.join("|");
    case "template":
      return "TEMPLATE";
    case "url":
      return "URL";
    case "path":
      return "FILE";
    case "addresses":
      return "ADDRS";
    case "listen":
      return "[HOST:]PORT";
    case "threshold":
      return "EXPR";
    default:
      return "TEXT";
  }
}

function collect(
  fields: readonly Field<never>[],
  path: string,
  perFleet: boolean,
  defaults: Readonly<Record<string, unknown>>,
  fileless = false,
): Setting[] {
  return fields.flatMap((field): Setting[] => {
    const fieldPath = path === "" ? field.key : `${path}.${field.key}`;
    if ("fields" in field) {
      return collect(field.fields, fieldPath, perFleet, defaults, field.fileless === true);
    }
    if ("item" in field) {
      // Fleet settings apply to a scenario with one fleet; stages have no flags.
      return field.key === "fleets"
        ? collect(
          field.item.fields as readonly Field<never>[],
          `${fieldPath}[]`,
          true,
          DEFAULT_FLEET as unknown as Readonly<Record<string, unknown>>,
        )
        : [];
    }
    if (field.flag === undefined) return [];
    return [{
      field,
      flag: field.flag,
      perFleet,
      filePath: fileless ? null : fieldPath,
      defaultText: field.defaultText ?? describeDefault(field.type, defaults[field.target]),
      takesValue: field.type.kind !== "boolean",
      repeatable: field.type.kind === "list",
    }];
  });
}

function describeDefault(type: ValueType, value: unknown): string | null {
  if (value === null || value === undefined || typeof value === "boolean") return null;
  if (Array.isArray(value)) return null;
  if (type.kind === "duration") return formatDurationMs(value as number);
  return String(value);
}
