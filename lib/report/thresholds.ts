import { parseDurationMs } from "../config/duration.ts";
import { LATENCY_NAMES } from "../metrics/latency_names.ts";
import { MESSAGE_METRICS, METRIC_SECTIONS } from "../metrics/metric_paths.ts";
import type { ThresholdResult } from "../metrics/summary.ts";
import { UsageError } from "../config/usage_error.ts";

/** A comparison operator of a threshold expression. */
export type ThresholdOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

/**
 * One parsed `--threshold` expression such as `e2e.p99<250ms`: the summary value at
 * `path` must compare to `value` with `op`.
 */
export interface Threshold {
  /** The expression as written (trimmed), for reporting. */
  expression: string;
  /** Path into the JSON summary, e.g. `["latencyMs", "e2e", "p99"]`. */
  path: readonly string[];
  /** How the summary value is compared with `value`. */
  op: ThresholdOp;
  /** Limit in the summary's unit (ms for latencies), or in percent when `percent`. */
  value: number;
  /** True when written with `%`: the summary value is taken as a percent of its base. */
  percent: boolean;
}

// Two-character operators first, so "<=" is not read as "<" followed by "=".
const OPS: readonly ThresholdOp[] = ["<=", ">=", "==", "!=", "<", ">"];
const OPS_TEXT = "<, <=, >, >=, ==, !=";
const OP_CHARS = /[<>=!]/;

const LATENCY_STATS = [
  "count",
  "min",
  "p50",
  "p90",
  "p99",
  "p999",
  "max",
  "mean",
] as const;
const MESSAGE_FIELDS = Object.keys(MESSAGE_METRICS);
const NUMBER_PATTERN = /^\d+(?:_\d+)*(?:\.\d+)?$/;
const DURATION_PATTERN = /^(\d+(?:_\d+)*(?:\.\d+)?)(us|ms|s|m|h)$/;
const ERROR_CATEGORY_PATTERN = /^[A-Za-z][A-Za-z0-9]*$/;

const EXAMPLE_HINT = 'write a threshold like "e2e.p99<250ms", "lost==0" or "connections.failed<1%"';

/** What a metric accepts as its limit. */
interface MetricKind {
  path: readonly string[];
  /** Latency values are ms and accept duration literals. */
  latency: boolean;
}

function includes<T extends string>(
  list: readonly T[],
  text: string,
): text is T {
  return (list as readonly string[]).includes(text);
}

/**
 * Base of a `%` threshold: connection counts are a percent of `connections.target`;
 * `messages.sent` of `messages.scheduled`; other message counts of `messages.sent`.
 */
function percentBasePath(
  path: readonly string[],
): readonly string[] | undefined {
  const [section, field] = path;
  if (section === "connections" && field !== "target") {
    return ["connections", "target"];
  }
  if (section === "messages" && field === "sent") {
    return ["messages", "scheduled"];
  }
  if (section === "messages" && field !== "scheduled") {
    return ["messages", "sent"];
  }
  return undefined;
}

function fail(expression: string, problem: string, hint?: string): never {
  throw new UsageError(
    `--threshold ${JSON.stringify(expression)}: ${problem}`,
    hint,
  );
}

/**
 * The summary path a metric name of a threshold (`e2e.p99`, `lost`,
 * `rates.sentPerSec`) stands for; throws {@linkcode UsageError} naming `expression`
 * (as written after `setting`, e.g. `--fail-on`) for a name that is no metric.
 */
export function metricPathOf(name: string, expression: string, setting: string): readonly string[] {
  try {
    return resolveMetric(expression, name).path;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(error.message.replace(/^--threshold /, `${setting} `), error.hint);
  }
}

function resolveMetric(expression: string, name: string): MetricKind {
  const parts = name.split(".");
  const [head, field, extra] = parts;
  const unknownIn = (section: string, valid: readonly string[]): never =>
    fail(
      expression,
      `unknown metric "${name}"; ${section} has ${valid.join(", ")}`,
    );

  if (parts.length === 1 && includes(MESSAGE_FIELDS, head)) {
    return { path: ["messages", head], latency: false };
  }
  const latencyName = head === "latencyMs" ? field : head;
  const latencyStat = head === "latencyMs" ? extra : field;
  const latencyParts = head === "latencyMs" ? 3 : 2;
  if (includes(LATENCY_NAMES, latencyName)) {
    if (
      parts.length !== latencyParts || !includes(LATENCY_STATS, latencyStat)
    ) {
      fail(
        expression,
        `unknown metric "${name}"; use ${latencyName}.<stat> with a stat of ${
          LATENCY_STATS.join(", ")
        }`,
      );
    }
    return {
      path: ["latencyMs", latencyName, latencyStat],
      latency: latencyStat !== "count",
    };
  }
  const section = METRIC_SECTIONS[head];
  if (section !== undefined) {
    const fields = Object.keys(section);
    if (
      head === "connections" && parts.length === 3 && field === "errors" &&
      ERROR_CATEGORY_PATTERN.test(extra)
    ) {
      return { path: parts, latency: false };
    }
    if (parts.length !== 2 || !fields.includes(field)) {
      unknownIn(head, head === "connections" ? [...fields, "errors.<category>"] : fields);
    }
    return { path: parts, latency: false };
  }
  return fail(
    expression,
    `unknown metric "${name}"; use ${LATENCY_NAMES.join("|")}.<stat> (e.g. e2e.p99), ` +
      `a message count (${MESSAGE_FIELDS.join(", ")}), ` +
      `or ${Object.keys(METRIC_SECTIONS).map((name) => `${name}.*`).join(", ")}`,
    EXAMPLE_HINT,
  );
}

function parseLimit(
  expression: string,
  metric: MetricKind,
  op: ThresholdOp,
  text: string,
): { value: number; percent: boolean } {
  const name = metric.path.join(".");
  const expected = metric.latency
    ? 'a number or a duration like "250ms"'
    : percentBasePath(metric.path) !== undefined
    ? 'a number or a percentage like "1%"'
    : "a number";
  const got = text === "" ? "" : `, got "${text}"`;
  if (text.endsWith("%")) {
    const number = text.slice(0, -1).trim();
    if (percentBasePath(metric.path) === undefined) {
      fail(
        expression,
        `"%" is not defined for ${name}; it applies to connections.* (of connections.target) ` +
          "and messages.* counts (of messages.sent; messages.sent of messages.scheduled)",
      );
    }
    if (!NUMBER_PATTERN.test(number)) {
      fail(expression, `expected a number before "%" after "${op}"${got}`);
    }
    return { value: Number(number.replaceAll("_", "")), percent: true };
  }
  if (NUMBER_PATTERN.test(text)) {
    return { value: Number(text.replaceAll("_", "")), percent: false };
  }
  if (metric.latency && DURATION_PATTERN.test(text)) {
    return {
      value: parseDurationMs(
        text.replaceAll("_", ""),
        `--threshold ${JSON.stringify(expression)}`,
      ),
      percent: false,
    };
  }
  if (!metric.latency && DURATION_PATTERN.test(text)) {
    return fail(
      expression,
      `${name} is not a latency; expected ${expected} after "${op}"${got}`,
    );
  }
  return fail(expression, `expected ${expected} after "${op}"${got}`);
}

/**
 * Parses a CI gate such as `e2e.p99<250ms`, `lost==0`, `connections.failed<1%` or
 * `rates.receivedPerSec>=1900`; whitespace is allowed around the operator.
 *
 * Metrics: `connect|ack|e2e|lateness|reconnect|command` `.count|min|p50|p90|p99|p999|max|mean` (latency in
 * ms); a bare message count (`lost`, `sent`, ...); or a full summary path under
 * `messages.`, `connections.` (including `connections.errors.<category>`), `rates.`,
 * `generator.` or `latencyMs.`.
 *
 * Limits: plain numbers (`_` allowed as a digit separator). Latencies also take a
 * duration (`250ms`, `1s`, `500us`); a bare number there means ms. A `%` limit applies to
 * counts: `connections.*` is a percent of `connections.target`, `messages.sent` of
 * `messages.scheduled`, and every other `messages.*` count of `messages.sent`.
 *
 * Throws {@linkcode UsageError} naming the expression and what is wrong.
 */
export function parseThreshold(expression: string): Threshold {
  const trimmed = expression.trim();
  if (trimmed === "") {
    fail(expression, "empty threshold", EXAMPLE_HINT);
  }
  const opStart = trimmed.search(OP_CHARS);
  if (opStart === -1) {
    fail(
      trimmed,
      `missing operator; expected one of ${OPS_TEXT} between metric and limit`,
      EXAMPLE_HINT,
    );
  }
  const name = trimmed.slice(0, opStart).trim();
  const afterName = trimmed.slice(opStart);
  const op = OPS.find((candidate) => afterName.startsWith(candidate));
  if (op === undefined) {
    const written = afterName.slice(
      0,
      OP_CHARS.test(afterName[1] ?? "") ? 2 : 1,
    );
    fail(
      trimmed,
      `unknown operator "${written}"${written === "=" ? '; use "=="' : ""}; ` +
        `expected one of ${OPS_TEXT}`,
    );
  }
  if (name === "") {
    fail(trimmed, `missing metric before "${op}"`, EXAMPLE_HINT);
  }
  const limitText = afterName.slice(op.length).trim();
  if (OP_CHARS.test(limitText)) {
    fail(
      trimmed,
      "more than one operator; write one comparison per --threshold",
    );
  }
  const metric = resolveMetric(trimmed, name);
  const { value, percent } = parseLimit(trimmed, metric, op, limitText);
  return { expression: trimmed, path: metric.path, op, value, percent };
}

function lookUpNode(summary: unknown, path: readonly string[]): unknown {
  let node = summary;
  for (const key of path) {
    if (
      typeof node !== "object" || node === null || !Object.hasOwn(node, key)
    ) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function lookUpNumber(
  summary: unknown,
  path: readonly string[],
): number | null {
  const node = lookUpNode(summary, path);
  if (node === undefined && path[0] === "connections" && path[1] === "errors") {
    // Categories with no errors may be left out of the errors map; they mean zero.
    const errors = lookUpNode(summary, path.slice(0, 2));
    return typeof errors === "object" && errors !== null ? 0 : null;
  }
  return typeof node === "number" && Number.isFinite(node) ? node : null;
}

function compare(actual: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "==":
      return actual === limit;
    case "!=":
      return actual !== limit;
  }
}

/**
 * Checks each threshold against a JSON summary. `actual` is the summary value (for a
 * `%` threshold, that value as a percent of its base); it is null, and the threshold
 * fails, when the value is missing or not a number, or a percent base is missing or 0.
 * An error category absent from `connections.errors` counts as 0.
 */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  summary: unknown,
): ThresholdResult[] {
  return thresholds.map((threshold) => {
    let actual = lookUpNumber(summary, threshold.path);
    const basePath = threshold.percent ? percentBasePath(threshold.path) : undefined;
    if (actual !== null && basePath !== undefined) {
      const base = lookUpNumber(summary, basePath);
      actual = base === null || base === 0 ? null : (actual / base) * 100;
    }
    return {
      expression: threshold.expression,
      actual,
      ok: actual !== null && compare(actual, threshold.op, threshold.value),
    };
  });
}

/**
 * Every problem of a list of threshold expressions, one line each, each named by
 * `setting` (`--threshold`, `IOTLOAD_THRESHOLD`, `thresholds` of a scenario file), so
 * all malformed thresholds are reported together.
 */
export function thresholdProblems(expressions: readonly string[], setting: string): string[] {
  const problems: string[] = [];
  for (const expression of expressions) {
    try {
      parseThreshold(expression);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(error.message.replace(/^--threshold /, `${setting} `));
    }
  }
  return problems;
}
