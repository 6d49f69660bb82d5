/**
 * Commander on a manual clock against an aedes broker on this thread, over in-memory
 * streams, with one scripted sensor that answers every second command.
 *
 * @module
 */
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { startAedesServer } from "../../lib/broker/aedes_server.ts";
import { parseScenarioText } from "../../lib/config/scenario_file.ts";
import { ManualClock } from "../../lib/engine/clock.ts";
import { Commander } from "../../lib/engine/commander.ts";
import { RunMetrics } from "../../lib/metrics/run_metrics.ts";
import { createMqttClient, endClient } from "../../lib/transport/client_factory.ts";
import { encodeCommandAnswer, readCommandId } from "../../lib/transport/command_message.ts";
import { inMemoryTarget } from "../helpers/in_memory_target.ts";

const SCENARIO = parseScenarioText(
  JSON.stringify({
    broker: { url: "mqtt://127.0.0.1:1883", protocolVersion: 4 },
    fleets: [{
      count: 3,
      commands: { topic: "cmd/{id}", responseTopic: "answer/{id}" },
    }],
    run: { commandRate: 10, ackTimeout: "2s" },
  }),
  "commands.json",
  {},
);

async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
}

Deno.test("Commander sends at its rate to the fleet's sensors, times the answers and counts the silent ones", async () => {
  const broker = await startAedesServer("127.0.0.1", 0);
  const target = inMemoryTarget(broker);
  const clock = new ManualClock();
  const metrics = new RunMetrics(3, 1);
  const commander = new Commander({
    scenario: SCENARIO,
    target,
    metrics,
    clock,
    random: () => 0.5,
    epochNowMs: () => Date.UTC(2030, 0, 1) + clock.nowMs(),
    clientId: "commander-test",
  });
  // random() = 0.5 picks sensor 1 of 3 every time: its topic is cmd/1.
  const sensor = createMqttClient(target, { clientId: "sensor-1", clean: true });
  const topics = new Set<string>();
  sensor.on("message", (topic, payload) => {
    topics.add(topic);
    const commandId = readCommandId(payload);
    if (commandId !== null && commandId % 2 === 0) {
      sensor.publish("answer/1", encodeCommandAnswer("1", commandId), { qos: 1 });
    }
  });
  try {
    await new Promise<void>((resolve) => {
      sensor.once("connect", () => sensor.subscribe("cmd/+", { qos: 1 }, () => resolve()));
      sensor.connect();
    });
    await commander.connect();
    commander.startSending();
    for (let step = 0; step < 10; step++) {
      clock.advanceMs(100);
      await settle();
    }
    commander.stopSending();
    await settle();
    assert.equal(metrics.commands.sent, 10);
    assert.deepEqual([...topics], ["cmd/1"]);
    assert.equal(metrics.commands.answered, 5);
    assert.equal(metrics.histograms.command.count, 5);
    clock.advanceMs(2_000);
    commander.expire();
    assert.equal(metrics.commands.unanswered, 5);
  } finally {
    await endClient(sensor, 1_000);
    await commander.stop(1_000);
    await broker.close();
  }
});
