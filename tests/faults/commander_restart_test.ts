import assert from "node:assert/strict";
import { join } from "node:path";
import { delay, parseSummary, uniqueRoot } from "../helpers/fault_fixtures.ts";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";

Deno.test("iotload run with commands rides out a broker restart: counted, never a crash", async () => {
  await using broker = await startMosquitto();
  const root = uniqueRoot("cmd-restart");
  const dir = await Deno.makeTempDir({ prefix: "iotload-cmd-restart-" });
  try {
    const file = join(dir, "scenario.yaml");
    await Deno.writeTextFile(
      file,
      [
        "fleets:",
        "  - count: 20",
        "    interval: 500ms",
        `    topic: "${root}/{id}/telemetry"`,
        `    clientId: "${root}-{id}"`,
        `    commands: { topic: "${root}/{id}/set", responseTopic: "${root}/{id}/ack" }`,
        "run: { duration: 8s, commandRate: 5 }",
      ].join("\n"),
    );
    let outage: Promise<void> | undefined;
    const result = await runCli(["run", "--url", broker.url, "--scenario", file, "--json"], {
      onStderr: {
        text: "running",
        run: () => {
          outage = (async () => {
            await broker.kill();
            await delay(2_000);
            await broker.restart();
          })();
        },
      },
      timeoutMs: 45_000,
    });
    assert.ok(outage !== undefined, `the run never reached "running": ${result.stderr}`);
    await outage;
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /Uncaught|ECONNREFUSED\n\s+at /);
    const summary = parseSummary(result);
    assert.ok(summary.commands.sent > 0, JSON.stringify(summary.commands));
    assert.ok(summary.connections.reconnects > 0, JSON.stringify(summary.connections));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
