/**
 * The kinds of value a setting holds, each with its range: what the one value reader
 * (`read_value.ts`) parses for flags, `IOTLOAD_*` variables and scenario files alike,
 * and what the JSON Schema (`json_schema.ts`) describes.
 *
 * @module
 */

import { TEMPLATE_PLACEHOLDERS } from "./templates.ts";

/** A duration as written in a file: `500ms`, `5s`, `1.5m`, `2h`, `250us`, or a bare `0`. */
export const DURATION_PATTERN: RegExp = /^(\d+(\.\d+)?(us|ms|s|m|h)|0)$/;

/** A rate as written: a whole number of events per second, optionally with `/s`. */
export const RATE_PATTERN: RegExp = /^\d+(_\d{3})*(\/s)?$/;

/** A size as written: a whole number of bytes, optionally with a unit (`4KiB`, `1MB`). */
export const SIZE_PATTERN: RegExp = /^(\d+)(B|KB|KiB|MB|MiB)?$/;

/** Bytes per unit of {@linkcode SIZE_PATTERN}. */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1_000,
  KiB: 1_024,
  MB: 1_000_000,
  MiB: 1_048_576,
};

/**
 * A template whose braces all enclose a known placeholder, and that contains none of
 * the characters in `forbidden` (e.g. the topic wildcards `+#`).
 */
export function templatePattern(forbidden: string): RegExp {
  const literal = `[^{}${forbidden.replace(/[\\\]^-]/g, "\\$&")}]*`;
  const placeholder = `\\{(${TEMPLATE_PLACEHOLDERS.join("|")})\\}`;
  return new RegExp(`^${literal}(${placeholder}${literal})*$`);
}

/** How one value is written and checked. */
export type ValueType =
  /** Any string; `pattern` restricts it, `patternHint` says in words what it allows. */
  | {
    readonly kind: "string";
    readonly pattern?: RegExp;
    readonly patternHint?: string;
    /** A secret: problems never quote the value. */
    readonly secret?: boolean;
    /**
     * A further check of a matching value, throwing a {@linkcode UsageError} that names
     * `setting`; returns the value to store.
     */
    readonly check?: (value: string, setting: string) => unknown;
    /** Said after the problem when the value is not a string, e.g. how to quote it. */
    readonly notStringHint?: string;
  }
  /** A whole number from `min` to `max`, or one of the words in `aliases` (`auto`). */
  | {
    readonly kind: "integer";
    readonly min: number;
    readonly max: number;
    /** Words that stand for a number outside the range, e.g. `auto` for 0. */
    readonly aliases?: Readonly<Record<string, number>>;
  }
  /** Any finite number from `min` to `max`, decimals included (`0.5`). */
  | { readonly kind: "number"; readonly min: number; readonly max: number }
  /** Events per second, whole (`1000` or `1000/s`). */
  | { readonly kind: "rate"; readonly min: number; readonly max: number }
  /** Bytes, whole (`256`, `4KiB`, `1MB`). */
  | { readonly kind: "size"; readonly min: number; readonly max: number }
  /** A duration text (`5s`, see {@linkcode DURATION_PATTERN}), stored in ms. */
  | { readonly kind: "duration"; readonly minMs: number; readonly maxMs: number }
  /** Whole seconds, as a number (`60`) or a duration text (`60s`), stored in seconds. */
  | { readonly kind: "seconds"; readonly min: number; readonly max: number }
  /** One of a fixed set of strings or numbers. */
  | { readonly kind: "enum"; readonly values: readonly (string | number)[] }
  /** `true` or `false`. */
  | { readonly kind: "boolean" }
  /** A topic or client-id template with `{id}` / `{index}` / `{fleet}`. */
  | { readonly kind: "template"; readonly topic: boolean }
  /** A broker URL: `mqtt://`, `mqtts://`, `ws://` or `wss://` with a host. */
  | { readonly kind: "url" }
  /** A file path; in a scenario file, relative to the file's folder. */
  | { readonly kind: "path" }
  /** Source addresses: `127.0.0.2,127.0.0.3` or the range `127.0.0.2-127.0.0.9`. */
  | { readonly kind: "addresses" }
  /** A TCP address to listen on: `[HOST:]PORT`, host `defaultHost` when left out. */
  | { readonly kind: "listen"; readonly defaultHost: string }
  /**
   * A threshold: its expression as a string, or `{ threshold: EXPR, abortOnFail: true }`
   * to stop the run at its first definite failure.
   */
  | { readonly kind: "threshold" }
  /** A list of values of one type. */
  | { readonly kind: "list"; readonly item: ValueType; readonly minItems: number }
  /** An object of non-empty string keys to non-empty string values, at most `maxEntries`. */
  | { readonly kind: "stringMap"; readonly maxEntries: number };
