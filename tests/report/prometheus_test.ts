/**
 * `--prometheus` scraped by a real Prometheus server (Debian's `prometheus`, every
 * second): what Prometheus stored equals the run's own summary.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";
import { findPrometheus, startPrometheus } from "../helpers/prometheus_server.ts";
import { freeListenPort } from "../helpers/listen_port.ts";

const IN_CI = Deno.env.get("CI") === "true";
const HAVE_PROMETHEUS = findPrometheus() !== undefined;
if (IN_CI && !HAVE_PROMETHEUS) {
  throw new Error("prometheus is required in CI (apt-get install -y prometheus)");
}
if (!HAVE_PROMETHEUS) console.error("note: prometheus not installed; its scrape test is skipped");

Deno.test({
  name: "Prometheus scrapes --prometheus during a run and holds the summary's sent count",
  ignore: !HAVE_PROMETHEUS,
  fn: async () => {
    const port = freeListenPort();
    await using prometheus = await startPrometheus(port);
    const result = await runCli([
      "run",
      "--sensors",
      "20",
      "--interval",
      "200ms",
      "--duration",
      "3s",
      "--qos",
      "1",
      // Sending ends before the drain: the drain's scrapes see the final counts.
      "--drain",
      "3s",
      "--prometheus",
      `127.0.0.1:${port}`,
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`Prometheus metrics at http://127\\.0\\.0\\.1:${port}/metrics`),
    );
    const summary = JSON.parse(result.stdout);
    assert.ok(summary.messages.sent > 0);
    const sent = await prometheus.query('iotload_messages_total{kind="sent"}');
    assert.equal(sent, summary.messages.sent);
    assert.equal(
      await prometheus.query('iotload_messages_total{kind="acked"}'),
      summary.messages.acked,
    );
    assert.equal(await prometheus.query("iotload_ack_seconds_count"), summary.messages.acked);
    assert.equal(await prometheus.query("max_over_time(iotload_connections[1m])"), 20);
    assert.equal(
      await prometheus.query(`iotload_run_info{run_id="${summary.runId}"}`),
      1,
      "the run's id is a label",
    );
  },
});

Deno.test("iotload run --prometheus on a port in use is a usage error before anything connects", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const result = await runCli(["run", "--prometheus", `127.0.0.1:${listener.addr.port}`]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      new RegExp(
        `^error: --prometheus: cannot listen on 127\\.0\\.0\\.1:${listener.addr.port}: the address is in use`,
      ),
    );
    assert.doesNotMatch(result.stderr, /embedded broker/);
  } finally {
    listener.close();
  }
});
