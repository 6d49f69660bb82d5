import assert from "node:assert/strict";
import { fleetArgs, parseSummary, uniqueRoot } from "../helpers/fault_fixtures.ts";
import { runCli } from "../helpers/run_cli.ts";
import { startTestBroker } from "../helpers/test_broker.ts";

Deno.test("iotload run --timeline streams one record per second that add up to the totals", async () => {
  await using broker = await startTestBroker();
  const dir = await Deno.makeTempDir({ prefix: "iotload-timeline-" });
  try {
    for (const name of ["run.ndjson", "run.csv"]) {
      const path = `${dir}/${name}`;
      const result = await runCli(
        fleetArgs(broker.url, uniqueRoot("timeline"), [
          "-c",
          "10",
          "-i",
          "200ms",
          "-d",
          "2s",
          "--timeline",
          path,
        ]),
      );
      assert.equal(result.code, 0, result.stderr);
      const summary = parseSummary(result);
      const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
      const records = name.endsWith(".csv")
        ? lines.slice(1).map((line) => ({ sent: Number(line.split(",")[5]) }))
        : lines.map((line) => JSON.parse(line));
      if (name.endsWith(".csv")) assert.match(lines[0], /^t,elapsedMs,phase,stage,connected,sent,/);
      assert.equal(records.length, summary.timeline.length, name);
      const sent = records.reduce((sum: number, record: { sent: number }) => sum + record.sent, 0);
      assert.equal(sent, summary.messages.sent, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("iotload run --timeline without a known extension exits 2 before connecting", async () => {
  const result = await runCli(["run", "--timeline", "/tmp/run.txt"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^error: --timeline: "\/tmp\/run\.txt" names no format\nhint: end the file name in \.ndjson, \.jsonl or \.csv/,
  );
});
