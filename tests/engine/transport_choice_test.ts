import assert from "node:assert/strict";
import { applyOverrides } from "../../lib/config/apply_overrides.ts";
import { DEFAULT_SCENARIO } from "../../lib/config/scenario.ts";
import { parseScenarioText } from "../../lib/config/scenario_file.ts";
import { transportFor, transportProblems } from "../../lib/engine/transport_choice.ts";

const over = (values: Record<string, string | boolean>) =>
  applyOverrides(DEFAULT_SCENARIO, [{
    source: "flag",
    values: { url: "mqtt://127.0.0.1:1883", ...values },
  }]);

Deno.test("transportFor() takes the lean client wherever it serves the fleet, MQTT.js otherwise", () => {
  assert.equal(transportFor(over({}).fleets[0], over({})), "lean");
  const embedded = applyOverrides(DEFAULT_SCENARIO, []);
  assert.equal(transportFor(embedded.fleets[0], embedded), "lean", "the embedded broker too");
  const needsMqttJs: Record<string, string>[] = [
    { qos: "2" },
    { url: "mqtts://127.0.0.1:8883" },
    { url: "ws://127.0.0.1:8080" },
  ];
  for (const values of needsMqttJs) {
    const scenario = over(values);
    assert.equal(transportFor(scenario.fleets[0], scenario), "mqttjs", JSON.stringify(values));
  }
  const mixed = parseScenarioText(
    [
      'broker: { url: "mqtt://127.0.0.1:1883", protocolVersion: 5 }',
      "fleets:",
      '  - { name: plain, count: 2, clientId: "p-{id}" }',
      '  - { name: commanded, count: 2, clientId: "c-{id}", commands: { topic: "cmd/{id}" } }',
      '  - { name: aliased, count: 2, clientId: "a-{id}", mqtt5: { topicAlias: true } }',
    ].join("\n"),
    "mixed.yaml",
    {},
  );
  assert.deepEqual(mixed.fleets.map((fleet) => transportFor(fleet, mixed)), [
    "lean",
    "mqttjs",
    "mqttjs",
  ]);
  const forced = over({ transport: "mqttjs" });
  assert.equal(transportFor(forced.fleets[0], forced), "mqttjs");
});

Deno.test("transportProblems() refuses --transport lean for a fleet it cannot serve, saying why", () => {
  assert.deepEqual(transportProblems(over({ transport: "lean" })), []);
  assert.deepEqual(transportProblems(over({ transport: "lean", qos: "2" })), [
    "--transport lean: fleets[0] (fleet-1) needs MQTT.js for QoS 2; use --transport auto",
  ]);
  assert.deepEqual(transportProblems(over({ qos: "2" })), [], "auto never refuses");
});
