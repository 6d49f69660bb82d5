import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../helpers/run_cli.ts";
import { startTestBroker } from "../helpers/test_broker.ts";

Deno.test("iotload run follows the scenario's stages: ramp up, hold, ramp down", async () => {
  await using broker = await startTestBroker();
  const dir = await Deno.makeTempDir({ prefix: "iotload-stages-" });
  try {
    const root = `stages-${crypto.randomUUID().slice(0, 8)}`;
    const file = join(dir, "stages.yaml");
    await Deno.writeTextFile(
      file,
      [
        "fleets:",
        `  - { count: 40, interval: 500ms, topic: "${root}/{id}", clientId: "${root}-{id}" }`,
        "stages:",
        "  - { duration: 2s, target: 40 }",
        "  - { duration: 3s, target: 40 }",
        "  - { duration: 2s, target: 10 }",
        "  - { duration: 1s, target: 10 }",
      ].join("\n"),
    );
    const result = await runCli(["run", "--scenario", file, "--url", broker.url, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.connections.peak, 40);
    assert.equal(summary.connections.failed, 0);
    const timeline = summary.timeline as { t: number; connected: number; stage: number }[];
    const inStage = (stage: number) => timeline.filter((point) => point.stage === stage);
    assert.ok(inStage(1).length > 0 && inStage(3).length > 0, JSON.stringify(timeline));
    assert.ok(inStage(1)[0].connected < 40, "stage 1 ramps up");
    // The hold's first second closes as the ramp starts its last sensors (the plan's
    // target reaches 40 at the stage's start), whose handshakes may still be in flight:
    // the hold is judged on the seconds after it.
    const held = inStage(2).slice(1);
    assert.ok(held.length > 0, JSON.stringify(timeline));
    assert.ok(held.every((point) => point.connected === 40), JSON.stringify(timeline));
    assert.equal(inStage(4).at(-1)?.connected, 10, "stage 3 ramped down to 10");
    assert.equal(
      summary.connections.errors.disconnected ?? 0,
      0,
      "planned disconnects are no errors",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
