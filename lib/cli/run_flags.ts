/**
 * The flags of `iotload run`: the command's own (`--scenario`, `--debug`, `--help`)
 * and one per setting of the settings table, with what `--help` says about each.
 *
 * @module
 */

import { envName, SETTINGS, valuePlaceholder } from "../config/settings.ts";
import type { FlagSpec } from "./flag_parser.ts";

/** A flag of `iotload run`, with what `--help` says about it. */
export interface RunFlag extends FlagSpec {
  /** Long name, without dashes. */
  readonly name: string;
  /** Placeholder for the value in help, e.g. `N` or `DURATION`. */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
  /** The default, as shown in help. */
  readonly defaultText?: string;
  /** Its `IOTLOAD_*` variable, if it has one. */
  readonly env?: string;
  /** Where a scenario file gives it (`run.connectRate`), if one can. */
  readonly filePath?: string;
}

/** The flags of the command itself, which are no setting of the run. */
const COMMAND_FLAGS: readonly RunFlag[] = [
  {
    name: "scenario",
    short: "s",
    type: "string",
    value: "FILE",
    env: "IOTLOAD_SCENARIO",
    help: "Scenario file (YAML or JSON); flags and IOTLOAD_* variables override it.",
  },
  { name: "debug", type: "boolean", help: "Show causes and stacks of errors." },
  { name: "help", short: "h", type: "boolean", help: "Show this help." },
];

/** Every flag of `iotload run`, in the order help lists them. */
export const RUN_FLAGS: readonly RunFlag[] = [
  COMMAND_FLAGS[0],
  ...SETTINGS.map(({ field, flag, defaultText, takesValue, repeatable, filePath }): RunFlag => ({
    name: flag.name,
    type: takesValue ? "string" : "boolean",
    ...(flag.short === undefined ? {} : { short: flag.short }),
    ...(repeatable ? { multiple: true } : {}),
    ...(takesValue ? { value: flag.value ?? valuePlaceholder(field.type) } : {}),
    help: (flag.negate === true ? `Do not ${lowerFirst(field.description)}` : field.description) +
      (repeatable ? " Repeatable." : ""),
    ...(defaultText === null ? {} : { defaultText }),
    env: envName(flag.name),
    ...(filePath === null ? {} : { filePath }),
  })),
  ...COMMAND_FLAGS.slice(1),
];

/** The flag specs of `iotload run`, keyed by long name, for the flag parser. */
export const RUN_FLAG_SPECS: Readonly<Record<string, FlagSpec>> = Object.fromEntries(
  RUN_FLAGS.map(({ name, type, short, multiple }) => [
    name,
    // node:util parseArgs rejects keys that are present but undefined.
    { type, ...(short === undefined ? {} : { short }), ...(multiple ? { multiple } : {}) },
  ]),
);

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
