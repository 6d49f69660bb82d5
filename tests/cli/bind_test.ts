import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";

Deno.test("iotload run --bind spreads connections over the given source addresses", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "iotload-bind-" });
  const logPath = join(logDir, "mosquitto.log");
  // Mosquitto started as root drops to its own user before it opens the log.
  await Deno.chmod(logDir, 0o777);
  try {
    await using broker = await startMosquitto({
      extraConfig: `log_dest file ${logPath}\nlog_type notice\nconnection_messages true\n`,
    });
    const root = `bind-${crypto.randomUUID().slice(0, 8)}`;
    const result = await runCli([
      "run",
      "--url",
      broker.url,
      "-c",
      "10",
      "-i",
      "500ms",
      "-d",
      "1s",
      "--no-probe",
      "--bind",
      "127.0.0.2-127.0.0.3",
      "--topic",
      `${root}/{id}`,
      "--client-id",
      `${root}-{id}`,
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).connections.peak, 10);
    const log = await Deno.readTextFile(logPath);
    const sources = [...log.matchAll(/New client connected from ([\d.]+):\d+ as (bind-\S+)/g)]
      .filter((match) => match[2].startsWith(root));
    assert.equal(sources.length, 10, log);
    const counts = Map.groupBy(sources, (match) => match[1]);
    assert.deepEqual([...counts.keys()].sort(), ["127.0.0.2", "127.0.0.3"]);
    assert.equal(counts.get("127.0.0.2")!.length, 5);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("iotload run refuses more sensors than the open-file limit allows, with a hint", async () => {
  // Nothing listens there: the check comes before any connection.
  const url = "mqtt://127.0.0.1:1";
  const result = await runCli(["run", "--url", url, "-c", "1000000", "--no-probe"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^(warning: .*\n)?error: 1,000,000 sensors need about 1,000,064 open files/,
  );
  assert.match(result.stderr, /\nhint: /);
});

Deno.test("iotload run keeps the embedded broker to a fleet the host could hold", async () => {
  const result = await runCli(["run", "-c", "1000000", "--no-probe"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /error: 1,000,000 sensors are more than the embedded broker takes/);
  assert.match(result.stderr, /\nhint: run against a real broker with --url/);
});
