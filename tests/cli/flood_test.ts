import assert from "node:assert/strict";
import { fleetArgs, parseSummary, uniqueRoot } from "../helpers/fault_fixtures.ts";
import { runCli } from "../helpers/run_cli.ts";
import { startTestBroker } from "../helpers/test_broker.ts";

Deno.test("iotload run --flood reports what the sockets took: no schedule, no target, no stalls as messages", async () => {
  await using broker = await startTestBroker();
  const result = await runCli(
    fleetArgs(broker.url, uniqueRoot("flood"), ["--flood", "-c", "5", "-d", "2s"]),
  );
  assert.equal(result.code, 0, result.stderr);
  const { messages, rates, timeline } = parseSummary(result);
  assert.ok(messages.sent > 1_000, JSON.stringify(messages));
  assert.equal(messages.scheduled, messages.sent);
  assert.equal(messages.backpressured, 0);
  assert.equal(messages.offlineDropped, 0);
  assert.equal(messages.received + messages.lost, messages.sent);
  assert.equal(rates.targetPerSec, 0);
  assert.equal(timeline.reduce((sum, point) => sum + point.sent, 0), messages.sent);
});
