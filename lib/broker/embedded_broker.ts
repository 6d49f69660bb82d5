import type { Duplex } from "node:stream";
import { startThread } from "../threads/thread_entry.ts";
import { startAedesServer } from "./aedes_server.ts";
import type { BrokerWorkerReply, BrokerWorkerRequest } from "./broker_thread.ts";

/** A running embedded MQTT broker (aedes in its own worker thread). */
export interface EmbeddedBroker {
  /** Where clients connect, like `mqtt://127.0.0.1:40123`. */
  readonly url: string;
  /** The TCP port actually bound (never 0). */
  readonly port: number;
  /**
   * Closes the broker and every client socket, then ends the worker. Safe to call
   * more than once. Rejects if the worker failed while running.
   */
  stop(): Promise<void>;
}

/** Where the embedded broker listens. */
export interface EmbeddedBrokerOptions {
  /** TCP port; default 0 (a free port chosen by the system). */
  readonly port?: number;
  /** Address to bind; default `127.0.0.1`. */
  readonly host?: string;
}

/** The embedded broker on this thread, reachable without a file descriptor. */
export interface InProcessBroker extends EmbeddedBroker {
  /** A new connection to the broker over an in-memory stream pair (no socket, no descriptor). */
  openStream(): Duplex;
}

/**
 * Starts the embedded broker (npm:aedes) on this thread's event loop: clients on this
 * thread reach it through {@linkcode InProcessBroker.openStream}, which uses no file
 * descriptors (so a fleet does not need two per sensor, one for each end), and others
 * (worker threads, a `mosquitto_sub`) on `host:port` as usual.
 */
export async function startInProcessBroker(
  options: EmbeddedBrokerOptions = {},
): Promise<InProcessBroker> {
  const host = options.host ?? "127.0.0.1";
  const requestedPort = options.port ?? 0;
  let server;
  try {
    server = await startAedesServer(host, requestedPort);
  } catch (error) {
    throw new Error(
      `cannot start the embedded broker on ${formatAddress(host, requestedPort)}: ${
        describeError(error)
      }`,
      { cause: error },
    );
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `mqtt://${formatAddress(host, server.port)}`,
    port: server.port,
    openStream: () => server.openStream(),
    stop: () => stopped ??= server.close(),
  };
}

/** How long startEmbeddedBroker() waits for the worker to load and listen (ms). */
const START_TIMEOUT_MS = 30_000;

/** How long stop() waits for the worker to close its sockets before ending it anyway (ms). */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts an MQTT broker (npm:aedes) on its own event loop in a worker, listening on
 * `host:port` (default `127.0.0.1`, a free port). Rejects with a message naming the
 * address when it cannot listen, for example when the port is in use.
 */
export async function startEmbeddedBroker(
  options: EmbeddedBrokerOptions = {},
): Promise<EmbeddedBroker> {
  const host = options.host ?? "127.0.0.1";
  const requestedPort = options.port ?? 0;
  const worker = startThread("broker");
  let port: number;
  try {
    const start = { type: "start", host, port: requestedPort } as const;
    const reply = await request(worker, start, START_TIMEOUT_MS);
    if (reply.type !== "listening") {
      throw new Error(
        reply.type === "error" ? reply.message : `unexpected reply ${reply.type}`,
      );
    }
    port = reply.port;
  } catch (error) {
    worker.terminate();
    throw new Error(
      `cannot start the embedded broker on ${formatAddress(host, requestedPort)}: ${
        describeError(error)
      }`,
      { cause: error },
    );
  }

  // A failure inside the worker after start must not bring down this thread; it is
  // kept and reported by stop().
  let failure: string | undefined;
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    failure ??= event.message;
  };
  worker.addEventListener("error", onError);

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    try {
      const reply = await request(worker, { type: "stop" }, STOP_TIMEOUT_MS);
      if (reply.type === "error") failure ??= reply.message;
    } catch (error) {
      failure ??= describeError(error);
    } finally {
      worker.removeEventListener("error", onError);
      worker.terminate();
    }
    if (failure !== undefined) {
      throw new Error(`embedded broker failed: ${failure}`);
    }
  };
  return {
    url: `mqtt://${formatAddress(host, port)}`,
    port,
    stop: () => stopped ??= stop(),
  };
}

/** Sends one request and waits for the worker's reply, its error, or `timeoutMs`. */
function request(
  worker: Worker,
  message: BrokerWorkerRequest,
  timeoutMs: number,
): Promise<BrokerWorkerReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanUp();
      reject(new Error(`no reply to "${message.type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (event: MessageEvent<BrokerWorkerReply>) => {
      cleanUp();
      resolve(event.data);
    };
    const onError = (event: ErrorEvent) => {
      event.preventDefault();
      cleanUp();
      reject(new Error(event.message));
    };
    const cleanUp = () => {
      clearTimeout(timer);
      worker.removeEventListener("message", onMessage);
      worker.removeEventListener("error", onError);
    };
    worker.addEventListener("message", onMessage);
    worker.addEventListener("error", onError);
    worker.postMessage(message);
  });
}

function formatAddress(host: string, port: number): string {
  // RFC 3986: an IPv6 literal is bracketed in a URL authority.
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
