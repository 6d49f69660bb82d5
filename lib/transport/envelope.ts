/**
 * The payload envelope: the one wire format of iotload, encoded and decoded here only.
 *
 * Every message is a JSON object that starts with `sensorId`, `seq` and `ts`, then the
 * run's id, followed by the sensor's reading fields:
 * `{"sensorId":"0042","seq":7,"ts":1764480000123.456,"run":"1f3a9c2e","temperatureC":21.4,...}`.
 * The run id lets a probe tell its own run's messages from another run's (retained
 * messages of an earlier run, a second run against the same broker).
 */
export interface Envelope {
  /** The sensor's id (`{id}`: its zero-padded number). */
  readonly sensorId: string;
  /** Per-sensor sequence number from 0, one per message written to the socket. */
  readonly seq: number;
  /** Intended send time, ms since the Unix epoch (fractional: microsecond resolution). */
  readonly ts: number;
  /** The id of the run that sent it; absent in messages from elsewhere. */
  readonly run?: string;
}

/**
 * Encodes an envelope; `bodyJson` is the rest of the object's members, already JSON
 * (e.g. `"temperatureC":21.4,"humidityPct":40`), or `""` for none.
 */
export function encodeEnvelope(
  sensorId: string,
  seq: number,
  tsMs: number,
  bodyJson: string,
  runId?: string,
): string {
  // sensorId is a template-made id of digits; JSON.stringify keeps it safe if not.
  const run = runId === undefined ? "" : `,"run":${JSON.stringify(runId)}`;
  const head = `{"sensorId":${JSON.stringify(sensorId)},"seq":${seq},"ts":${
    Math.round(tsMs * 1000) / 1000
  }${run}`;
  return bodyJson === "" ? `${head}}` : `${head},${bodyJson}}`;
}

/**
 * The payload of one message: the envelope and `bodyJson`, padded with a `"pad"` member
 * to exactly `payloadBytes` bytes when that is not 0. When the reading does not fit,
 * it is left out; when even the envelope does not fit, the envelope is sent as is.
 */
export function buildPayload(
  sensorId: string,
  seq: number,
  tsMs: number,
  bodyJson: string,
  payloadBytes: number,
  runId?: string,
): string {
  const natural = encodeEnvelope(sensorId, seq, tsMs, bodyJson, runId);
  if (payloadBytes === 0) return natural;
  // `,"pad":""` is 9 bytes; ids, numbers and templates here are ASCII, so length = bytes.
  const PAD_OVERHEAD = 9;
  const fitting = natural.length + PAD_OVERHEAD <= payloadBytes
    ? bodyJson
    : natural.length === payloadBytes
    ? null
    : "";
  if (fitting === null) return natural;
  const head = encodeEnvelope(sensorId, seq, tsMs, fitting, runId);
  const padLength = payloadBytes - head.length - PAD_OVERHEAD;
  if (padLength < 0) return head;
  const pad = padding(padLength);
  const members = fitting === "" ? `"pad":"${pad}"` : `${fitting},"pad":"${pad}"`;
  return encodeEnvelope(sensorId, seq, tsMs, members, runId);
}

/**
 * Decodes the envelope fields of a payload; returns `null` when the payload is not a
 * JSON object with a string `sensorId`, a whole `seq` ≥ 0 and a finite `ts` (`run`
 * only when it is a string).
 */
export function decodeEnvelope(payload: Uint8Array | string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(
      typeof payload === "string" ? payload : TEXT_DECODER.decode(payload),
    );
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { sensorId, seq, ts, run } = value as Record<string, unknown>;
  if (
    typeof sensorId !== "string" || typeof seq !== "number" ||
    !Number.isInteger(seq) ||
    seq < 0 || typeof ts !== "number" || !Number.isFinite(ts)
  ) {
    return null;
  }
  return typeof run === "string" ? { sensorId, seq, ts, run } : { sensorId, seq, ts };
}

const TEXT_DECODER = new TextDecoder();
const PADDING = "x".repeat(1024);

function padding(length: number): string {
  return length <= PADDING.length ? PADDING.slice(0, length) : "x".repeat(length);
}
