/**
 * Telling a QoS 2 acknowledgement from a broker that answers QoS 2 with PUBACK, as
 * some do (RabbitMQ 3.10): MQTT.js completes the publish's callback either way and
 * hands it the PUBLISH, not the packet that answered it.
 *
 * @module
 */
import type { Packet } from "mqtt";
import type { SensorClient } from "./connection_types.ts";
import type { ClassifiedError } from "./error_category.ts";

/** A broker answered a QoS 2 PUBLISH with PUBACK (MQTT-4.3.3 wants PUBREC, then PUBCOMP). */
export const QOS2_ANSWERED_WITH_PUBACK: ClassifiedError = Object.freeze({
  category: "protocolViolation",
  message: "QoS 2 PUBLISH answered with PUBACK, a protocol violation (MQTT-4.3.3)",
});

/**
 * The packet ids a client's broker last answered with PUBACK; a PUBREC for an id
 * clears it, so a reused id is judged afresh. At most the 65,535 packet ids are kept.
 */
export class PubackWatch {
  #ids: Set<number> | null = null;

  /** Starts watching `client`'s incoming packets (once; later calls do nothing). */
  watch(client: SensorClient): void {
    if (this.#ids !== null) return;
    const ids = this.#ids = new Set();
    client.on("packetreceive", (packet: Packet) => {
      if (packet.messageId === undefined) return;
      if (packet.cmd === "puback") ids.add(packet.messageId);
      else if (packet.cmd === "pubrec") ids.delete(packet.messageId);
    });
  }

  /** True (once) when the publish with packet id `id` was answered by PUBACK. */
  takePuback(id: number | undefined): boolean {
    return id !== undefined && (this.#ids?.delete(id) ?? false);
  }
}
