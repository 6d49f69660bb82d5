import assert from "node:assert/strict";
import { parseSummary } from "../helpers/fault_fixtures.ts";
import { runCli } from "../helpers/run_cli.ts";

// README's first command, `deno task load` with no flags: 10,000 sensors on the embedded
// broker. Both ends of a connection in one process would need about 20,000 descriptors,
// as many as this machine (and CI) allows; the embedded broker's in-memory streams need
// none. Only the duration is shortened (and --json added to read the result).
Deno.test("deno task load with no flags runs the seed's 10,000 sensors on the embedded broker", async () => {
  const result = await runCli(["run", "--duration", "3s", "--json"], { timeoutMs: 120_000 });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /started the embedded broker/);
  const summary = parseSummary(result);
  assert.equal(summary.connections.target, 10_000);
  assert.equal(summary.connections.peak, 10_000);
  assert.equal(summary.connections.failed, 0);
  assert.ok(summary.messages.sent > 0);
  assert.equal(summary.messages.received, summary.messages.sent);
  assert.equal(summary.messages.lost, 0);
});
