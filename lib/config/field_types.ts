/**
 * The shapes the settings table (`scenario_fields.ts`, `fleet_fields.ts`) is written
 * in: a value field, a group of fields, a list of records, and how a flag gives one.
 *
 * @module
 */

import type { FleetSpec, StageSpec } from "./scenario.ts";
import type { ValueType } from "./value_types.ts";

/** How a setting is given on the command line; `IOTLOAD_<NAME>` gives it too. */
export interface FlagInfo {
  /** Long name without dashes, e.g. `connect-rate`. */
  readonly name: string;
  /** Single-letter alias, e.g. `R`. */
  readonly short?: string;
  /** Placeholder for the value in help, e.g. `N`; derived from the type when left out. */
  readonly value?: string;
  /** The flag (a boolean one) turns the setting off: `--no-probe`. */
  readonly negate?: boolean;
}

/** A field holding one value, stored in field `target` of the record being built. */
export interface ValueField<T> {
  /** Key in the file (camelCase). */
  readonly key: string;
  /** One line for humans: the help text of the JSON Schema. */
  readonly description: string;
  /** How the value is written and checked. */
  readonly type: ValueType;
  /** Field of the record (`Scenario`, `FleetSpec`, `StageSpec`) the value goes into. */
  readonly target: keyof T & string;
  /**
   * The field must be given: it has no default. In a group, only when the group is
   * given (`commands` may be left out; `commands: {}` may not).
   */
  readonly required?: boolean;
  /** The value must differ between the items of the list this field's record is in. */
  readonly unique?: boolean;
  /** The default in words, for a default that is not a constant of the defaults record. */
  readonly defaultText?: string;
  /** The flag that gives this setting; none: only a scenario file can. */
  readonly flag?: FlagInfo;
}

/** A nested object whose fields go into the same record as its parent's (`broker.tls`). */
export interface GroupField<T> {
  /** Key in the file (camelCase). */
  readonly key: string;
  /** One line for humans: the help text of the JSON Schema. */
  readonly description: string;
  /** The fields of the nested object. */
  readonly fields: readonly Field<T>[];
  /** Settings only flags and variables give, never a scenario file (where to write output). */
  readonly fileless?: boolean;
}

/** A list of objects, each building a record of its own (`fleets`, `stages`). */
export interface RecordListField<T> {
  /** Key in the file (camelCase). */
  readonly key: string;
  /** One line for humans: the help text of the JSON Schema. */
  readonly description: string;
  /** Field of the parent record that receives the list of records. */
  readonly target: keyof T & string;
  /** Fewest items the list may have. */
  readonly minItems: number;
  /** What each item looks like. */
  readonly item: RecordShape<FleetSpec> | RecordShape<StageSpec>;
}

/** One field of an object in the file. */
export type Field<T> = ValueField<T> | GroupField<T> | RecordListField<T>;

/** An object in the file that builds one record of type `T`. */
export interface RecordShape<T> {
  /** One line for humans: the help text of the JSON Schema. */
  readonly description: string;
  /** The object's fields. */
  readonly fields: readonly Field<T>[];
  /** The record's values before the file's fields apply, for list item `index` (0-based). */
  readonly defaults: (index: number) => Readonly<Partial<T>>;
}
