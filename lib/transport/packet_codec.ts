/**
 * The lean client's MQTT codec: `mqtt-packet` encodes and decodes, and this module frames.
 * A connection's bytes are split into whole control packets here, so every connection
 * of a process shares one decoder per protocol version and keeps only the bytes of a
 * packet not yet complete (a decoder of its own, with its buffer stream, cost about
 * 2 KB of heap per connection).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import mqttPacket, { type Packet } from "mqtt-packet";

// mqtt-packet's writer would otherwise fill a cache of 65,536 two-byte Buffers (7 MB of
// heap) on its first packet, in every process and thread; MQTT.js shares this module.
mqttPacket.writeToStream.cacheNumbers = false;

/** The MQTT versions the lean client speaks: 4 is 3.1.1, 5 is 5.0. */
export type PacketVersion = 4 | 5;

/** Bytes the broker sent that are no MQTT control packet (MQTT-4.13: close the connection). */
export class MalformedPacketError extends Error {}

/** The most bytes a Remaining Length takes (MQTT-1.5.5: a Variable Byte Integer). */
const MAX_LENGTH_BYTES = 4;

/** The bytes of `packet` as MQTT `version` sends them. */
export function encodePacket(packet: Packet, version: PacketVersion): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: version });
}

/**
 * The size in bytes of the whole packet that starts at `offset` of `bytes`, or 0 when
 * `bytes` ends before it does. Throws {@linkcode MalformedPacketError} for a Remaining
 * Length longer than four bytes (MQTT-1.5.5).
 */
export function packetSize(bytes: Uint8Array, offset: number): number {
  let remaining = 0;
  let scale = 1;
  // MQTT-2.2.3: after the first byte, the Remaining Length, 7 bits a byte, low first.
  for (let index = 1; index <= MAX_LENGTH_BYTES; index++) {
    if (offset + index >= bytes.length) return 0;
    const byte = bytes[offset + index];
    remaining += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      const size = 1 + index + remaining;
      return offset + size <= bytes.length ? size : 0;
    }
    scale *= 128;
  }
  throw new MalformedPacketError("malformed packet: a Remaining Length longer than 4 bytes");
}

interface SharedDecoder {
  readonly parser: ReturnType<typeof mqttPacket.parser>;
  decoded: Packet | null;
  failure: Error | null;
}

const decoders = new Map<PacketVersion, SharedDecoder>();

function decoderFor(version: PacketVersion): SharedDecoder {
  const known = decoders.get(version);
  if (known !== undefined) return known;
  const decoder: SharedDecoder = {
    parser: mqttPacket.parser({ protocolVersion: version }),
    decoded: null,
    failure: null,
  };
  decoder.parser.on("packet", (packet: Packet) => decoder.decoded = packet);
  decoder.parser.on("error", (error: Error) => decoder.failure = error);
  decoders.set(version, decoder);
  return decoder;
}

/**
 * Decodes one whole packet (exactly the bytes {@linkcode packetSize} counted). Throws
 * {@linkcode MalformedPacketError} when they are no valid packet of `version`.
 */
export function decodePacket(bytes: Uint8Array, version: PacketVersion): Packet {
  const decoder = decoderFor(version);
  decoder.decoded = null;
  decoder.failure = null;
  const left = decoder.parser.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  // The parser's listeners set these while it parses (TypeScript cannot see that).
  const decoded = decoder.decoded as Packet | null;
  const failure = decoder.failure as Error | null;
  decoder.decoded = null;
  if (failure !== null || decoded === null || left !== 0) {
    // The decoder starts afresh on its next packet (a failed one resets itself; one
    // left mid-packet would not, so it is replaced).
    if (failure === null) decoders.delete(version);
    throw new MalformedPacketError(`malformed packet: ${failure?.message ?? "incomplete"}`);
  }
  return decoded;
}
