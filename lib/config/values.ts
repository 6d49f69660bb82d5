import { UsageError } from "./usage_error.ts";

const INTEGER_PATTERN = /^\d+(?:_\d{3})*$/;

/**
 * Parses a whole number (digits, optionally grouped with `_` as in `10_000`) within
 * `[min, max]`. Throws {@linkcode UsageError} naming `field` otherwise.
 */
export function parseInteger(
  text: string,
  field: string,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  const trimmed = text.trim();
  if (!INTEGER_PATTERN.test(trimmed)) {
    throw new UsageError(
      `${field}: expected a whole number, got ${JSON.stringify(text)}`,
    );
  }
  const value = Number(trimmed.replaceAll("_", ""));
  if (value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`;
    throw new UsageError(`${field}: expected ${range}, got ${trimmed}`);
  }
  return value;
}

/** Parses one of a fixed set of whole numbers (e.g. QoS `0|1|2`). */
export function parseChoice<T extends number>(
  text: string,
  field: string,
  choices: readonly T[],
): T {
  const found = choices.find((choice) => String(choice) === text.trim());
  if (found === undefined) {
    throw new UsageError(
      `${field}: expected one of ${choices.join(", ")}, got ${JSON.stringify(text)}`,
    );
  }
  return found;
}

const BROKER_PROTOCOLS = ["mqtt:", "mqtts:", "ws:", "wss:"];

/** Checks a broker URL (`mqtt://`, `mqtts://`, `ws://`, `wss://` with a host) and returns it. */
export function parseBrokerUrl(text: string, field: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(
      `${field}: expected a broker URL like mqtt://host:1883, got ${JSON.stringify(text)}`,
    );
  }
  if (!BROKER_PROTOCOLS.includes(url.protocol)) {
    throw new UsageError(
      `${field}: unsupported scheme "${url.protocol.slice(0, -1)}" in ${
        JSON.stringify(text)
      }; use mqtt, mqtts, ws or wss`,
    );
  }
  if (url.hostname === "") {
    throw new UsageError(`${field}: missing host in ${JSON.stringify(text)}`);
  }
  return text.trim();
}
