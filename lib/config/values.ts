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
  const shown = JSON.stringify(redactCredentials(text.trim()));
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
  if (url.port === "0") {
    throw new UsageError(`${field}: port 0 in ${shown}; a broker port is 1 to 65535`);
  }
  for (const [part, value] of [["user name", url.username], ["password", url.password]]) {
    try {
      decodeURIComponent(value);
    } catch {
      throw new UsageError(
        `${field}: the ${part} in ${shown} holds a malformed percent-escape (write "%" as %25)`,
      );
    }
  }
  return text.trim();
}

/**
 * The URL-shaped `text` with its password replaced by `***`: `scheme://user:secret@host`
 * → `scheme://user:***@host`. It parses the text's own shape instead of trusting the
 * URL parser, so mistyped input is covered too (`mqtt//u:pw@host`, `u:pw@host`, a
 * password holding `/`, `@` or `:`): everything between the scheme and the last `@`
 * is the user part, and all of it after the user name's first `:` is secret.
 */
export function redactCredentials(text: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:?\/\//i.exec(text)?.[0] ?? "";
  const rest = text.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  if (at < 0) return text;
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(":");
  if (colon < 0) return text;
  return `${scheme}${userInfo.slice(0, colon)}:***${rest.slice(at)}`;
}
