import { Aedes } from "aedes";
import net from "node:net";
import { type Duplex, duplexPair } from "node:stream";
import { drainOnRead } from "./drain_read.ts";

/** An aedes broker on this thread, listening on TCP and open to in-memory streams. */
export interface AedesServer {
  /** The TCP port actually bound (never 0). */
  readonly port: number;
  /**
   * A new connection to the broker that uses no file descriptor: the client's end of
   * an in-memory stream pair whose other end the broker serves.
   */
  openStream(): Duplex;
  /** Closes the broker, every client connection and the listener. */
  close(): Promise<void>;
}

/**
 * Starts aedes (MQTT 3.1.1) listening on `host:port` (0: a free port). Rejects when
 * the address cannot be bound.
 */
export async function startAedesServer(host: string, port: number): Promise<AedesServer> {
  const broker = await Aedes.createBroker();
  const connections = new Set<Duplex>();
  const serve = (connection: Duplex) => {
    connections.add(connection);
    connection.once("close", () => connections.delete(connection));
    broker.handle(drainOnRead(connection));
  };
  const server = net.createServer(serve);
  try {
    await listen(server, host, port);
  } catch (error) {
    await closeBroker(broker);
    throw error;
  }
  return {
    port: (server.address() as net.AddressInfo).port,
    openStream: () => {
      const [clientEnd, brokerEnd] = linkedStreamPair();
      serve(brokerEnd);
      return clientEnd;
    },
    close: async () => {
      // The close callback fires only once every accepted socket has closed, so it is
      // awaited after they are destroyed below.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await closeBroker(broker);
      // aedes closes only clients that completed CONNECT; connections still
      // handshaking (or refused) are ended here.
      for (const connection of connections) connection.destroy();
      await serverClosed;
    },
  };
}

/**
 * Two in-memory streams, each one's writes the other's reads, like the two ends of a
 * socket: when one end closes (or is destroyed) the other closes too, which a plain
 * `duplexPair()` does not do.
 */
export function linkedStreamPair(): [Duplex, Duplex] {
  const [first, second] = duplexPair();
  first.once("close", () => second.destroy());
  second.once("close", () => first.destroy());
  return [first, second];
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeBroker(broker: Aedes): Promise<void> {
  return new Promise((resolve) => broker.close(() => resolve()));
}
