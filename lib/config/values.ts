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

/**
 * Checks a broker URL (`mqtt://`, `mqtts://`, `ws://`, `wss://` with a host) and returns
 * it. Messages never repeat a password given in the URL.
 */
export function parseBrokerUrl(text: string, field: string): string {
  const shown = JSON.stringify(hidePassword(text.trim()));
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(`${field}: expected a broker URL like mqtt://host:1883, got ${shown}`);
  }
  if (!BROKER_PROTOCOLS.includes(url.protocol)) {
    throw new UsageError(
      `${field}: unsupported scheme "${
        url.protocol.slice(0, -1)
      }" in ${shown}; use mqtt, mqtts, ws or wss`,
    );
  }
  if (url.hostname === "") {
    throw new UsageError(`${field}: missing host in ${shown}`);
  }
  return text.trim();
}

/** `scheme://user:secret@host` → `scheme://user:***@host`, also for unparsable URLs. */
export function hidePassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}
