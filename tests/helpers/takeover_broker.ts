/** A minimal MQTT 5 server that does session takeover by the book; see startTakeoverBroker(). */
export interface TakeoverBroker extends AsyncDisposable {
  /** Where clients connect, like `mqtt://127.0.0.1:40123`. */
  readonly url: string;
  /** DISCONNECT 0x8E packets sent so far. */
  readonly takeovers: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const PACKET_CONNECT = 1;
const PACKET_PINGREQ = 12;
const PACKET_DISCONNECT = 14;
/** CONNACK: session present 0, reason 0x00 success, no properties (MQTT-3.2). */
const CONNACK_V5 = new Uint8Array([0x20, 0x03, 0x00, 0x00, 0x00]);
const PINGRESP = new Uint8Array([0xd0, 0x00]);
/** DISCONNECT with reason 0x8E "session taken over" (MQTT-3.14.2.1). */
const DISCONNECT_TAKEN_OVER = new Uint8Array([0xe0, 0x01, 0x8e]);

/**
 * Starts an MQTT 5 server on 127.0.0.1 that accepts every CONNECT, swallows QoS 0
 * publishes, answers PINGREQ, and, when a client id connects while already connected,
 * sends the existing connection DISCONNECT 0x8E before closing it (MQTT-3.1.4-3), as
 * Mosquitto does only from 2.0.15 on. It speaks no more MQTT than that: no
 * subscriptions, no QoS 1/2.
 */
export function startTakeoverBroker(): TakeoverBroker {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const byClientId = new Map<string, Deno.Conn>();
  const sessions: Promise<void>[] = [];
  let takeovers = 0;
  let closing = false;

  const closeConn = (conn: Deno.Conn) => {
    if (!open.delete(conn)) return;
    try {
      conn.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  };

  const onConnect = async (conn: Deno.Conn, body: Uint8Array) => {
    const clientId = readConnectClientId(body);
    const previous = byClientId.get(clientId);
    byClientId.set(clientId, conn);
    await writeAll(conn, CONNACK_V5);
    if (previous !== undefined && previous !== conn && open.has(previous)) {
      takeovers++;
      await writeAll(previous, DISCONNECT_TAKEN_OVER).catch(() => {});
      closeConn(previous);
    }
  };

  const serve = async (conn: Deno.Conn) => {
    let buffer: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(16 * 1024);
    try {
      while (true) {
        const read = await conn.read(chunk);
        if (read === null) return;
        buffer = concat(buffer, chunk.subarray(0, read));
        while (true) {
          const packet = takePacket(buffer);
          if (packet === null) break;
          buffer = buffer.subarray(packet.length);
          if (packet.type === PACKET_CONNECT) await onConnect(conn, packet.body);
          else if (packet.type === PACKET_PINGREQ) await writeAll(conn, PINGRESP);
          else if (packet.type === PACKET_DISCONNECT) return;
        }
      }
    } catch (error) {
      // A connection closed by a takeover, by the peer or by close() ends its read.
      if (
        !(error instanceof Deno.errors.BadResource ||
          error instanceof Deno.errors.ConnectionReset ||
          error instanceof Deno.errors.BrokenPipe ||
          error instanceof Deno.errors.Interrupted)
      ) throw error;
    } finally {
      closeConn(conn);
    }
  };

  const acceptLoop = (async () => {
    try {
      for await (const conn of listener) {
        if (closing) {
          conn.close();
          continue;
        }
        open.add(conn);
        sessions.push(serve(conn));
      }
    } catch (error) {
      if (!closing) throw error;
    }
  })();

  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      closing = true;
      listener.close();
      await acceptLoop;
      for (const conn of [...open]) closeConn(conn);
      await Promise.all(sessions);
    })();

  return {
    url: `mqtt://127.0.0.1:${listener.addr.port}`,
    get takeovers() {
      return takeovers;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** One whole packet at the start of `buffer`: its type, body and total length; null if partial. */
function takePacket(
  buffer: Uint8Array,
): { type: number; body: Uint8Array; length: number } | null {
  if (buffer.length < 2) return null;
  // MQTT-1.5.5: Variable Byte Integer, 7 bits per byte, at most 4 bytes.
  let remaining = 0;
  let multiplier = 1;
  let offset = 1;
  while (true) {
    if (offset >= buffer.length) return null;
    const byte = buffer[offset++];
    remaining += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
    multiplier *= 128;
    if (offset > 4) throw new Error("malformed remaining length");
  }
  if (buffer.length < offset + remaining) return null;
  return {
    type: buffer[0] >> 4,
    body: buffer.subarray(offset, offset + remaining),
    length: offset + remaining,
  };
}

/** The client id of an MQTT 5 CONNECT body (MQTT-3.1.2, MQTT-3.1.3). */
function readConnectClientId(body: Uint8Array): string {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  // Protocol name (2 + 4 bytes), version, flags, keepalive (2 bytes).
  let offset = 2 + view.getUint16(0) + 1 + 1 + 2;
  // Properties: a Variable Byte Integer length, then the properties.
  let propertiesLength = 0;
  let multiplier = 1;
  while (true) {
    const byte = body[offset++];
    propertiesLength += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
    multiplier *= 128;
  }
  offset += propertiesLength;
  const idLength = view.getUint16(offset);
  return new TextDecoder().decode(body.subarray(offset + 2, offset + 2 + idLength));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}
