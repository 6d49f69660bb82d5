import assert from "node:assert/strict";
import { startEmbeddedBroker } from "../../lib/broker/embedded_broker.ts";
import { collectMessages } from "../helpers/collector.ts";
import { assertTimelineSums, fleetArgs, parseSummary } from "../helpers/fault_fixtures.ts";
import { runCli } from "../helpers/run_cli.ts";
import { startTestBroker } from "../helpers/test_broker.ts";

interface Payload {
  sensorId: string;
  seq: number;
  ts: number;
  temperatureC: number;
}

async function checkRunDeliversEveryAckedMessage(
  url: string,
  extraArgs: readonly string[] = [],
): Promise<void> {
  const root = `it-${crypto.randomUUID().slice(0, 8)}`;
  await using collector = await collectMessages(url, `${root}/+/telemetry`);
  const result = await runCli([
    "run",
    "--url",
    url,
    "--sensors",
    "50",
    "--interval",
    "200ms",
    "--duration",
    "3s",
    "--qos",
    "1",
    "--topic",
    `${root}/{id}/telemetry`,
    "--client-id",
    `${root}-{id}`,
    "--json",
    ...extraArgs,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  await collector.settle(500, 5_000);
  const messages = summary.messages;
  assert.equal(summary.connections.peak, 50);
  assert.ok(messages.sent >= 50 * 10, `sent ${messages.sent}`);
  assert.equal(messages.acked, messages.sent, "every QoS 1 publish acknowledged");
  assert.equal(messages.failed, 0);
  assert.ok(
    collector.payloads.length >= messages.acked,
    "the test received every acknowledged message",
  );
  const seqsBySensor = new Map<string, number[]>();
  for (const text of collector.payloads) {
    // The probe's marker, published once to prove its subscription, is not telemetry.
    if ("iotloadMarker" in JSON.parse(text)) continue;
    const payload = JSON.parse(text) as Payload;
    assert.equal(typeof payload.sensorId, "string");
    assert.ok(Number.isInteger(payload.seq));
    assert.ok(payload.ts > 1.7e12, "ts is ms since the epoch");
    assert.equal(typeof payload.temperatureC, "number");
    seqsBySensor.set(payload.sensorId, [
      ...(seqsBySensor.get(payload.sensorId) ?? []),
      payload.seq,
    ]);
  }
  assert.equal(seqsBySensor.size, 50);
  for (const [sensorId, seqs] of seqsBySensor) {
    const sorted = [...new Set(seqs)].sort((a, b) => a - b);
    assert.deepEqual(sorted, sorted.map((_, i) => i), `sensor ${sensorId} has no gaps`);
  }
  assert.equal(messages.received, messages.sent, "the probe received every message");
  assert.equal(messages.lost, 0);
}

Deno.test("iotload run delivers every acknowledged QoS 1 message without gaps (test broker)", async () => {
  await using broker = await startTestBroker();
  await checkRunDeliversEveryAckedMessage(broker.url);
});

Deno.test("iotload run delivers every acknowledged QoS 1 message without gaps (embedded broker)", async () => {
  const broker = await startEmbeddedBroker();
  try {
    // aedes speaks MQTT 3.1.1 only.
    await checkRunDeliversEveryAckedMessage(broker.url, ["--protocol-version", "4"]);
  } finally {
    await broker.stop();
  }
});

Deno.test("iotload run exits 3 in bounded time when the broker is unreachable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const started = performance.now();
  const result = await runCli(
    ["run", "--url", `mqtt://127.0.0.1:${port}`, "--sensors", "5", "--connect-timeout", "2s"],
    { timeoutMs: 30_000 },
  );
  assert.equal(result.code, 3, result.stderr);
  assert.match(
    result.stderr,
    /error: cannot connect to mqtt:\/\/127\.0\.0\.1:\d+: connection refused/,
  );
  assert.match(result.stderr, /hint: /);
  assert.ok(performance.now() - started < 30_000);
});

Deno.test("iotload run stops on SIGINT with exit 130 and still prints the summary", async () => {
  await using broker = await startTestBroker();
  const root = `int-${crypto.randomUUID().slice(0, 8)}`;
  const result = await runCli([
    "run",
    "--url",
    broker.url,
    "--sensors",
    "20",
    "--interval",
    "100ms",
    "--duration",
    "60s",
    "--topic",
    `${root}/{id}`,
    "--client-id",
    `${root}-{id}`,
    "--json",
  ], { onStderr: { text: "running", run: (signal) => signal("SIGINT") }, timeoutMs: 30_000 });
  assert.equal(result.code, 130, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.interrupted, true);
  assert.ok(summary.messages.sent > 0);
});

Deno.test("iotload run --duration is the publish time, and the timeline adds up, with workers too", async () => {
  await using broker = await startTestBroker();
  for (const workers of ["1", "2"]) {
    const root = `duration-${crypto.randomUUID().slice(0, 8)}`;
    const result = await runCli(
      fleetArgs(broker.url, root, ["-c", "100", "-i", "500ms", "-d", "4s", "-w", workers]),
    );
    assert.equal(result.code, 0, result.stderr);
    const summary = parseSummary(result);
    // 100 sensors every 500 ms for 4 s: 800, plus the few of the short ramp-up, within
    // one interval's worth (200).
    const { sent } = summary.messages;
    assert.ok(sent >= 800 && sent <= 1_000, `workers ${workers}: sent ${sent}`);
    assertTimelineSums(summary);
  }
});
