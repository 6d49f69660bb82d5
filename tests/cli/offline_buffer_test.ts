import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";
import { startMosquitto } from "../helpers/test_broker.ts";

Deno.test("iotload run --offline-buffer keeps readings through a broker restart and sends them after", async () => {
  await using broker = await startMosquitto();
  const root = `buf-${crypto.randomUUID().slice(0, 8)}`;
  let restarted: Promise<void> | undefined;
  const result = await runCli([
    "run",
    "--url",
    broker.url,
    "-c",
    "20",
    "-i",
    "200ms",
    "-d",
    "8s",
    "-q",
    "1",
    "--offline-buffer",
    "1000",
    "--no-probe",
    "--topic",
    `${root}/{id}`,
    "--client-id",
    `${root}-{id}`,
    "--json",
  ], {
    onStderr: {
      text: "running",
      run: () => {
        restarted = (async () => {
          await broker.kill();
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          await broker.restart();
        })();
      },
    },
    timeoutMs: 60_000,
  });
  await restarted;
  assert.equal(result.code, 0, result.stderr);
  const m = JSON.parse(result.stdout).messages;
  assert.ok(m.offlineBuffered > 0, `offlineBuffered ${m.offlineBuffered}`);
  assert.equal(m.offlineDropped, 0, "a buffer of 1,000 readings holds a 1.5 s outage");
  assert.equal(m.scheduled, m.sent + m.backpressured + m.offlineDropped);
  assert.equal(m.sent, m.acked + m.failed);
});
