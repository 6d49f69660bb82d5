/**
 * The embedded broker's worker thread: aedes on its own event loop.
 *
 * @module
 */
import { Aedes } from "aedes";
import net from "node:net";
import { drainOnRead } from "./drain_read.ts";

/** A request from the thread that owns the embedded broker's worker. */
export type BrokerWorkerRequest =
  | { readonly type: "start"; readonly host: string; readonly port: number }
  | { readonly type: "stop" };

/** A reply from the embedded broker's worker; `port` is the port actually bound. */
export type BrokerWorkerReply =
  | { readonly type: "listening"; readonly port: number }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "stopped" };

interface WorkerScope {
  onmessage: ((event: MessageEvent<BrokerWorkerRequest>) => void) | null;
  postMessage(reply: BrokerWorkerReply): void;
}

interface RunningBroker {
  readonly broker: Aedes;
  readonly server: net.Server;
  readonly sockets: Set<net.Socket>;
}

let running: RunningBroker | undefined;

/**
 * Serves the embedded broker from this worker thread: answers `start` and `stop`
 * requests from the thread that started it.
 */
export function serveBrokerThread(): void {
  // The deno.window types do not describe a worker's global scope, so the two members
  // used here are declared locally.
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = (event) => {
    const request = event.data;
    const handled = request.type === "start"
      ? startBroker(request.host, request.port)
      : stopBroker();
    handled.then(scope.postMessage.bind(scope), (error: unknown) => {
      scope.postMessage({ type: "error", message: describeError(error) });
    });
  };
}

async function startBroker(
  host: string,
  port: number,
): Promise<BrokerWorkerReply> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    broker.handle(drainOnRead(socket));
  });
  try {
    await listen(server, host, port);
  } catch (error) {
    await closeBroker(broker);
    throw error;
  }
  running = { broker, server, sockets };
  const address = server.address() as net.AddressInfo;
  return { type: "listening", port: address.port };
}

async function stopBroker(): Promise<BrokerWorkerReply> {
  if (running === undefined) return { type: "stopped" };
  const { broker, server, sockets } = running;
  running = undefined;
  // The close callback fires only once every accepted socket has closed, so it is
  // awaited after they are destroyed below.
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  await closeBroker(broker);
  // aedes closes only clients that completed CONNECT; sockets still handshaking
  // (or refused) are ended here.
  for (const socket of sockets) socket.destroy();
  await serverClosed;
  return { type: "stopped" };
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

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
