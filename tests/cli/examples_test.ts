import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";

const EXAMPLES = new URL("../../examples/", import.meta.url);
// A staged scenario is scaled to --duration: the storm needs room for 5,000 connects.
const DURATION: Readonly<Record<string, string>> = { "reconnect-storm.yaml": "30s" };

for (const entry of Deno.readDirSync(EXAMPLES)) {
  if (!entry.name.endsWith(".yaml")) continue;
  Deno.test(`examples/${entry.name} runs shortened against Mosquitto`, async () => {
    await using broker = await startMosquitto();
    const result = await runCli([
      "run",
      "--scenario",
      new URL(entry.name, EXAMPLES).pathname,
      "--url",
      broker.url,
      "--duration",
      DURATION[entry.name] ?? "3s",
      "--json",
    ], { timeoutMs: 90_000 });
    // Thresholds may fail on a busy test host (exit 1); anything else is a defect.
    assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.stderr}`);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.connections.failed, 0, JSON.stringify(summary.connections));
    // Churn keeps a few sensors offline at any moment, so the peak may fall just short.
    assert.ok(summary.connections.peak >= summary.connections.target * 0.9);
    const m = summary.messages;
    assert.equal(m.scheduled, m.sent + m.backpressured + m.offlineDropped);
    assert.ok(m.sent > 0);
    // Each fleet's counts, beside the totals, add up to them.
    assert.equal(summary.fleets.length, summary.config.fleets.length);
    for (const name of ["scheduled", "sent", "acked", "failed", "received", "lost"] as const) {
      const summed = summary.fleets.reduce(
        (sum: number, fleet: { messages: Record<string, number> }) => sum + fleet.messages[name],
        0,
      );
      assert.equal(summed, m[name], `fleets' ${name} ${summed} = total ${m[name]}`);
    }
    const e2eCounted = summary.fleets.reduce(
      (sum: number, fleet: { latencyMs: { e2e: { count: number } } }) =>
        sum + fleet.latencyMs.e2e.count,
      0,
    );
    assert.equal(e2eCounted, summary.latencyMs.e2e.count);
  });
}
