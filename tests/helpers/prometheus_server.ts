/**
 * A real Prometheus server (Debian's `prometheus`) started by a test on a free
 * loopback port, scraping one target every second, with a data directory of its own.
 * Required in CI; elsewhere {@linkcode findPrometheus} says whether it is installed so
 * the tests can skip with a note.
 *
 * @module
 */
import { freeListenPort } from "./listen_port.ts";

/** A running Prometheus for one test. */
export interface PrometheusServer extends AsyncDisposable {
  /** Its HTTP API, like `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The value of an instant query's first series, or undefined when it has none. */
  query(expression: string): Promise<number | undefined>;
}

const BINARY_PATHS = ["/usr/bin/prometheus"];
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

/** The prometheus binary, or undefined when it is not installed. */
export function findPrometheus(): string | undefined {
  return BINARY_PATHS.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}

/**
 * Starts Prometheus scraping `127.0.0.1:targetPort/metrics` every second, and resolves
 * once it is ready.
 */
export async function startPrometheus(targetPort: number): Promise<PrometheusServer> {
  const binary = findPrometheus();
  if (binary === undefined) throw new Error("prometheus is not installed");
  const dir = await Deno.makeTempDir({ prefix: "iotload-prometheus-" });
  const config = `${dir}/prometheus.yml`;
  await Deno.writeTextFile(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: iotload",
      "    static_configs:",
      `      - targets: ["127.0.0.1:${targetPort}"]`,
      "",
    ].join("\n"),
  );
  const port = freeListenPort();
  const url = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(binary, {
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  const logDone = (async () => {
    for (;;) {
      const { value, done } = await stderr.read();
      if (done) return;
      log += value;
    }
  })();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
    await logDone;
    await Deno.remove(dir, { recursive: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(`${url}/-/ready`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return {
    url,
    query: async (expression) => {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const body = await response.json() as {
        data: { result: { value: [number, string] }[] };
      };
      const first = body.data.result[0];
      return first === undefined ? undefined : Number(first.value[1]);
    },
    [Symbol.asyncDispose]: stop,
  };
}
