import assert from "node:assert/strict";
import mqtt from "mqtt";
import type { Summary } from "../../lib/metrics/summary.ts";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";
import { fleetArgs, parseSummary, uniqueRoot } from "../helpers/fault_fixtures.ts";

/** Runs two identical fleets side by side: the same client ids, the same topics. */
async function runTwoFleetsWithTheSameClientIds(
  url: string,
  extra: readonly string[] = [],
): Promise<Summary[]> {
  const args = fleetArgs(url, uniqueRoot("takeover"), [
    "-c",
    "10",
    "-i",
    "200ms",
    "-d",
    "4s",
    "-V",
    "5",
    ...extra,
  ]);
  const results = await Promise.all([
    runCli(args, { timeoutMs: 30_000 }),
    runCli(args, { timeoutMs: 30_000 }),
  ]);
  return results.map((result) => {
    assert.equal(result.code, 0, result.stderr);
    return parseSummary(result);
  });
}

function assertTakeoversCounted(summaries: readonly Summary[]): void {
  const figures = JSON.stringify(summaries.map((summary) => ({
    connections: summary.connections,
    errorSamples: summary.errorSamples,
  })));
  const takenOver = summaries.map((summary) => summary.connections.errors.sessionTakenOver ?? 0);
  assert.ok(takenOver.some((count) => count > 0), `a run counted the takeovers: ${figures}`);
  for (const summary of summaries) {
    if ((summary.connections.errors.sessionTakenOver ?? 0) === 0) continue;
    assert.ok(
      summary.errorSamples.includes("sessionTakenOver: session taken over (reason 0x8e)"),
      `the reason is shown in words: ${figures}`,
    );
  }
}

/**
 * Whether the broker at `url` tells a client taken over why (DISCONNECT 0x8E) before
 * closing it. Mosquitto does from 2.0.15 on; 2.0.11 only closes the connection (its
 * issues #2340 and #2607), which no client can tell from any other close.
 */
async function brokerSendsTakenOver(url: string): Promise<boolean> {
  const clientId = uniqueRoot("takeover-check");
  const options = { clientId, protocolVersion: 5, reconnectPeriod: 0 } as const;
  const first = await mqtt.connectAsync(url, options);
  let reasonCode: number | undefined;
  first.on("disconnect", (packet) => reasonCode = packet.reasonCode);
  const closed = new Promise<void>((resolve) => first.once("close", () => resolve()));
  const second = await mqtt.connectAsync(url, options);
  try {
    await closed;
    return reasonCode === 0x8e;
  } finally {
    first.end(true);
    await second.endAsync();
  }
}

// MQTT-3.1.4-3: the server closes the existing connection of a client id that connects
// again; in MQTT 5 it first sends DISCONNECT with reason 0x8E "session taken over".
Deno.test("iotload run counts the sessions a second run with the same client ids takes over (Mosquitto)", async () => {
  await using broker = await startMosquitto();
  const toldWhy = await brokerSendsTakenOver(broker.url);
  const summaries = await runTwoFleetsWithTheSameClientIds(broker.url);
  if (toldWhy) {
    assertTakeoversCounted(summaries);
    return;
  }
  // A broker that closes without a word: each kicked session is still a counted loss
  // (followed by a reconnect), just not one iotload can name.
  const figures = JSON.stringify(summaries.map((summary) => summary.connections));
  const disconnects = summaries.map((summary) => summary.connections.disconnects);
  assert.ok(disconnects.some((count) => count > 0), `the kicked sessions are counted: ${figures}`);
  for (const summary of summaries) {
    assert.equal(summary.connections.errors.sessionTakenOver ?? 0, 0, figures);
    // QoS 0: no publish fails with a lost connection, so each count is one lost session.
    assert.equal(
      summary.connections.errors.disconnected ?? 0,
      summary.connections.disconnects,
      figures,
    );
  }
});
