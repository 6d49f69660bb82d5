import assert from "node:assert/strict";
import { join } from "node:path";
import mqtt from "mqtt";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";

/** Writes `yaml` to a temporary scenario file, runs `iotload run --scenario` on it, removes it. */
async function runScenario(yaml: string, args: readonly string[]) {
  const dir = await Deno.makeTempDir({ prefix: "iotload-device-" });
  try {
    const file = join(dir, "scenario.yaml");
    await Deno.writeTextFile(file, yaml);
    const result = await runCli(["run", "--scenario", file, "--json", ...args], {
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("iotload run publishes retained birth messages and the broker delivers the will on churn drops", async () => {
  await using broker = await startMosquitto();
  const root = `will-${crypto.randomUUID().slice(0, 8)}`;
  const watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  const statuses: { sensorId?: string; online?: boolean; up?: boolean; device?: string }[] = [];
  watcher.on("message", (_topic, payload) => statuses.push(JSON.parse(payload.toString())));
  await watcher.subscribeAsync(`${root}/+/status`, { qos: 1 });
  try {
    const summary = await runScenario(
      [
        "broker: { protocolVersion: 5 }",
        "fleets:",
        "  - count: 10",
        "    interval: 500ms",
        `    topic: "${root}/{id}/telemetry"`,
        `    clientId: "${root}-{id}"`,
        `    status:`,
        `      topic: "${root}/{id}/status"`,
        `      offline: '{"up":false,"device":"{identity.deviceId}"}'`,
        "    churn: { perSensorPerHour: 1800, offline: 1s }",
        "run: { duration: 6s }",
      ].join("\n"),
      ["--url", broker.url],
    );
    const births = statuses.filter((status) => status.online === true);
    // The will comes from the offline template: the broker sends exactly what the CONNECT held.
    const offline = statuses.filter((status) => status.up === false);
    assert.ok(offline.every((status) => /^[0-9A-F]{16}$/.test(status.device ?? "")));
    assert.ok(summary.connections.churned > 0, JSON.stringify(summary.connections));
    assert.ok(births.length >= 10 + summary.connections.churned, `births ${births.length}`);
    // Each churn drop is unclean: the broker publishes that sensor's will.
    assert.ok(offline.length >= summary.connections.churned, `wills ${offline.length}`);
    assert.equal(summary.latencyMs.reconnect.count, summary.connections.reconnects);
    assert.ok(summary.latencyMs.reconnect.min >= 900, "churned sensors stay offline 1 s");
    assert.equal(summary.connections.errors.disconnected ?? 0, 0, "churn is no error");
    const m = summary.messages;
    assert.equal(m.scheduled, m.sent + m.backpressured + m.offlineDropped);
    assert.equal(m.sent, m.received + m.lost);
  } finally {
    await watcher.endAsync();
  }
});

Deno.test("iotload run sends commands, sensors answer them, and the round trip is measured", async () => {
  await using broker = await startMosquitto();
  const root = `cmd-${crypto.randomUUID().slice(0, 8)}`;
  const summary = await runScenario(
    [
      "fleets:",
      "  - count: 20",
      "    interval: 1s",
      `    topic: "${root}/{id}/telemetry"`,
      `    clientId: "${root}-{id}"`,
      `    commands: { topic: "${root}/{id}/set", responseTopic: "${root}/{id}/ack" }`,
      "run: { duration: 4s, commandRate: 10 }",
    ].join("\n"),
    ["--url", broker.url],
  );
  assert.ok(summary.commands.sent >= 30, JSON.stringify(summary.commands));
  assert.equal(summary.commands.answered + summary.commands.unanswered, summary.commands.sent);
  assert.equal(summary.commands.unanswered, 0);
  assert.equal(summary.latencyMs.command.count, summary.commands.answered);
  assert.ok(summary.latencyMs.command.p50 > 0);
});

Deno.test("iotload run publishes a mixed fleet with MQTT 5 user properties and content type", async () => {
  await using broker = await startMosquitto();
  const root = `mix-${crypto.randomUUID().slice(0, 8)}`;
  const watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, protocolVersion: 5 });
  const properties: Record<string, unknown>[] = [];
  watcher.on("message", (topic, _payload, packet) => {
    if (topic.includes("/meters/")) properties.push({ ...packet.properties });
  });
  await watcher.subscribeAsync(`${root}/#`, { qos: 1 });
  try {
    const summary = await runScenario(
      [
        "broker: { protocolVersion: 5 }",
        "fleets:",
        "  - name: climate",
        "    count: 10",
        "    profile: environment",
        "    interval: 500ms",
        "    qos: 0",
        `    topic: "${root}/{fleet}/{id}"`,
        `    clientId: "${root}-{fleet}-{id}"`,
        "  - name: meters",
        "    count: 10",
        "    profile: energy-meter",
        "    interval: 500ms",
        "    qos: 1",
        `    topic: "${root}/{fleet}/{id}"`,
        `    clientId: "${root}-{fleet}-{id}"`,
        "    mqtt5: { userProperties: { site: hq }, contentType: application/json, topicAlias: true }",
        "run: { duration: 3s }",
      ].join("\n"),
      ["--url", broker.url],
    );
    assert.equal(summary.connections.peak, 20);
    assert.equal(summary.messages.lost, 0);
    assert.equal(summary.messages.received, summary.messages.sent);
    assert.ok(summary.messages.acked > 0, "the QoS 1 fleet was acknowledged");
    assert.ok(properties.length > 0);
    for (const seen of properties) {
      assert.deepEqual({ ...seen.userProperties as object }, { site: "hq" });
      assert.equal(seen.contentType, "application/json");
    }
  } finally {
    await watcher.endAsync();
  }
});
