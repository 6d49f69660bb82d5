/**
 * The embedded broker's worker thread: aedes on its own event loop.
 *
 * @module
 */
import { type AedesServer, startAedesServer } from "./aedes_server.ts";

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

let running: AedesServer | undefined;

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

async function startBroker(host: string, port: number): Promise<BrokerWorkerReply> {
  running = await startAedesServer(host, port);
  return { type: "listening", port: running.port };
}

async function stopBroker(): Promise<BrokerWorkerReply> {
  const server = running;
  running = undefined;
  await server?.close();
  return { type: "stopped" };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
