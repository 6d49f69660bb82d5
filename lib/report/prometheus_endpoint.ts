/**
 * The `--prometheus` endpoint: an HTTP server answering `GET /metrics` with what a
 * {@linkcode PrometheusExporter} holds, from before the run starts until it is closed
 * (after the summary is printed).
 *
 * @module
 */
import type { ListenAddress } from "../config/scenario.ts";
import { UsageError } from "../config/usage_error.ts";
import type { PrometheusExporter } from "./prometheus_exporter.ts";

/** A listening endpoint. */
export interface PrometheusEndpoint extends AsyncDisposable {
  /** Where it listens, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
}

/**
 * Listens on `address` and serves `exporter`'s metrics at `/metrics` (anything else is
 * a 404). An address that cannot be bound is a {@linkcode UsageError} naming the
 * setting, before anything connects.
 */
export function servePrometheus(
  address: ListenAddress,
  exporter: PrometheusExporter,
): PrometheusEndpoint {
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: address.host,
      port: address.port,
      onListen: () => {},
      onError: () => new Response("internal error", { status: 500 }),
    }, async (request) => {
      const path = new URL(request.url).pathname;
      if (request.method !== "GET" || path !== "/metrics") {
        return new Response("not found: the metrics are at /metrics\n", { status: 404 });
      }
      return new Response(await exporter.text(), {
        headers: { "content-type": exporter.contentType },
      });
    });
  } catch (error) {
    const shown = address.host.includes(":") ? `[${address.host}]` : address.host;
    throw new UsageError(
      `--prometheus: cannot listen on ${shown}:${address.port}: ${describeListenError(error)}`,
    );
  }
  const { hostname, port } = server.addr;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${port}/metrics`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

function describeListenError(error: unknown): string {
  if (error instanceof Deno.errors.AddrInUse) return "the address is in use";
  if (error instanceof Deno.errors.AddrNotAvailable) return "no such address on this host";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return (error as Error).message;
}
