import { parseArgs } from "node:util";
import { UsageError } from "../config/usage_error.ts";

/** One flag a command accepts. */
export interface FlagSpec {
  /** `string` flags take a value; `boolean` flags take none. */
  readonly type: "string" | "boolean";
  /** Single-letter alias, e.g. `c` for `--sensors`. */
  readonly short?: string;
  /** The flag may be given more than once (values are collected in order). */
  readonly multiple?: boolean;
}

/** What {@linkcode parseFlags} found: flag values by long name, and positional arguments. */
export interface ParsedFlags {
  /** Values by long flag name: a string, `true`, or a list for `multiple` flags. */
  readonly values: Readonly<
    Record<string, string | boolean | string[] | undefined>
  >;
  /** Arguments that are not flags, in order. */
  readonly positionals: readonly string[];
}

/**
 * Parses command-line flags strictly (wraps `node:util` parseArgs so a later switch
 * to another parser touches one file).
 *
 * Throws {@linkcode UsageError} for an unknown flag, a missing or empty value, a value
 * given to a boolean flag, or a flag given twice that is not `multiple`.
 */
export function parseFlags(
  argv: readonly string[],
  specs: Readonly<Record<string, FlagSpec>>,
): ParsedFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: specs,
      strict: true,
      allowPositionals: true,
      allowNegative: false,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(
      describeParseError(error, specs),
      "run with --help to see every flag",
    );
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    const spec = specs[token.name];
    if (!spec.multiple && seen.has(token.name)) {
      throw new UsageError(`--${token.name} given more than once`);
    }
    seen.add(token.name);
    if (spec.type === "string" && (token.value ?? "").trim() === "") {
      throw new UsageError(
        `--${token.name}: expected a value, got an empty string`,
      );
    }
  }
  return { values: parsed.values as ParsedFlags["values"], positionals: parsed.positionals };
}

function describeParseError(
  error: unknown,
  specs: Readonly<Record<string, FlagSpec>>,
): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const flag = /'(?:-\w, )?(-{1,2}[^',\s]+)/.exec(message)?.[1] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown flag ${flag}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = flag.replace(/^-+/, "");
      const long = Object.entries(specs).find(([key, spec]) => key === name || spec.short === name)
        ?.[0];
      return long !== undefined && specs[long].type === "boolean"
        ? `--${long} takes no value`
        : `${flag} expects a value`;
    }
    default:
      return message.split("\n")[0];
  }
}

/**
 * Splits `argv` into the flags `take` picks among `specs` (each with its value, in any
 * of `--name value`, `--name=value` or `-x value`) and everything else, both in order:
 * how a command passes flags it does not read on to another.
 */
export function splitFlags(
  argv: readonly string[],
  specs: Readonly<Record<string, FlagSpec>>,
  take: (name: string) => boolean,
): { taken: string[]; rest: string[] } {
  const byShort = new Map<string, string>(
    Object.entries(specs).flatMap(([name, spec]) =>
      spec.short === undefined ? [] : [[`-${spec.short}`, name]]
    ),
  );
  const taken: string[] = [];
  const rest: string[] = [];
  for (let at = 0; at < argv.length; at++) {
    const token = argv[at];
    const name = /^--([a-z0-9-]+)(=|$)/.exec(token)?.[1] ?? byShort.get(token);
    const spec = name === undefined ? undefined : specs[name];
    const into = spec !== undefined && take(name!) ? taken : rest;
    into.push(token);
    if (spec?.type === "string" && !token.includes("=") && at + 1 < argv.length) {
      into.push(argv[++at]);
    }
  }
  return { taken, rest };
}
