/**
 * The MQTT client of one sensor: the lean one or MQTT.js's, as the fleet's transport
 * says, with the sensor's client id, source address, credentials and last will,
 * answering its commands while it is connected, and telling its connection what happens.
 *
 * @module
 */
import type { IDisconnectPacket } from "mqtt";
import { createMqttClient } from "./client_factory.ts";
import { type ClassifiedError, classifyError, describeReasonCode } from "./error_category.ts";
import type { ConnectionContext, DeviceHooks, SensorClient } from "./connection_types.ts";
import { LeanClient } from "./lean_client.ts";

/** What makes one sensor's client. */
export interface SensorIdentity {
  /** The sensor's index. */
  readonly index: number;
  /** Its MQTT client id. */
  readonly clientId: string;
  /** Its source address; unset lets the OS pick. */
  readonly localAddress?: string;
  /** What it does besides telemetry. */
  readonly device?: DeviceHooks;
}

/** What the client tells its connection. */
export interface SensorClientHandlers {
  /** Whether the connection counts as up: commands are answered only then. */
  isConnected(): boolean;
  /** CONNACK accepted. */
  connected(): void;
  /** Why the connection failed or will close: a refusal, a socket error, a DISCONNECT's reason. */
  failed(error: ClassifiedError): void;
  /** The connection closed. */
  closed(): void;
}

/** Creates the client (nothing opens until `connect()`) and wires it to `handlers`. */
export function createSensorClient(
  context: ConnectionContext,
  sensor: SensorIdentity,
  handlers: SensorClientHandlers,
): SensorClient {
  const { index, device } = sensor;
  const status = device?.status;
  const settings = {
    clientId: sensor.clientId,
    localAddress: sensor.localAddress,
    topicAlias: device?.topicAlias,
    credentials: device?.credentials?.(index),
    will: status === undefined ? undefined : {
      topic: status.topic(index),
      payload: status.offline(index),
      qos: 1 as const,
      retain: true,
    },
  };
  const client: SensorClient = context.transport === "lean"
    ? new LeanClient(context.target, settings)
    : createMqttClient(context.target, settings);
  const commands = device?.commands;
  if (commands !== undefined) {
    client.on("message", (_topic: string, payload: Uint8Array) => {
      const answer = commands.answer(index, payload);
      if (answer !== null && handlers.isConnected()) {
        client.publish(answer.topic, answer.payload, { qos: 1 });
      }
    });
  }
  client.on("connect", () => handlers.connected());
  client.on("error", (error: Error) => {
    handlers.failed(classifyError(error, context.target.protocolVersion));
  });
  client.on("disconnect", (packet: IDisconnectPacket) => {
    // MQTT 5 server DISCONNECT (MQTT-3.14.2.1) says why, e.g. 0x8E session taken over.
    if (packet.reasonCode !== undefined && packet.reasonCode !== 0) {
      handlers.failed(describeReasonCode(packet.reasonCode, 5));
    }
  });
  client.on("close", () => handlers.closed());
  return client;
}
