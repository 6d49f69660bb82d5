/**
 * Why a connection or publish failed, as counted in the summary (one spelling in code,
 * JSON, thresholds and README).
 */
export type ErrorCategory =
  | "connectRefused"
  | "connectTimeout"
  | "notAuthorized"
  | "badCredentials"
  | "serverUnavailable"
  | "brokerRefused"
  | "sessionTakenOver"
  | "disconnected"
  | "ackTimeout"
  | "inflightLost"
  | "publishFailed"
  | "probeUndelivered"
  | "protocolUnsupported"
  | "protocolViolation"
  | "networkError";

/** A failure turned into its category and a short human message. */
export interface ClassifiedError {
  /** The counter this failure increments. */
  readonly category: ErrorCategory;
  /** One line for the summary's list of distinct messages. */
  readonly message: string;
}

// MQTT-3.2.2.3 (3.1.1 CONNACK return codes) and MQTT 5 reason codes (MQTT-2.4), in words.
const CONNACK_V4: Readonly<Record<number, [ErrorCategory, string]>> = {
  1: ["protocolUnsupported", "unacceptable protocol version"],
  2: ["brokerRefused", "client identifier rejected"],
  3: ["serverUnavailable", "server unavailable"],
  4: ["badCredentials", "bad user name or password"],
  5: ["notAuthorized", "not authorized"],
};

const REASON_V5: Readonly<Record<number, [ErrorCategory, string]>> = {
  0x80: ["brokerRefused", "unspecified error"],
  0x81: ["brokerRefused", "malformed packet"],
  0x82: ["brokerRefused", "protocol error"],
  0x83: ["brokerRefused", "implementation specific error"],
  0x84: ["protocolUnsupported", "unsupported protocol version"],
  0x85: ["brokerRefused", "client identifier not valid"],
  0x86: ["badCredentials", "bad user name or password"],
  0x87: ["notAuthorized", "not authorized"],
  0x88: ["serverUnavailable", "server unavailable"],
  0x89: ["serverUnavailable", "server busy"],
  0x8a: ["brokerRefused", "banned"],
  0x8b: ["disconnected", "server shutting down"],
  0x8c: ["brokerRefused", "bad authentication method"],
  0x8e: ["sessionTakenOver", "session taken over"],
  0x90: ["brokerRefused", "topic name invalid"],
  0x93: ["brokerRefused", "receive maximum exceeded"],
  0x95: ["brokerRefused", "packet too large"],
  0x97: ["serverUnavailable", "quota exceeded"],
  0x99: ["brokerRefused", "payload format invalid"],
  0x9f: ["serverUnavailable", "connection rate exceeded"],
};

/** Words for an MQTT reason code (v5) or CONNACK return code (v3.1.1), e.g. `0x87` → "not authorized". */
export function describeReasonCode(
  code: number,
  protocolVersion: 4 | 5,
): ClassifiedError {
  // A 3.1.1-only broker answers a v5 CONNECT with a 3.1.1 return code (below 0x80).
  const entry = protocolVersion === 5 && code >= 0x80 ? REASON_V5[code] : CONNACK_V4[code];
  const hex = `0x${code.toString(16).padStart(2, "0")}`;
  if (entry === undefined) {
    return {
      category: "brokerRefused",
      message: `refused by the broker (reason ${hex})`,
    };
  }
  return { category: entry[0], message: `${entry[1]} (reason ${hex})` };
}

/**
 * Classifies an error from MQTT.js or the socket under it: CONNACK refusals by their
 * reason code, socket errors by their errno code.
 */
export function classifyError(
  error: unknown,
  protocolVersion: 4 | 5,
): ClassifiedError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  if (typeof code === "number") {
    return describeReasonCode(code, protocolVersion);
  }
  switch (code) {
    case "ECONNREFUSED":
      return { category: "connectRefused", message: "connection refused" };
    case "ETIMEDOUT":
      return { category: "connectTimeout", message: "connection timed out" };
    case "ECONNRESET":
    case "EPIPE":
      return {
        category: "disconnected",
        message: "connection reset by the broker",
      };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { category: "networkError", message: `host not found (${code})` };
    case "EADDRNOTAVAIL":
    case "EMFILE":
      return { category: "networkError", message: `${text} (${code})` };
  }
  if (/certificate|self[- ]signed|tls|ssl/i.test(text)) {
    return { category: "networkError", message: `TLS: ${text}` };
  }
  return { category: "networkError", message: text };
}

/**
 * Why a QoS 1/2 publish failed: the broker's reason code in words and its category when
 * it gave one (MQTT-3.4.2.1, MQTT-3.5.2.1: a PUBACK or PUBREC code of 0x80 or more, which
 * MQTT.js hands over as the error's numeric code), else `publishFailed`.
 */
export function classifyPublishError(error: unknown, protocolVersion: 4 | 5): ClassifiedError {
  const reason = classifyError(error, protocolVersion);
  const fromBroker = typeof (error as { code?: unknown } | null)?.code === "number";
  return {
    category: fromBroker ? reason.category : "publishFailed",
    message: `publish refused: ${reason.message}`,
  };
}
