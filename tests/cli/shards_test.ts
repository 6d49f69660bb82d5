import assert from "node:assert/strict";
import { join } from "node:path";
import type { Summary } from "../../lib/metrics/summary.ts";
import { runLengthDecode } from "../../lib/metrics/shard_result.ts";
import { runCli } from "../helpers/run_cli.ts";
import { findMosquitto, startMosquitto } from "../helpers/test_broker.ts";

const WITHOUT_MOSQUITTO = findMosquitto() === undefined && Deno.env.get("CI") !== "true";
if (WITHOUT_MOSQUITTO) console.error("note: mosquitto not found; the 3-shard test is skipped");

/** Each sensor's sent count by global index, from a shard section. */
function sentByIndex(summary: Summary): Map<number, number> {
  const shard = summary.shard!;
  const counts = runLengthDecode(shard.sentCounts);
  const sent = new Map<number, number>();
  for (const [start, end] of shard.sensors) {
    for (let index = start; index < end; index++) sent.set(index, counts.next().value!);
  }
  return sent;
}

Deno.test({
  name:
    "3 shards from 3 source addresses start together, publish their results and merge to what one process measures",
  ignore: WITHOUT_MOSQUITTO,
  async fn() {
    await using broker = await startMosquitto();
    const dir = await Deno.makeTempDir({ prefix: "iotload-shards-" });
    try {
      const root = `shards-${crypto.randomUUID().slice(0, 8)}`;
      const scenarioPath = join(dir, "scenario.json");
      await Deno.writeTextFile(
        scenarioPath,
        JSON.stringify({
          broker: { url: broker.url },
          fleets: [
            { name: "rooms", count: 40, interval: "500ms", qos: 1, topic: `${root}/rooms/{id}` },
            {
              name: "trucks",
              count: 20,
              profile: "gps-tracker",
              interval: "500ms",
              qos: 1,
              topic: `${root}/trucks/{id}`,
              clientId: `${root}-truck-{id}`,
            },
          ],
          run: { duration: "3s" },
        }),
      );
      const runId = `t${crypto.randomUUID().slice(0, 8)}`;
      const shardRuns = [0, 1, 2].map((index) =>
        runCli([
          "run",
          "--scenario",
          scenarioPath,
          "--shard",
          `${index}/3`,
          "--run-id",
          runId,
          // Far enough ahead for all three processes to load and validate.
          "--start-at",
          "+6s",
          "--bind",
          `127.0.0.${index + 2}`,
          "--publish-result",
          "--out",
          join(dir, `shard-${index}.json`),
        ])
      );
      const single = await runCli([
        "run",
        "--scenario",
        scenarioPath,
        "--shard",
        "0/1",
        "--out",
        join(dir, "single.json"),
      ]);
      assert.equal(single.code, 0, single.stderr);
      const results = await Promise.all(shardRuns);
      for (const result of results) {
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stderr, /note: waiting \d+\.\d s until .* \(--start-at\)/);
        assert.match(
          result.stderr,
          new RegExp(`note: result published to iotload/runs/${runId}/results/\\d`),
        );
      }
      const fromBroker = await runCli([
        "merge",
        "--from",
        broker.url,
        "--run",
        runId,
        "--shards",
        "3",
        "--wait",
        "10s",
        "--json",
        "--threshold",
        "lost==0",
        "--out",
        join(dir, "merged.json"),
      ]);
      assert.equal(fromBroker.code, 0, fromBroker.stderr);
      const merged: Summary = JSON.parse(fromBroker.stdout);
      const fromFiles = await runCli([
        "merge",
        ...[0, 1, 2].map((index) => join(dir, `shard-${index}.json`)),
        "--json",
      ]);
      assert.equal(fromFiles.code, 0, fromFiles.stderr);
      assert.deepEqual(JSON.parse(fromFiles.stdout).messages, merged.messages);

      const shards: Summary[] = await Promise.all(
        [0, 1, 2].map(async (index) =>
          JSON.parse(await Deno.readTextFile(join(dir, `shard-${index}.json`)))
        ),
      );
      const whole: Summary = JSON.parse(await Deno.readTextFile(join(dir, "single.json")));
      // The same sensors: the shards' slices put together are the single run's.
      const shardSent = new Map(shards.flatMap((shard) => [...sentByIndex(shard)]));
      const wholeSent = sentByIndex(whole);
      assert.deepEqual([...shardSent.keys()].sort((a, b) => a - b), [...wholeSent.keys()]);
      assert.deepEqual(whole.shard!.sensors, [[0, 40], [40, 60]]);
      assert.deepEqual(
        shards.map((shard) => shard.shard!.sensors),
        [[[0, 13], [40, 46]], [[13, 26], [46, 53]], [[26, 40], [53, 60]]],
      );
      // The same totals, within the schedule's tolerance of one send per sensor.
      assert.ok(Math.abs(merged.messages.sent - whole.messages.sent) <= 60, fromBroker.stdout);
      for (const [index, sent] of shardSent) {
        assert.ok(Math.abs(sent - wholeSent.get(index)!) <= 1, `sensor ${index}`);
      }
      // One exact ledger: every shard's probe saw part of every shard's messages.
      assert.equal(merged.ledger.balanced, true, merged.ledger.note);
      assert.equal(merged.messages.lost, 0);
      assert.equal(merged.messages.received, merged.messages.sent);
      assert.equal(whole.messages.received, whole.messages.sent);
      for (const shard of shards) {
        assert.ok(shard.messages.received < merged.messages.received);
        assert.equal(shard.ledger.balanced, null);
        assert.notEqual(shard.shard!.startSkewMs, null);
      }
      // Histogram counts add up, and match the counters.
      assert.equal(
        merged.latencyMs.ack.count,
        shards.reduce((sum, shard) => sum + shard.latencyMs.ack.count, 0),
      );
      assert.equal(merged.latencyMs.ack.count, merged.messages.acked);
      assert.equal(merged.latencyMs.e2e.count, merged.messages.received);
      assert.equal(merged.latencyMs.connect.count, 60);
      assert.deepEqual(merged.fleets.map((fleet) => fleet.sensors), [40, 20]);
      assert.equal(
        merged.fleets[0].messages.received + merged.fleets[1].messages.received,
        merged.messages.received,
      );
      assert.deepEqual(merged.shards?.merged, [0, 1, 2]);
      assert.equal(merged.shards?.incomplete, false);
      assert.equal(merged.connections.target, 60);
      assert.deepEqual(merged.thresholds, [{ expression: "lost==0", actual: 0, ok: true }]);
      // The merged summary reads like a single run's.
      const report = await runCli(["report", join(dir, "merged.json")]);
      assert.equal(report.code, 0, report.stderr);
      const compared = await runCli([
        "compare",
        join(dir, "single.json"),
        join(dir, "merged.json"),
      ]);
      assert.equal(compared.code, 0, compared.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("iotload run --start-at waits, saying so, and Ctrl-C during the wait ends it at once", async () => {
  // Nothing listens there: the run never gets past the wait.
  const result = await runCli(
    ["run", "--url", "mqtt://127.0.0.1:1", "--start-at", "+5m", "-c", "1"],
    { onStderr: { text: "(--start-at)", run: (signal) => signal("SIGINT") }, timeoutMs: 30_000 },
  );
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /note: waiting 300\.0 s until \d{4}-\d\d-\d\dT.*Z \(--start-at\)/);
  assert.match(result.stderr, /note: interrupted before --start-at: nothing ran/);
  assert.equal(result.stdout, "");
});

Deno.test({
  name: "--publish-result names a result larger than the broker's maximum packet size",
  ignore: WITHOUT_MOSQUITTO,
  async fn() {
    await using broker = await startMosquitto({ extraConfig: "max_packet_size 1500\n" });
    const result = await runCli([
      "run",
      "--url",
      broker.url,
      "-c",
      "20",
      "-i",
      "200ms",
      "-d",
      "1s",
      "--topic",
      `big-${crypto.randomUUID().slice(0, 8)}/{id}`,
      "--shard",
      "0/1",
      "--publish-result",
    ]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stderr,
      /error: --publish-result: the result is \d+ bytes \(gzip\); the broker takes packets of at most 1500 bytes: write --out files and merge them instead/,
    );
  },
});
