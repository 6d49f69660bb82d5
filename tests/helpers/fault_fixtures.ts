import assert from "node:assert/strict";
import type { Summary } from "../../lib/metrics/summary.ts";
import type { CliResult } from "./run_cli.ts";

/** A topic root and client id prefix no other test uses, like `restart-1a2b3c4d`. */
export function uniqueRoot(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * `iotload run` arguments against `url` with topics and client ids under `root`, JSON on
 * stdout, then `extra`.
 */
export function fleetArgs(url: string, root: string, extra: readonly string[]): string[] {
  return [
    "run",
    "--url",
    url,
    "--topic",
    `${root}/{id}/telemetry`,
    "--client-id",
    `${root}-{id}`,
    "--json",
    ...extra,
  ];
}

/** The JSON summary a run printed on stdout; fails with the run's stderr when there is none. */
export function parseSummary(result: CliResult): Summary {
  try {
    return JSON.parse(result.stdout) as Summary;
  } catch (error) {
    throw new Error(
      `stdout is not a JSON summary (exit ${result.code}): ${(error as Error).message}\n` +
        `stdout: ${result.stdout.slice(0, 500)}\nstderr: ${result.stderr.slice(-2_000)}`,
    );
  }
}

/**
 * Asserts the message ledger the README promises: every scheduled send was sent,
 * backpressured or dropped offline, (QoS 1/2) every sent publish was acked or failed,
 * and the per-second timeline adds up to the totals.
 */
export function assertMessageAccounting(summary: Summary, qos: 0 | 1 | 2): void {
  assertTimelineSums(summary);
  const m = summary.messages;
  assert.equal(
    m.scheduled,
    m.sent + m.backpressured + m.offlineDropped,
    `scheduled ${m.scheduled} = sent ${m.sent} + backpressured ${m.backpressured} + ` +
      `offlineDropped ${m.offlineDropped}`,
  );
  if (qos > 0) {
    assert.equal(
      m.sent,
      m.acked + m.failed,
      `sent ${m.sent} = acked ${m.acked} + failed ${m.failed}`,
    );
  }
}

/** Asserts that the timeline's seconds add up to the summary's totals. */
export function assertTimelineSums(summary: Summary): void {
  for (const name of ["sent", "acked", "received"] as const) {
    const summed = summary.timeline.reduce((sum, point) => sum + point[name], 0);
    assert.equal(summed, summary.messages[name], `timeline ${name} ${summed} = total`);
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP listener on 127.0.0.1 that accepts connections and never writes a byte. */
export interface SilentListener extends AsyncDisposable {
  /** The port it listens on. */
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Stops listening and closes every accepted connection. */
  close(): Promise<void>;
}

/**
 * Starts a {@linkcode SilentListener}: a "broker" that completes the TCP handshake and
 * then never answers (no CONNACK), as a hung broker or a black-holing proxy does.
 */
export function startSilentListener(): SilentListener {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections: Deno.Conn[] = [];
  let closed = false;
  const acceptLoop = (async () => {
    try {
      for await (const connection of listener) {
        if (closed) {
          connection.close();
          continue;
        }
        connections.push(connection);
      }
    } catch (error) {
      // Closing the listener ends a pending accept with BadResource (or Interrupted).
      if (!closed) throw error;
    }
  })();
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      closed = true;
      listener.close();
      await acceptLoop;
      for (const connection of connections) {
        try {
          connection.close();
        } catch (error) {
          // The peer's close can already have released the resource.
          if (!(error instanceof Deno.errors.BadResource)) throw error;
        }
      }
    })();
  return {
    port: listener.addr.port,
    get accepted() {
      return connections.length;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
