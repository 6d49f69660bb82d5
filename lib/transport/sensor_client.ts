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
import { LeanClient, type LeanClientListener } from "./lean_client.ts";
import type { PacketVersion } from "./packet_codec.ts";

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
  const version = context.target.protocolVersion;
  // A fleet that takes commands never runs on the lean client (transport_choice.ts).
  if (context.transport === "lean") {
    return new LeanClient(context.target, settings, new LeanClientEvents(handlers, version));
  }
  const client = createMqttClient(context.target, settings);
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
  client.on("error", (error: Error) => handlers.failed(classifyError(error, version)));
  client.on(
    "disconnect",
    (packet: IDisconnectPacket) => disconnectedFor(handlers, packet.reasonCode),
  );
  client.on("close", () => handlers.closed());
  return client;
}

/** MQTT 5 server DISCONNECT (MQTT-3.14.2.1) says why, e.g. 0x8E session taken over. */
function disconnectedFor(handlers: SensorClientHandlers, reasonCode: number | undefined): void {
  if (reasonCode !== undefined && reasonCode !== 0) {
    handlers.failed(describeReasonCode(reasonCode, 5));
  }
}

/** A lean client's events as its connection's handlers take them (one object, no closures). */
class LeanClientEvents implements LeanClientListener {
  readonly #handlers: SensorClientHandlers;
  readonly #version: PacketVersion;

  constructor(handlers: SensorClientHandlers, version: PacketVersion) {
    this.#handlers = handlers;
    this.#version = version;
  }

  connected(): void {
    this.#handlers.connected();
  }

  failed(error: Error): void {
    this.#handlers.failed(classifyError(error, this.#version));
  }

  disconnected(reasonCode: number | undefined): void {
    disconnectedFor(this.#handlers, reasonCode);
  }

  closed(): void {
    this.#handlers.closed();
  }
}
