/**
 * The retained status message of a sensor with a status topic, its one wire format:
 * `{"sensorId":"0042","online":true,"ts":1764480000123}` (birth on connect; the same
 * with `"online":false` as last will and on a clean stop). A fleet's status templates
 * replace the body; see the fleet's payload templates.
 *
 * @module
 */

/** The default status payload of sensor `sensorId`, stamped `tsMs` (ms since the Unix epoch). */
export function encodeStatus(sensorId: string, online: boolean, tsMs: number): string {
  return `{"sensorId":${JSON.stringify(sensorId)},"online":${online},"ts":${Math.round(tsMs)}}`;
}
