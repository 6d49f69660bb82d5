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

/** A client that reports every packet it receives (MQTT.js: the only one that does QoS 2). */
interface PacketSource {
  on(event: "packetreceive", listener: (packet: Packet) => void): unknown;
}

/**
 * The packet ids a client's broker last answered with PUBACK; a PUBREC for an id
 * clears it, so a reused id is judged afresh. At most the 65,535 packet ids are kept.
 */
export class PubackWatch {
  #ids: Set<number> | null = null;

  /**
   * Starts watching `client`'s incoming packets (once; later calls do nothing). QoS 2
   * runs on MQTT.js only, so a client that reports no packets has nothing to watch.
   */
  watch(client: SensorClient): void {
    if (this.#ids !== null || !("on" in client)) return;
    const ids = this.#ids = new Set();
    (client as PacketSource).on("packetreceive", (packet: Packet) => {
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
