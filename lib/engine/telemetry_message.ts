/**
 * What one telemetry message of a sensor looks like on the wire: its payload (the
 * envelope, then the fleet's payload template or the identity and reading) and how it
 * is published (QoS, retain, MQTT 5 properties).
 *
 * @module
 */
import type { FleetSpec } from "../config/scenario.ts";
import { buildPayload } from "../transport/envelope.ts";
import type { PublishOptions } from "../transport/connection_types.ts";
import type { SensorTable } from "./sensor_table.ts";

/** How a fleet's telemetry goes out: QoS, retain flag and its MQTT 5 properties. */
export function publishOptionsFor(fleet: FleetSpec): PublishOptions {
  const properties: NonNullable<PublishOptions["properties"]> = {};
  if (Object.keys(fleet.userProperties).length > 0) {
    properties.userProperties = { ...fleet.userProperties };
  }
  if (fleet.messageExpirySec > 0) properties.messageExpiryInterval = fleet.messageExpirySec;
  if (fleet.contentType !== null) properties.contentType = fleet.contentType;
  return Object.keys(properties).length === 0
    ? { qos: fleet.qos, retain: fleet.retain }
    : { qos: fleet.qos, retain: fleet.retain, properties };
}

/**
 * The payload of sensor `index`'s message `seq`, due at `epochMs`: the envelope (with
 * `runId`), then its fleet's payload template, or its identity and `reading` (JSON
 * members, or "" for none), padded to the fleet's payload size when it has one.
 */
export function telemetryPayload(
  table: SensorTable,
  index: number,
  seq: number,
  epochMs: number,
  reading: string,
  runId: string,
): string {
  const fleet = table.fleets[table.fleetOf[index]];
  const template = table.payloadTemplates[table.fleetOf[index]];
  const body = template !== null
    ? template({
      sensorId: table.sensorIds[index],
      index: table.globalIndex(index),
      seq,
      tsMs: epochMs,
      identity: table.identities[index]!,
      readingJson: reading,
    })
    : reading === ""
    ? ""
    : `${table.identityJson[index]},${reading}`;
  return buildPayload(table.sensorIds[index], seq, epochMs, body, fleet.payloadBytes, runId);
}
