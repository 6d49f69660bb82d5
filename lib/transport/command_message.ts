/**
 * Commands to sensors and their answers, one wire format for both sides:
 * a command `{"commandId":7,"ts":1764480000123,"action":"report"}` on a sensor's command
 * topic, and its answer `{"sensorId":"0042","commandId":7,"ok":true}` on the response
 * topic; the commander matches answers by `commandId`.
 *
 * @module
 */

/** A command with id `commandId`, sent at `tsMs` (ms since the Unix epoch). */
export function encodeCommand(commandId: number, tsMs: number): string {
  return `{"commandId":${commandId},"ts":${Math.round(tsMs)},"action":"report"}`;
}

/** Sensor `sensorId`'s answer to command `commandId`. */
export function encodeCommandAnswer(sensorId: string, commandId: number): string {
  return `{"sensorId":${JSON.stringify(sensorId)},"commandId":${commandId},"ok":true}`;
}

/** The `commandId` (a whole number) of a command or answer payload, or null for anything else. */
export function readCommandId(payload: Uint8Array): number | null {
  try {
    const { commandId } = JSON.parse(DECODER.decode(payload)) as { commandId?: unknown };
    return Number.isSafeInteger(commandId) ? commandId as number : null;
  } catch {
    return null;
  }
}

const DECODER = new TextDecoder();
